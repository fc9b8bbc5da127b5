"""IIIF Content Search API 2.0 inside one item: its caption/transcript cues and the lines of text OCR found in its
images (or staff's corrections of them) as annotations on its canvases, matched by the shared analysis of search/
(unaccented Vietnamese finds accented words and tone-exact matches rank first; Khmer words as khmercut cuts them; Han
characters traditional or simplified as a phrase), plus autocomplete of the words they hold.

The text is read from the item's files at each request, not from the search index: a caption changed by staff is
searchable at once. Every text an item offers comes from ``SOURCES``, the one place a new kind of text plugs in.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from archive import ocr_text
from archive.catalog.models import Item
from archive.catalog.service import canvas_numbers
from archive.errors import BadParameter
from archive.filestore import FileStore
from archive.passages import caption_files
from search.analysis import analyze, analyze_query, fold, khmer_words, normalise, script_runs
from search.highlight import Terms, spans
from search.query import MAX_QUERY_CHARS

from .published import presented_media
from .urls import Urls

SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"  # it imports Presentation 3's context
SEARCHABLE_KINDS = ("audio", "video")
MAX_TERMS = 50  # autocomplete answers at most this many terms
QUOTE_CHARS = 40  # text kept either side of a highlighted match
PARAMETERS = ("q", "motivation", "date", "user")  # those the specification defines for a search


@dataclass(frozen=True)
class Segment:
    """One piece of searchable text on a canvas: a cue (``fragment`` ``t=start,end``), a line of text OCR found in
    an image (``xywh=x,y,w,h``, narrowed in an answer to the words matched) or a corrected page (no fragment: the
    whole canvas)."""

    id: str  # the annotation's URI
    canvas: str
    fragment: str | None
    text: str
    language: str | None
    motivation: str  # supplementing (a transcription of the canvas's content) or commenting
    line: ocr_text.OcrLine | None = None  # an OCR line's words, with their boxes


@dataclass(frozen=True)
class Texts:
    """What a text source may read: the item (files loaded), the file store and the public URLs."""

    item: Item
    store: FileStore
    urls: Urls


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def cue_segments(texts: Texts) -> Iterator[Segment]:
    """Each cue of each caption/transcript file of the item's audio and video, on its file's canvas."""
    for captions in caption_files(texts.item, texts.store):  # as search indexes them
        canvas = texts.urls.canvas(texts.item.id, captions.canvas)
        for n, cue in enumerate(captions.passages(), 1):
            start, end = cue.locator["start"], cue.locator["end"]
            yield Segment(f"{canvas}/cues/{cue.lang}/{n}", canvas, f"t={_seconds(start)},{_seconds(end)}", cue.text,
                          cue.lang, "supplementing")


def _xywh(box: tuple[int, int, int, int]) -> str:
    return "xywh=" + ",".join(map(str, box))


def ocr_segments(texts: Texts) -> Iterator[Segment]:
    """Each line of text OCR found in the item's images, on its image's canvas at the line's box; a page staff
    corrected is its correction whole, on the whole canvas (a correction has no boxes)."""
    numbers = canvas_numbers(texts.item)
    for page in ocr_text.item_pages(texts.item):
        if page.sha256 not in numbers:
            continue
        canvas = texts.urls.canvas(texts.item.id, numbers[page.sha256])
        if page.corrected_text is not None:
            if page.corrected_text.strip():
                yield Segment(f"{canvas}/text", canvas, None, page.corrected_text, None, "supplementing")
        elif page.status == "done":
            for n, line in enumerate(ocr_text.lines(page.words), 1):
                yield Segment(f"{canvas}/ocr/{n}", canvas, _xywh(line.box(line.words)), line.text, None,
                              "supplementing", line)


# The text sources of an item, in answer order.
SOURCES: tuple[Callable[[Texts], Iterable[Segment]], ...] = (cue_segments, ocr_segments)


def offers_search(item: Item) -> bool:
    """Whether the item's manifest announces content search: documents and the images OCR reads (their text) and
    audio/video (their cues)."""
    return (item.type == "document" or ocr_text.wants_ocr(item)
            or any(m.kind in SEARCHABLE_KINDS for m in presented_media(item)))


def segments(texts: Texts) -> list[Segment]:
    return [segment for source in SOURCES for segment in source(texts)]


@dataclass(frozen=True)
class _Term:
    """One space-separated term of ``q``, analysed: all its words must occur in a segment for it to match."""

    exact: frozenset[str]
    folded: frozenset[str]
    han: tuple[str, ...]
    khmer: frozenset[str]
    cham: frozenset[str]


def _query_terms(q: str | None) -> list[_Term]:
    text = (q or "").strip()
    if not text:
        raise BadParameter("q", "give the words to search for")
    if len(text) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    terms = []
    for word in text.split():
        streams = analyze_query(word)
        term = _Term(frozenset(streams["exact"]), frozenset(streams["folded"]), tuple(streams["han"]),
                     frozenset(streams["khmer"]), frozenset(streams["cham"]))
        if term.folded or term.han or term.khmer or term.cham:
            terms.append(term)
    if not terms:
        raise BadParameter("q", "has no word to search for (only punctuation or symbols)")
    return terms


def _contains(sequence: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(sequence[i:i + n]) == phrase for i in range(len(sequence) - n + 1))


def _score(segment: Segment, terms: list[_Term]) -> int | None:
    """None unless every term occurs in the segment; else how many occur tone-exact (with their diacritics)."""
    streams = analyze(segment.text, segment.language)
    folded, khmer, cham = set(streams["folded"]), set(streams["khmer"]), set(streams["cham"])
    for term in terms:
        if not (term.folded <= folded and term.khmer <= khmer and term.cham <= cham
                and (not term.han or _contains(streams["han"], term.han))):
            return None
    exact = set(streams["exact"])
    return sum(bool(term.exact) and term.exact <= exact for term in terms)


def _highlights(terms: list[_Term]) -> Terms:
    marks = Terms()
    for term in terms:
        marks.folded |= term.folded
        marks.khmer |= term.khmer
        marks.cham |= term.cham
        if term.han:
            marks.han.add(term.han)
    return marks


def _target(segment: Segment, marks: Terms) -> str:
    """The segment's place on its canvas; for an OCR line, the box of the words the query matched."""
    if segment.line is not None:
        return f"{segment.canvas}#{_xywh(segment.line.box_of(spans(segment.text, marks)))}"
    return f"{segment.canvas}#{segment.fragment}" if segment.fragment else segment.canvas


def _annotation(segment: Segment, marks: Terms) -> dict:
    body = {"type": "TextualBody", "value": segment.text, "format": "text/plain"}
    if segment.language:
        body["language"] = segment.language
    return {"id": segment.id, "type": "Annotation", "motivation": segment.motivation, "body": body,
            "target": _target(segment, marks)}


def _highlighting(segment: Segment, marks: Terms) -> list[dict]:
    """One ``highlighting`` annotation per matched stretch of the segment's text (specification §4.3.2)."""
    found = []
    text = segment.text
    for n, (start, end) in enumerate(spans(text, marks), 1):
        selector = {"type": "TextQuoteSelector"}
        if start:
            selector["prefix"] = text[max(0, start - QUOTE_CHARS):start]
        selector["exact"] = text[start:end]
        if end < len(text):
            selector["suffix"] = text[end:end + QUOTE_CHARS]
        found.append({"id": f"{segment.id}/match/{n}", "type": "Annotation", "motivation": "highlighting",
                      "target": {"type": "SpecificResource", "source": segment.id, "selector": [selector]}})
    return found


def _ignored(params: dict[str, str], implemented: Iterable[str]) -> list[str]:
    return [name for name in PARAMETERS if params.get(name) and name not in implemented]


def _motivations(params: dict[str, str]) -> set[str] | None:
    return set(params["motivation"].split()) if params.get("motivation", "").strip() else None


def search(texts: Texts, params: dict[str, str], page_id: str) -> dict:
    """The AnnotationPage answering ``params`` (q, motivation; date and user are listed as ignored): matching
    segments, tone-exact matches first, then in canvas and time order; the matched words as highlighting
    annotations."""
    terms = _query_terms(params.get("q"))
    motivations = _motivations(params)
    scored = []
    for order, segment in enumerate(segments(texts)):
        if motivations is not None and segment.motivation not in motivations:
            continue
        score = _score(segment, terms)
        if score is not None:
            scored.append((-score, order, segment))
    found = [segment for _, _, segment in sorted(scored, key=lambda s: s[:2])]
    marks = _highlights(terms)
    page = {"@context": SEARCH_CONTEXT, "id": page_id, "type": "AnnotationPage"}
    if ignored := _ignored(params, ("q", "motivation")):
        page["ignored"] = ignored
    page["items"] = [_annotation(segment, marks) for segment in found]
    highlights = [h for segment in found for h in _highlighting(segment, marks)]
    if highlights:
        page["annotations"] = [{"type": "AnnotationPage", "items": highlights}]
    return page


def _words(text: str) -> Iterator[str]:
    """The words of a text as the analysis sees them, diacritics and case-folded form kept: Latin-script words,
    Khmer words (khmercut), Cham runs, and each unbroken run of Han characters whole."""
    normalised = normalise(text)
    han_start = han_end = None
    for kind, start, end in script_runs(normalised):
        if kind == "han" and start == han_end:
            han_end = end
            continue
        if han_end is not None:
            yield normalised[han_start:han_end]
            han_start = han_end = None
        if kind == "han":
            han_start, han_end = start, end
        elif kind == "khmer":
            yield from khmer_words(normalised[start:end])
        else:
            yield normalised[start:end]
    if han_end is not None:
        yield normalised[han_start:han_end]


def autocomplete(texts: Texts, params: dict[str, str], minimum: int, page_id: str) -> dict:
    """The TermPage of words in the item's texts that start with ``q`` (diacritics and case aside), alphabetical,
    with how often each occurs; only words occurring at least ``minimum`` times."""
    prefix = fold((params.get("q") or "").strip())
    if len(prefix) > MAX_QUERY_CHARS:
        raise BadParameter("q", f"the query is {len(prefix)} characters long; the limit is {MAX_QUERY_CHARS}")
    if not next(script_runs(prefix), None):
        raise BadParameter("q", "give the first letters of the word to complete")
    motivations = _motivations(params)
    counts = Counter(word for segment in segments(texts)
                     if motivations is None or segment.motivation in motivations
                     for word in _words(segment.text) if fold(word).startswith(prefix))
    terms = sorted((word for word, count in counts.items() if count >= minimum), key=lambda w: (fold(w), w))
    page = {"@context": SEARCH_CONTEXT, "id": page_id, "type": "TermPage"}
    if ignored := _ignored(params, ("q", "motivation")):
        page["ignored"] = ignored
    page["items"] = [{"value": word, "total": counts[word]} for word in terms[:MAX_TERMS]]
    return page

"""What the index holds for an item, the same for both backends: analysed text fields, keywords, dates, sort keys
and the small display record hits are rendered from.

Text field names are ``<group>_<stream>``: the groups are the fields a query can name (title, subject, creator)
plus ``all`` (everything, descriptions included, the vocabulary labels of the item's community, festival, place,
type, languages and collections, and each passage of text located in its media: a transcript's cues); the streams
are those of search.analysis. The ``exact`` stream keeps only words whose diacritics fold away (the others are in
``folded`` already): it only serves to rank a query's own diacritics first. Each value is a list of tokens; values
of a field never form a phrase across their boundary.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from archive.labels import SITE_LANGS, type_label
from archive.vocabularies import Vocabularies, subject_key, subject_words

from .analysis import STREAMS, analyze

GROUPS = ("title", "subject", "creator", "all")
PHRASE_STREAMS = ("folded", "han")  # indexed with positions, for phrases
TEXT_FIELDS = tuple(f"{group}_{stream}" for group in GROUPS for stream in STREAMS)
FACETS = ("community", "festival", "type", "place", "language", "decade", "collection", "subject", "transcript",
          "transcript_language", "image_text")
MULTI_VALUED = frozenset({"language", "decade", "collection", "subject", "transcript_language"})
HAS_TRANSCRIPT = "yes"  # the one value of the ``transcript`` facet
HAS_IMAGE_TEXT = "yes"  # the one value of the ``image_text`` facet: OCR found text in the item's images
KEYWORDS = (*FACETS, "access", "status")
SORT_KEYS = ("title_sort_vi", "title_sort_en")
MAX_DECADES = 30  # an item dated 1700/2000 is not placed in every decade between


def text_field(group: str, stream: str) -> str:
    return f"{group}_{stream}"


@dataclass(frozen=True)
class Passage:
    """Text located inside an item's media, searched like the rest of the item's text but shown apart: a
    caption cue (``kind`` cue, ``locator`` {"start", "end"} in seconds, plus the media file's "media" checksum and its
    "canvas"), or
    line of text found in an image (``kind`` ocr, ``locator`` {"canvas", "xywh", "words"}: the canvas numbered from
    1, the line's box "x,y,w,h" in the image's pixels, and each word's [start, end, x, y, w, h] in the text and the
    image; a staff correction of the page is one passage with only its "canvas"). A hit lists the passages it
    matches with their locators (search.highlight.passages: an OCR line's box narrowed to the words matched), so a
    page can open the media at that place."""

    kind: str
    lang: str | None  # BCP 47 tag
    text: str
    locator: dict

    def as_dict(self) -> dict:
        return {"kind": self.kind, "lang": self.lang, "text": self.text, "locator": self.locator}


@dataclass
class Source:
    """The parts of an item the index needs, as plain values (archive.indexing.source_of makes one from an item)."""

    id: str
    type: str
    status: str
    access: str
    record: dict
    date_start: str | None = None
    date_end: str | None = None
    embargo_until: date | None = None  # stored as a date, so an embargo ends in search without a reindex
    collections: list[tuple[str, dict]] = field(default_factory=list)  # (id, title language map)
    media: dict | None = None  # the first media file: {"kind", "sha256"}
    passages: list[Passage] = field(default_factory=list)  # archive.passages.read


@dataclass
class IndexDocument:
    id: str
    text: dict[str, list[list[str]]]   # text field -> values -> tokens
    keywords: dict[str, list[str]]     # keyword field -> values (no duplicates)
    date_start: int | None             # yyyymmdd
    date_end: int | None
    sort: dict[str, str]               # sort key field -> key
    display: dict                      # what a hit shows
    embargo_until: int | None = None   # yyyymmdd: hidden from non-staff up to and including that day


@lru_cache(maxsize=4096)
def _analysed_label(text: str, lang: str | None) -> dict[str, list[str]]:
    return analyze(text, lang)


def _streams(text: str, lang: str | None, *, label: bool = False) -> dict[str, list[str]]:
    return _analysed_label(text, lang) if label else analyze(text, lang)


def day_number(iso: str | None) -> int | None:
    """``1975-04-30`` → 19750430 (years before 1 AD count as missing)."""
    if not iso or iso.startswith("-"):
        return None
    year, month, day = iso.split("-")
    return int(year) * 10000 + int(month) * 100 + int(day)


def decades(start: int | None, end: int | None) -> list[str]:
    if start is None or end is None:
        return []
    first, last = start // 100000 * 10, end // 100000 * 10
    return [str(d) for d in range(first, last + 1, 10)] if last - first < MAX_DECADES * 10 else [str(first)]


def sort_key(title: dict, lang: str) -> str:
    text = title.get(lang) or title.get("vi") or title.get("en") or next(iter(title.values()), "")
    streams = _streams(text, None)
    return " ".join(streams["folded"] + streams["han"] + streams["khmer"] + streams["cham"])


def build_document(source: Source, vocab: Vocabularies) -> IndexDocument:
    record = source.record
    text: dict[str, list[list[str]]] = defaultdict(list)

    def add(group: str, value: str, lang: str | None, *, label: bool = False) -> None:
        streams = _streams(value, lang, label=label)
        for stream, tokens in streams.items():
            if stream == "exact":
                tokens = [word for word, bare in zip(tokens, streams["folded"]) if word != bare]
            if tokens:
                text[text_field("all", stream)].append(tokens)
                if group != "all":
                    text[text_field(group, stream)].append(tokens)

    for group, key in (("title", "title"), ("all", "description")):
        for lang, value in record.get(key, {}).items():
            add(group, value, lang)
    for subject in record.get("subjects", []):
        add("subject", subject, None)
    written = {subject_key(s) for s in record.get("subjects", [])}
    subject_terms = {t["id"]: t for s in record.get("subjects", []) if (t := vocab.subject(s))}
    for term in subject_terms.values():
        for word in subject_words(term):  # the subject's other labels, and the words of subjects merged into it
            if subject_key(word) not in written:
                add("subject", word, None, label=True)
    for creator in record.get("creators", []):
        add("creator", creator["name"], None)
    if record.get("lunar_date"):
        add("all", record["lunar_date"], "vi")
    for vocabulary, key in (("communities", "community"), ("festivals", "festival"), ("places", "place")):
        if record.get(key) and (term := vocab.get(vocabulary, record[key])):
            for lang, label in term["label"].items():
                add("all", label, lang, label=True)
    for language in record.get("languages", []):
        if term := vocab.get("languages", language):
            for lang, label in term["label"].items():
                add("all", label, lang, label=True)
    for lang, label in type_label(source.type).items():
        add("all", label, lang, label=True)
    for _, title in source.collections:
        for lang, label in title.items():
            add("all", label, lang, label=True)
    for passage in source.passages:  # one value each: a phrase never spans two cues
        add("all", passage.text, passage.lang)
    transcripts = [p.lang for p in source.passages if p.kind == "cue"]

    start, end = day_number(source.date_start), day_number(source.date_end)
    keywords = {
        "community": [record["community"]] if record.get("community") else [],
        "festival": [record["festival"]] if record.get("festival") else [],
        "place": [record["place"]] if record.get("place") else [],
        "type": [source.type],
        "language": list(dict.fromkeys(record.get("languages", []))),
        "decade": decades(start, end) if start is not None and end is not None else [],
        "collection": list(dict.fromkeys(cid for cid, _ in source.collections)),
        "subject": list(subject_terms),  # the vocabulary terms the subjects name; free keywords are text only
        "transcript": [HAS_TRANSCRIPT] if transcripts else [],
        "transcript_language": list(dict.fromkeys(lang for lang in transcripts if lang)),
        "image_text": [HAS_IMAGE_TEXT] if any(p.kind == "ocr" for p in source.passages) else [],
        "access": [source.access],
        "status": [source.status],
    }
    title = record.get("title", {})
    display = {
        "id": source.id, "type": source.type, "title": title, "description": record.get("description", {}),
        "community": record.get("community"), "festival": record.get("festival"), "place": record.get("place"),
        "date": record.get("date"), "languages": record.get("languages", []),
        "collections": [cid for cid, _ in source.collections], "media": source.media,
    }
    if source.passages:
        display["passages"] = [p.as_dict() for p in source.passages]
    return IndexDocument(id=source.id, text=dict(text), keywords={k: v for k, v in keywords.items() if v},
                         date_start=start if end is not None else None, date_end=end if start is not None else None,
                         sort={f"title_sort_{lang}": sort_key(title, lang) for lang in SITE_LANGS}, display=display,
                         embargo_until=day_number(source.embargo_until.isoformat()) if source.embargo_until else None)

"""Highlighted snippets, computed in Python from the stored text so both backends give the same ones.

The text is HTML-escaped; the only markup in a snippet is ``<mark>…</mark>`` around words the query matched
(by the same analysis that matched them: diacritic-insensitive, stems, Han phrases, Khmer words, Cham bigrams).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import regex

from .analysis import fold, khmer_words, normalise, script_runs, stem, tokens_han
from .plan import Phrase, Plan, Prefix, Term

SNIPPET_CHARS = 240
MAX_PASSAGES = 10  # matching passages listed under a hit
CONTEXT_BEFORE = 60
_CLUSTER = regex.compile(r"\X")


@dataclass
class Terms:
    folded: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    han: set[tuple[str, ...]] = field(default_factory=set)
    khmer: set[str] = field(default_factory=set)
    cham: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, plan: Plan) -> Terms:
        terms = cls()
        for leaf, _ in plan.scoring:
            if not isinstance(leaf, (Term, Phrase, Prefix)):
                continue
            stream = leaf.field.split("_", 1)[1]
            if isinstance(leaf, Prefix):
                terms.prefixes.add(leaf.prefix)
            elif stream == "han":
                terms.han.add(leaf.tokens if isinstance(leaf, Phrase) else (leaf.token,))
            else:
                tokens = leaf.tokens if isinstance(leaf, Phrase) else (leaf.token,)
                target = {"folded": terms.folded, "stem": terms.stems, "khmer": terms.khmer, "cham": terms.cham}
                target.get(stream, set()).update(tokens)
        return terms

    def __bool__(self) -> bool:
        return any((self.folded, self.stems, self.prefixes, self.han, self.khmer, self.cham))


def _offsets(text: str) -> tuple[str, list[int] | None]:
    """The normalised text and, when normalising changed its length, the original offset of each character."""
    normalised = normalise(text)
    if len(normalised) == len(text):
        return normalised, None
    chars, origin = [], []
    for i, char in enumerate(text):
        for c in normalise(char):
            chars.append(c)
            origin.append(i)
    return "".join(chars), origin


def _word_matches(word: str, terms: Terms) -> bool:
    bare = fold(word)
    return bare in terms.folded or (bool(terms.stems) and stem(bare) in terms.stems) or any(
        bare.startswith(p) for p in terms.prefixes)


def spans(text: str, terms: Terms) -> list[tuple[int, int]]:
    """Sorted, merged ``(start, end)`` ranges of ``text`` that the query terms match."""
    normalised, origin = _offsets(text)
    found: list[tuple[int, int]] = []
    han: list[tuple[int, int, str]] = []
    for kind, start, end in script_runs(normalised):
        run = normalised[start:end]
        if kind == "word":
            if _word_matches(run, terms):
                found.append((start, end))
        elif kind == "han":
            han.append((start, end, "".join(tokens_han(run)) or run))
        elif kind == "khmer" and terms.khmer:
            at = start
            for word in khmer_words(run):
                at = normalised.find(word, at, end)
                if at < 0:
                    break
                if word in terms.khmer:
                    found.append((at, at + len(word)))
                at += len(word)
        elif kind == "cham" and terms.cham:
            clusters = [(m.start() + start, m.end() + start) for m in _CLUSTER.finditer(run)]
            if len(clusters) == 1 and run in terms.cham:
                found.append((start, end))
            for (a, _), (_, b) in zip(clusters, clusters[1:]):
                if normalised[a:b] in terms.cham:
                    found.append((a, b))
    chars = [c for _, _, c in han]
    for phrase in terms.han:
        for i in range(len(chars) - len(phrase) + 1):
            if tuple(chars[i:i + len(phrase)]) == phrase:
                found.extend((s, e) for s, e, _ in han[i:i + len(phrase)])
    if origin is not None:
        found = [(origin[s], origin[e - 1] + 1) for s, e in found]
    merged: list[list[int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def render(text: str, marks: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` HTML-escaped, with ``<mark>`` around the marked ranges."""
    end = len(text) if end is None else end
    out, at = [], start
    for s, e in marks:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [html.escape(text[at:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        at = e
    out.append(html.escape(text[at:end]))
    return "".join(out)


def snippet(text: str, terms: Terms, limit: int = SNIPPET_CHARS) -> str:
    """A window of at most ``limit`` characters of ``text`` around its first match, highlighted."""
    marks = spans(text, terms) if terms else []
    if len(text) <= limit:
        return render(text, marks)
    start = max(0, marks[0][0] - CONTEXT_BEFORE) if marks else 0
    if start:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space > start - 20 else start
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > end - 20 else end
    return ("…" if start else "") + render(text, marks, start, end) + ("…" if end < len(text) else "")


def highlight(display: dict, terms: Terms, lang: str) -> dict:
    """Title and description snippets in the display language (else the other of vi/en), and ``titles``: the
    item's titles in other languages that the query matched, by language tag."""
    result: dict = {}
    shown = {}
    for key in ("title", "description"):
        values = display.get(key) or {}
        tag = lang if values.get(lang) else "en" if lang == "vi" else "vi"
        if values.get(tag):
            shown[key] = tag
            result[key] = snippet(values[tag], terms, limit=10**6 if key == "title" else SNIPPET_CHARS)
    others = {tag: render(text, marks) for tag, text in (display.get("title") or {}).items()
              if tag != shown.get("title") and terms and (marks := spans(text, terms))}
    if others:
        result["titles"] = others
    return result


def _locator(locator: dict, marks: list[tuple[int, int]]) -> dict:
    """A passage's locator as a hit shows it: a line of text found in an image (its ``words``: [start, end, x, y,
    w, h] each, their place in the text and their box) is located by the box of the words the query matched."""
    if "words" not in locator:
        return locator
    shown = {k: v for k, v in locator.items() if k != "words"}
    touched = [w for w in locator["words"] if any(start < w[1] and w[0] < end for start, end in marks)]
    if touched:
        x, y = min(w[2] for w in touched), min(w[3] for w in touched)
        right, bottom = max(w[2] + w[4] for w in touched), max(w[3] + w[5] for w in touched)
        shown["xywh"] = f"{x},{y},{right - x},{bottom - y}"
    return shown


def passages(display: dict, terms: Terms, lang: str) -> list[dict]:
    """The item's passages (transcript cues, lines of text found in images, …) that the query matched, highlighted,
    those in the display language first, each kind then in its stored order (a transcript's cues by time, an
    image's lines in reading order); at most MAX_PASSAGES."""
    if not terms:
        return []
    found = [{"kind": p["kind"], "lang": p["lang"], "locator": _locator(p["locator"], marks),
              "text": snippet(p["text"], terms)}
             for p in display.get("passages", ()) if (marks := spans(p["text"], terms))]
    found.sort(key=lambda p: (p["lang"] or "").split("-")[0].lower() != lang)
    return found[:MAX_PASSAGES]

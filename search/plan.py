"""A request compiled into what both backends execute the same way: a match tree, weighted scoring leaves, sort.

Scoring is deliberately simple so both backends compute it identically: a hit's score is the sum of the integer
weights of the scoring leaves it matches (Elasticsearch: ``constant_score`` clauses in a ``bool.should``), ties
broken by item id. A word found with the query's own diacritics scores above the same word found only without
them (``mả`` ranks mả above ma, má, mà); a match in a title counts twice (once in ``all``, once in ``title``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from archive.access import Scope
from archive.labels import ITEM_TYPES
from archive.vocabularies import Vocabularies

from . import query as q
from .analysis import analyze, analyze_query
from .documents import text_field
from .labels import VOCABULARY_OF
from .request import SearchRequest

WEIGHTS = {"exact": 3, "folded": 2, "stem": 1, "han": 2, "khmer": 2, "cham": 1}
PREFIX_WEIGHT = 1
KEYWORD_WEIGHT = 2
MIN_PREFIX = 2


@dataclass(frozen=True)
class Term:
    field: str
    token: str


@dataclass(frozen=True)
class Phrase:
    field: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    field: str
    prefix: str


@dataclass(frozen=True)
class Keyword:
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Overlap:
    """Items whose date range [date_start, date_end] (yyyymmdd) overlaps [start, end]."""

    start: int
    end: int


@dataclass(frozen=True)
class Unembargoed:
    """Items with no embargo, or whose embargo (yyyymmdd, inclusive) ended before ``day``."""

    day: int


@dataclass(frozen=True)
class Every:
    pass


@dataclass(frozen=True)
class Nothing:
    pass


@dataclass(frozen=True)
class AllOf:
    children: tuple


@dataclass(frozen=True)
class AnyOf:
    children: tuple


@dataclass(frozen=True)
class Without:
    child: object


Leaf = Term | Phrase | Prefix | Keyword | Overlap
Match = Leaf | Unembargoed | Every | Nothing | AllOf | AnyOf | Without


@dataclass(frozen=True)
class Plan:
    match: Match
    scoring: tuple[tuple[Leaf, int], ...]
    sort: str
    offset: int
    limit: int
    lang: str


def compile_request(request: SearchRequest, vocab: Vocabularies, tree: q.Node | None | str = "parse") -> Plan:
    """The plan of ``request`` (``tree`` replaces its parsed query, for corrected queries)."""
    if tree == "parse":
        tree = q.parse(request.q)
    scoring: list[tuple[Leaf, int]] = []
    parts = [_node(tree, vocab, scoring)] if tree is not None else []
    for facet, values in sorted(request.filters.items()):
        parts.append(Keyword(facet, tuple(values)))
    if request.date_from or request.date_to:
        parts.append(Overlap(_day(request.date_from or "0001-01-01"), _day(request.date_to or "9999-12-31")))
    parts += visibility(request.scope)
    if request.exclude:
        parts.append(Without(Keyword("id", tuple(request.exclude))))
    return Plan(_all_of(parts), tuple(scoring), request.sort, request.offset, request.per_page, request.lang)


def visibility(scope: Scope) -> list[Keyword | Unembargoed]:
    """archive.access's rule for the viewer as index filters; the embargo date is compared with the scope's day, so
    an embargo ends in search on its own, as it does on every other door."""
    parts: list[Keyword | Unembargoed] = []
    if scope.levels is not None:
        parts.append(Keyword("access", scope.levels))
    if scope.statuses is not None:
        parts.append(Keyword("status", scope.statuses))
    if scope.today is not None:
        parts.append(Unembargoed(_day(scope.today.isoformat())))
    return parts


def visible(match: Match, scope: Scope) -> Match:
    return _all_of([match, *visibility(scope)])


def _day(iso: str) -> int:
    year, month, day = iso.split("-")
    return int(year) * 10000 + int(month) * 100 + int(day)


def _all_of(parts: list) -> Match:
    parts = [c for p in parts for c in (p.children if isinstance(p, AllOf) else (p,)) if not isinstance(c, Every)]
    if any(isinstance(p, Nothing) for p in parts):
        return Nothing()
    if not parts:
        return Every()
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _node(node: q.Node, vocab: Vocabularies, scoring: list) -> Match:
    if isinstance(node, q.Text):
        return text_match(node, vocab, scoring)
    if isinstance(node, q.DateRange):
        return Overlap(_day(node.start), _day(node.end))
    if isinstance(node, q.Not):
        child = _node(node.child, vocab, [])  # excluded terms do not score
        return Nothing() if isinstance(child, Every) else Every() if isinstance(child, Nothing) else Without(child)
    children = [_node(c, vocab, scoring) for c in node.children]
    if isinstance(node, q.And):
        return _all_of(children)
    if any(isinstance(c, Every) for c in children):
        return Every()
    children = [c for c in children if not isinstance(c, Nothing)]
    if not children:
        return Nothing()
    return children[0] if len(children) == 1 else AnyOf(tuple(children))


def text_match(node: q.Text, vocab: Vocabularies, scoring: list) -> Match:
    """The match of one text term; its scoring leaves are appended to ``scoring``."""
    if node.field in q.TERM_FIELDS:
        leaf = _term_field(node, vocab)
        if isinstance(leaf, Keyword):
            scoring.append((leaf, KEYWORD_WEIGHT))
        return leaf
    group = node.field or "all"

    def score(leaf: Term | Phrase | Prefix, weight: int) -> None:
        scoring.append((leaf, weight))
        if group == "all":  # a title match counts twice
            scoring.append((replace(leaf, field=text_field("title", leaf.field.split("_", 1)[1])), weight))

    def field(stream: str) -> str:
        return text_field(group, stream)

    streams = analyze_query(node.text)
    units: list[Match] = []
    exact, folded, stems = streams["exact"], streams["folded"], streams["stem"]
    if node.phrase and len(folded) > 1:
        phrase = Phrase(field("folded"), tuple(folded))
        units.append(phrase)
        score(phrase, WEIGHTS["folded"])
        for word, bare in zip(exact, folded):
            if word != bare:
                score(Term(field("exact"), word), WEIGHTS["exact"])
    else:
        for i, (word, bare, stem) in enumerate(zip(exact, folded, stems)):
            if node.prefix and i == len(folded) - 1 and len(bare) >= MIN_PREFIX:
                prefix = Prefix(field("folded"), bare)
                units.append(prefix)
                score(prefix, PREFIX_WEIGHT)
                continue
            by_form, by_stem = Term(field("folded"), bare), Term(field("stem"), stem)
            units.append(AnyOf((by_form, by_stem)))
            score(by_form, WEIGHTS["folded"])
            score(by_stem, WEIGHTS["stem"])
            if word != bare:
                score(Term(field("exact"), word), WEIGHTS["exact"])
    if han := streams["han"]:
        leaf = Phrase(field("han"), tuple(han)) if len(han) > 1 else Term(field("han"), han[0])
        units.append(leaf)
        score(leaf, WEIGHTS["han"])
    for stream in ("khmer", "cham"):
        for token in dict.fromkeys(streams[stream]):
            leaf = Term(field(stream), token)
            units.append(leaf)
            score(leaf, WEIGHTS[stream])
    return _all_of(units)


def _term_field(node: q.Text, vocab: Vocabularies) -> Keyword | Nothing:
    """``community:``, ``festival:``, ``place:``, ``language:``, ``type:``: a term id or words of its labels."""
    value = node.text.strip()
    if node.field in ("collection", "id"):
        return Keyword(node.field, (value,))
    if node.field == "type":
        terms = {type_: {"label": label} for type_, label in ITEM_TYPES.items()}
    else:
        terms = {t["id"]: t for t in vocab.terms(VOCABULARY_OF[node.field])}
    wanted = analyze_query(value)
    ids = tuple(term_id for term_id, term in terms.items()
                if term_id == value.lower() or any(_contains(analyze(label, None), wanted)
                                                   for label in term["label"].values()))
    return Keyword(node.field, ids) if ids else Nothing()


def _contains(label: dict[str, list[str]], wanted: dict[str, list[str]]) -> bool:
    """Whether every token run of ``wanted`` occurs, in order and adjacent, in the label's tokens."""
    found = False
    for stream in ("folded", "han", "khmer", "cham"):
        needle, hay = wanted[stream], label[stream]
        if not needle:
            continue
        if not any(hay[i:i + len(needle)] == needle for i in range(len(hay) - len(needle) + 1)):
            return False
        found = True
    return found


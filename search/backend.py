"""The search interface (index, delete, rebuild, search, count, facets, suggest) shared by both backends.

Everything that decides *what* is found lives here and in plan.py, query.py, highlight.py and spelling.py; a
backend only stores documents and executes a Plan (match tree, weighted scoring leaves, sort, page, facet counts).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import ClassVar, Iterable

from archive.vocabularies import Vocabularies

from . import query as q
from .analysis import analyze_query
from .documents import IndexDocument
from .highlight import Terms, highlight, passages
from .labels import FacetLabels
from .plan import Plan, Term, compile_request, text_match, visible
from .request import MAX_WINDOW, SearchRequest
from .spelling import MIN_WORD, acceptable, best

FACET_SIZE = 100  # values per facet, most frequent first (then by value)


@dataclass
class Execution:
    """What a backend returns for a Plan: total, the page of hits (id, score, display record) and facet counts."""

    total: int
    hits: list[tuple[str, float, dict]] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass
class Hit:
    id: str
    score: float
    display: dict
    highlight: dict
    passages: list[dict] = field(default_factory=list)  # the matching transcript cues (search.highlight.passages)

    def as_json(self) -> dict:
        keys = ("type", "title", "community", "festival", "place", "date", "languages", "collections", "media")
        return {"id": self.id, **{k: self.display.get(k) for k in keys}, "highlight": self.highlight,
                "passages": self.passages}


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    did_you_mean: str | None = None  # the corrected query, when the query as typed found nothing
    corrected: bool = False           # the hits are those of did_you_mean

    def as_json(self, labels: FacetLabels) -> dict:
        return {
            "total": self.total, "page": self.request.page, "per_page": self.request.per_page,
            "query": self.request.q, "did_you_mean": self.did_you_mean, "corrected": self.corrected,
            "hits": [hit.as_json() for hit in self.hits],
            "facets": {facet: [{"value": value, "count": count, "label": labels.label(facet, value)}
                               for value, count in values] for facet, values in self.facets.items()},
        }


class SearchBackend(ABC):
    name: ClassVar[str]

    def __init__(self, vocab: Vocabularies):
        self.vocab = vocab

    # -- what each backend implements ------------------------------------------------------------------------

    @abstractmethod
    def index(self, docs: Iterable[IndexDocument]) -> int:
        """Add or replace documents (by id); returns how many. Visible to searches when it returns."""

    @abstractmethod
    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents; unknown ids are ignored."""

    @classmethod
    def encode(cls, docs: list[IndexDocument], first: int) -> object:
        """Documents numbered from ``first`` in the form ``rebuild`` takes them. The analysis workers call it
        (archive.indexing), so a backend's own per-document work is spread over the cores too."""
        return docs

    @abstractmethod
    def rebuild(self, runs: Iterable) -> int:
        """Replace the whole index with the documents of ``runs`` (from ``encode``, in order); returns how many.
        Searches see the old index until the new one is complete."""

    @abstractmethod
    def execute(self, plan: Plan, *, hits: bool = True, facets: bool = True) -> Execution:
        """Run a plan: matches, total, the page of hits in the plan's order, facet counts over all matches."""

    @abstractmethod
    def spelling_candidates(self, word: str) -> set[str]:
        """Indexed folded words that may be ``word`` misspelt (at least those within two edits, same first
        letter); ``spelling.best`` makes the choice."""

    def close(self) -> None:
        """Release files and connections."""

    # -- the interface, the same for both --------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        tree = q.parse(request.q)
        plan = compile_request(request, self.vocab, tree)
        execution = self.execute(plan, facets=request.with_facets)
        did_you_mean, corrected = None, False
        if execution.total == 0 and tree is not None and (fixed := self._correct(tree, request)) is not None:
            fixed_plan = compile_request(request, self.vocab, fixed)
            fixed_execution = self.execute(fixed_plan, facets=request.with_facets)
            if fixed_execution.total:
                plan, execution, did_you_mean, corrected = fixed_plan, fixed_execution, str(fixed), True
        terms = Terms.of(plan)
        hits = [Hit(id_, score, display, highlight(display, terms, request.lang),
                    passages(display, terms, request.lang)) for id_, score, display in execution.hits]
        return SearchResult(request, execution.total, hits, execution.facets, did_you_mean, corrected)

    def count(self, request: SearchRequest) -> int:
        return self.execute(compile_request(request, self.vocab), hits=False, facets=False).total

    def matching_ids(self, request: SearchRequest, limit: int = MAX_WINDOW) -> list[str]:
        """Ids of the first ``limit`` matches, best first: for lists kept elsewhere (the staff item list) that
        filter by a query."""
        plan = replace(compile_request(request, self.vocab), offset=0, limit=limit)
        return [id_ for id_, _, _ in self.execute(plan, facets=False).hits]

    def facets(self, request: SearchRequest) -> dict[str, list[tuple[str, int]]]:
        return self.execute(compile_request(request, self.vocab), hits=False, facets=True).facets

    def suggest(self, request: SearchRequest) -> str | None:
        """"Did you mean": the query with its unknown words corrected, if that finds something; else None."""
        tree = q.parse(request.q)
        fixed = self._correct(tree, request) if tree is not None else None
        if fixed is None or not self.execute(compile_request(request, self.vocab, fixed), hits=False,
                                             facets=False).total:
            return None
        return str(fixed)

    def _correct(self, tree: q.Node, request: SearchRequest) -> q.Node | None:
        fixed = tree
        for word in q.words(tree):
            if word.phrase or word.prefix or word.field in q.TERM_FIELDS:
                continue
            streams = analyze_query(word.text)
            if len(streams["folded"]) != 1 or len(streams["folded"][0]) < MIN_WORD or any(
                    streams[s] for s in ("han", "khmer", "cham")):
                continue
            if self._visible_count(text_match(word, self.vocab, []), request):
                continue
            bare, group = streams["folded"][0], word.field or "all"
            counts = {candidate: self._visible_count(Term(f"{group}_folded", candidate), request)
                      for candidate in sorted(self.spelling_candidates(bare)) if acceptable(bare, candidate)}
            if choice := best(bare, counts):
                fixed = q.replace_text(fixed, word, q.Text(choice, word.field))
        return None if fixed is tree else fixed

    def _visible_count(self, match, request: SearchRequest) -> int:
        plan = Plan(visible(match, request.scope), (), "relevance", 0, 0, request.lang)
        return self.execute(plan, hits=False, facets=False).total

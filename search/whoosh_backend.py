"""The embedded backend (the default): a Whoosh index in the data directory, queried with NumPy.

Whoosh stores the index: segments, postings (document numbers only, plus a positional twin of each ``folded``
field for phrases; ``han`` fields, rarer and always phrase-matched, have positions themselves), one packed column
per document (keywords, dates, sort keys) and the stored display record. Queries bypass Whoosh's scorer and collectors, which score every match one by one in Python: a Plan is
evaluated into boolean masks over document numbers, posting lists are decoded a block at a time into NumPy arrays
and cached per segment (segments never change), facets are counted with ``bincount`` over the matching documents,
and the requested page is picked with ``argpartition``. tests/bench/bench_search.py measures the result.
"""
from __future__ import annotations

import logging
import threading
from array import array
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np
from whoosh import fields, formats, index, writing
from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.columns import VarBytesColumn
from whoosh.index import LockError
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import Phrase as WhooshPhrase

from archive.vocabularies import Vocabularies

from .backend import FACET_SIZE, Execution, SearchBackend
from .documents import FACETS, KEYWORDS, MULTI_VALUED, PHRASE_STREAMS, SORT_KEYS, TEXT_FIELDS, IndexDocument
from .errors import SearchUnavailable
from .spelling import MAX_EDITS, PREFIX
from .plan import (AllOf, AnyOf, Every, Keyword, Match, Nothing, Overlap, Phrase, Plan, Prefix, Term, Unembargoed,
                   Without)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4  # 2: the embargo date in the packed column; 3: the subject and transcript facets; 4: image_text
POSITION_GAP = 100  # between the values of a field, so no phrase spans two values (as in Elasticsearch)
WRITE_TIMEOUT = 60.0  # seconds to wait for another process's write lock
CACHE_BYTES = 128 * 1024**2  # decoded posting lists kept in memory
MISSING = -1  # date of an undated item
LAST = 10**9  # sort key of a missing value
_EMPTY = np.zeros(0, dtype=np.int32)
_FIELD_SEP, _VALUE_SEP = "\x1e", "\x1f"  # never in tokens or ids: analysis and ids strip control characters


class _Tokens(fields.FieldType):
    """Pre-analysed tokens (a list of values, each a list of tokens); document numbers only."""

    def __init__(self):
        super().__init__(formats.Existence(), IDTokenizer(), scorable=False)

    def index(self, value, **kwargs):
        return ((token.encode("utf-8"), 1, 1.0, b"") for token in {t for tokens in value for t in tokens})


class _PositionedTokens(fields.FieldType):
    """Pre-analysed tokens with their positions, for phrases; values are POSITION_GAP apart."""

    def __init__(self):
        super().__init__(formats.Positions(), IDTokenizer(), scorable=False)

    def index(self, value, **kwargs):
        for token, where in _positions(value).items():
            yield token.encode("utf-8"), len(where), float(len(where)), self.format.encode(where)


def _positions(value: list[list[str]]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = defaultdict(list)
    position = 0
    for tokens in value:
        for token in tokens:
            positions[token].append(position)
            position += 1
        position += POSITION_GAP
    return positions


_POSITIONS = formats.Positions()


@lru_cache(maxsize=None)
def _encoded(position: int) -> bytes:
    """The encoding of a token's one position in a value (most tokens occur once)."""
    return _POSITIONS.encode([position])


def _stream(name: str) -> str:
    return name.rsplit("_", 1)[1]


def _positional(name: str) -> str:
    """The field holding the positions of a text field, for phrases."""
    return name if _stream(name) == "han" else f"{name}_pos"


def schema() -> fields.Schema:
    spec: dict[str, fields.FieldType] = {"id": fields.ID(unique=True, stored=True), "display": fields.STORED(),
                                         "row": fields.COLUMN(VarBytesColumn())}
    for name in TEXT_FIELDS:
        spec[name] = _Tokens()
        if _stream(name) in PHRASE_STREAMS:
            spec[_positional(name)] = _PositionedTokens()  # for han, the field itself
    return fields.Schema(**spec)


def _row(doc: IndexDocument) -> bytes:
    """The packed per-document column: id, keywords, dates, sort keys and the embargo date."""
    parts = [doc.id, *(_VALUE_SEP.join(doc.keywords.get(k, [])) for k in KEYWORDS),
             "" if doc.date_start is None else str(doc.date_start), "" if doc.date_end is None else str(doc.date_end),
             *(doc.sort.get(k, "") for k in SORT_KEYS), "" if doc.embargo_until is None else str(doc.embargo_until)]
    return _FIELD_SEP.join(parts).encode("utf-8")


def _whoosh_fields(doc: IndexDocument) -> dict:
    values = {"id": doc.id, "display": doc.display, "row": _row(doc)}
    for name, tokens in doc.text.items():
        values[name] = tokens
        if _stream(name) in PHRASE_STREAMS:
            values[_positional(name)] = tokens
    return values


@dataclass
class _Postings:
    """Text postings gathered by field and term, in document order (so each term's list is sorted already), and
    written a block at a time into Whoosh's W3 posting format.

    Whoosh's own path sends every posting through its pool (pickled into sorted runs on disk and merged back) and
    then through several Python calls each, and reads each document's field length back from disk per posting:
    most of a rebuild's time. Here the analysis workers gather the postings of their documents (``of``), the
    writer joins them term by term (``extend``) and writes each block in one go; all stay in memory (100,000
    items: 23 million postings, a peak of 1.1 GB for the whole reindex). The block writing uses the W3 writer's
    buffers (Whoosh 2.7 is pinned and frozen; ``_decode`` reads the same blocks); a test checks that a rebuild
    writes exactly the index Whoosh writes itself."""

    docnums: dict[str, dict[str, array]] = field(default_factory=dict)
    positions: dict[str, dict[str, tuple[list[bytes], array]]] = field(default_factory=dict)  # (encoded, weights)

    @classmethod
    def of(cls, docs: list[IndexDocument], first: int) -> _Postings:
        """The postings of documents numbered from ``first``."""
        postings = cls()
        for docnum, doc in enumerate(docs, start=first):
            for name, value in doc.text.items():
                positional = _positional(name) if _stream(name) in PHRASE_STREAMS else None
                if positional != name:  # a han field holds its positions itself
                    terms = postings.docnums.setdefault(name, {})
                    for token in {t for tokens in value for t in tokens}:
                        if token in terms:
                            terms[token].append(docnum)
                        else:
                            terms[token] = array("I", (docnum,))
                if positional:
                    terms = postings.docnums.setdefault(positional, {})
                    positions = postings.positions.setdefault(positional, {})
                    for token, where in _positions(value).items():
                        encoded = _encoded(where[0]) if len(where) == 1 else _POSITIONS.encode(where)
                        if token in terms:
                            terms[token].append(docnum)
                            positions[token][0].append(encoded)
                            positions[token][1].append(len(where))
                        else:
                            terms[token] = array("I", (docnum,))
                            positions[token] = ([encoded], array("f", (len(where),)))
        return postings

    def extend(self, more: _Postings) -> None:
        """Add the postings of documents numbered after these."""
        for name, terms in more.docnums.items():
            mine = self.docnums.setdefault(name, {})
            positions = more.positions.get(name)
            my_positions = None if positions is None else self.positions.setdefault(name, {})
            for token, docnums in terms.items():
                if token not in mine:
                    mine[token] = docnums
                    if positions is not None:
                        my_positions[token] = positions[token]
                    continue
                mine[token].extend(docnums)
                if positions is not None:
                    my_positions[token][0].extend(positions[token][0])
                    my_positions[token][1].extend(positions[token][1])

    def write(self, fieldwriter, schema: fields.Schema) -> None:
        """Every field's terms, in order, through ``fieldwriter`` (a W3FieldWriter)."""
        for name in sorted(self.docnums):
            fieldwriter.start_field(name, schema[name])
            blocks = fieldwriter._postwriter
            limit = blocks._blocklimit
            terms, positions = self.docnums[name], self.positions.get(name)
            for token in sorted(terms):
                docnums = terms[token]
                fieldwriter.start_term(token.encode("utf-8"))
                for start in range(0, len(docnums), limit):
                    if start:
                        blocks._write_block()
                    end = start + limit
                    blocks._ids = docnums[start:end]
                    if positions is None:
                        blocks._weights = array("f", [1.0]) * len(blocks._ids)
                    else:
                        encoded, weights = positions[token]
                        blocks._values, blocks._weights = encoded[start:end], weights[start:end]
                    blocks._maxweight = max(blocks._weights)
                fieldwriter.finish_term()  # writes the last block
            fieldwriter.finish_field()


class _Run(NamedTuple):
    """Documents numbered from ``first``, encoded for a rebuild: their postings and per-document fields."""
    first: int
    postings: _Postings
    stored: list[tuple[str, dict, bytes]]  # id, display, row


class _RebuildWriter(writing.SegmentWriter):
    """A segment writer whose text fields come from a _Postings (the id, stored and column fields go through
    Whoosh as usual)."""

    def __init__(self, ix, postings: _Postings, **kwargs):
        super().__init__(ix, **kwargs)
        self.postings = postings

    def _flush_segment(self):
        self.perdocwriter.close()
        self.fieldwriter.add_postings(self.schema, None, self.pool.iter_postings())  # the id field
        self.postings.write(self.fieldwriter, self.schema)
        self.fieldwriter.close()


class _Codes:
    """Small integer codes for keyword values, shared by all segments (grow-only)."""

    def __init__(self):
        self.codes: dict[str, dict[str, int]] = defaultdict(dict)
        self.values: dict[str, list[str]] = defaultdict(list)

    def code(self, field: str, value: str) -> int:
        codes = self.codes[field]
        if value not in codes:
            codes[value] = len(self.values[field])
            self.values[field].append(value)
        return codes[value]


class _Segment:
    """The packed column of one segment, decoded into arrays by document number within the segment."""

    def __init__(self, reader, codes: _Codes):
        rows = [raw.decode("utf-8").split(_FIELD_SEP) for raw in reader.column_reader("row", translate=False)]
        self.ids = [row[0] for row in rows]
        self.keywords: dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]] = {}
        for i, field in enumerate(KEYWORDS, start=1):
            if field in MULTI_VALUED:
                pairs = [(doc, codes.code(field, v)) for doc, row in enumerate(rows) if row[i]
                         for v in row[i].split(_VALUE_SEP)]
                docs, values = zip(*pairs) if pairs else ((), ())
                self.keywords[field] = (np.array(docs, dtype=np.int32), np.array(values, dtype=np.int32))
            else:
                self.keywords[field] = np.array([codes.code(field, row[i]) if row[i] else -1 for row in rows],
                                                dtype=np.int32)
        first = len(KEYWORDS) + 1
        self.date_start = np.array([int(row[first]) if row[first] else MISSING for row in rows], dtype=np.int64)
        self.date_end = np.array([int(row[first + 1]) if row[first + 1] else MISSING for row in rows], dtype=np.int64)
        self.sort = {key: [row[first + 2 + j] for row in rows] for j, key in enumerate(SORT_KEYS)}
        embargo = first + 2 + len(SORT_KEYS)
        self.embargo_until = np.array([int(row[embargo]) if row[embargo] else MISSING for row in rows], dtype=np.int64)


class _Part(NamedTuple):
    searcher: object  # Whoosh searcher of one segment
    reader: object    # its SegmentReader
    offset: int
    segment: _Segment


class _View:
    """One searcher's segments laid end to end: global document number = segment offset + local number."""

    def __init__(self, searcher, parts: list[_Part]):
        self.searcher = searcher
        self.parts = parts
        self.n = sum(part.reader.doc_count_all() for part in parts)
        self.live = np.ones(self.n, dtype=bool)
        for part in parts:
            if part.reader.has_deletions():
                self.live[part.offset + np.fromiter(part.reader.deleted_docs_set, dtype=np.int64)] = False
        self.keywords: dict = {}
        for field in KEYWORDS:
            if field in MULTI_VALUED:
                self.keywords[field] = (
                    np.concatenate([p.segment.keywords[field][0] + p.offset for p in parts] or [_EMPTY]),
                    np.concatenate([p.segment.keywords[field][1] for p in parts] or [_EMPTY]))
            else:
                self.keywords[field] = np.concatenate([p.segment.keywords[field] for p in parts] or [_EMPTY])
        self.date_start = np.concatenate([p.segment.date_start for p in parts] or [_EMPTY])
        self.date_end = np.concatenate([p.segment.date_end for p in parts] or [_EMPTY])
        self.embargo_until = np.concatenate([p.segment.embargo_until for p in parts] or [_EMPTY])

    @cached_property
    def ids(self) -> list[str]:
        return [id_ for part in self.parts for id_ in part.segment.ids]

    @cached_property
    def id_rank(self) -> np.ndarray:
        """Each document's position in id order: the tie-break of every sort (as in Elasticsearch)."""
        rank = np.empty(self.n, dtype=np.int64)
        rank[np.argsort(np.array(self.ids, dtype=str), kind="stable")] = np.arange(self.n)
        return rank

    def sort_rank(self, key: str) -> np.ndarray:
        """Dense rank of a sort key (equal keys, equal rank); a missing key sorts last."""
        cache = self.__dict__.setdefault("_sort_ranks", {})
        if key not in cache:
            values = np.array([v for part in self.parts for v in part.segment.sort[key]], dtype=str)
            unique, rank = np.unique(values, return_inverse=True)
            rank = rank.astype(np.int64)
            if len(unique) and unique[0] == "":
                rank = np.where(rank == 0, LAST, rank)
            cache[key] = rank
        return cache[key]


class WhooshBackend(SearchBackend):
    name = "whoosh"

    def __init__(self, path: Path, vocab: Vocabularies):
        super().__init__(vocab)
        self.path = Path(path)
        self._lock = threading.RLock()  # one query at a time: Whoosh readers share file handles
        self._ix = None
        self._searcher = None
        self._view_key: tuple | None = None
        self._view: _View | None = None
        self._segments: dict[str, _Segment] = {}
        self._codes = _Codes()
        self._postings: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._cached_bytes = 0

    @classmethod
    def in_data_dir(cls, data_path: Path, vocab: Vocabularies) -> WhooshBackend:
        return cls(data_path / "search" / f"whoosh-v{SCHEMA_VERSION}", vocab)

    # -- writing ---------------------------------------------------------------------------------------------

    def _index(self):
        if self._ix is None:
            try:
                if index.exists_in(self.path):
                    self._ix = index.open_dir(self.path)
                else:
                    self.path.mkdir(parents=True, exist_ok=True)
                    self._ix = index.create_in(self.path, schema())
            except OSError as exc:
                raise self._unavailable(f"cannot open the index: {exc}") from exc
        return self._ix

    def _unavailable(self, reason: str) -> SearchUnavailable:
        log.error("search unavailable: Whoosh index at %s: %s", self.path, reason)
        return SearchUnavailable(f"the search index at {self.path} is unavailable: {reason}")

    def _writer(self, kind=writing.SegmentWriter, **options):
        try:
            return kind(self._index(), timeout=WRITE_TIMEOUT, **options)
        except LockError:
            raise self._unavailable(f"another process held the write lock for {WRITE_TIMEOUT:.0f}s") from None

    def index(self, docs: Iterable[IndexDocument]) -> int:
        with self._lock:
            writer = self._writer()
            count = 0
            try:
                for doc in docs:
                    writer.update_document(**_whoosh_fields(doc))
                    count += 1
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            return count

    def delete(self, ids: Iterable[str]) -> None:
        with self._lock:
            writer = self._writer()
            for id_ in ids:
                writer.delete_by_term("id", id_)
            writer.commit()

    @classmethod
    def encode(cls, docs: list[IndexDocument], first: int) -> _Run:
        return _Run(first, _Postings.of(docs, first), [(doc.id, doc.display, _row(doc)) for doc in docs])

    def rebuild(self, runs: Iterable[_Run]) -> int:
        with self._lock:
            postings = _Postings()
            writer = self._writer(_RebuildWriter, postings=postings)  # one segment
            try:
                for run in runs:
                    if run.first != writer.docnum:
                        raise ValueError(f"runs out of order: documents from {run.first}, {writer.docnum} expected")
                    postings.extend(run.postings)
                    for id_, display, row in run.stored:
                        writer.add_document(id=id_, display=display, row=row)
            except BaseException:
                writer.cancel()
                raise
            count = writer.docnum
            writer.commit(mergetype=writing.CLEAR)  # the new segment replaces every old one, atomically
            return count

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = self._view = self._view_key = None

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())

    # -- reading ---------------------------------------------------------------------------------------------

    def _current_view(self) -> _View:
        if self._searcher is not None and not self._searcher.up_to_date():
            # Not Searcher.refresh(): it can keep a segment reader that misses the segment's new deletions.
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self._index().searcher()
        searcher = self._searcher
        leaves = [] if searcher.doc_count_all() == 0 else searcher.leaf_searchers()
        key = tuple((s.reader().segment().segment_id(), len(s.reader().deleted_docs_set)) for s, _ in leaves)
        if key != self._view_key:
            segments = {}
            for leaf, _ in leaves:
                segid = leaf.reader().segment().segment_id()
                segments[segid] = self._segments.get(segid) or _Segment(leaf.reader(), self._codes)
            self._segments = segments
            parts = [_Part(leaf, leaf.reader(), offset, segments[leaf.reader().segment().segment_id()])
                     for leaf, offset in leaves]
            self._view, self._view_key = _View(searcher, parts), key
        return self._view

    def _segment_postings(self, reader, field: str, token: str) -> np.ndarray:
        """Document numbers (within the segment, deleted ones included) of a term, decoded block by block."""
        key = (reader.segment().segment_id(), field, token)
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        ids = _decode(reader, field, token)
        self._postings[key] = ids
        self._cached_bytes += ids.nbytes
        while self._cached_bytes > CACHE_BYTES:
            _, dropped = self._postings.popitem(last=False)
            self._cached_bytes -= dropped.nbytes
        return ids

    def execute(self, plan: Plan, *, hits: bool = True, facets: bool = True) -> Execution:
        with self._lock:
            view = self._current_view()
            if view.n == 0:
                return Execution(0)
            evaluation = _Evaluation(self, view)
            matched = evaluation.mask(plan.match) & view.live
            docs = np.flatnonzero(matched)
            result = Execution(len(docs))
            if facets:
                result.facets = self._facets(view, matched)
            if hits and plan.limit and len(docs):
                result.hits = self._page(view, evaluation, plan, docs)
            return result

    def _page(self, view: _View, evaluation: _Evaluation, plan: Plan, docs: np.ndarray) -> list:
        scores = np.zeros(view.n, dtype=np.int64)
        for leaf, weight in plan.scoring:
            scores += evaluation.mask(leaf) * weight
        if plan.sort == "relevance":
            primary = -scores[docs]
        elif plan.sort in ("date", "-date"):
            starts = view.date_start[docs]
            primary = np.where(starts == MISSING, LAST, starts if plan.sort == "date" else -starts)
        else:
            primary = view.sort_rank(f"title_sort_{plan.lang}")[docs]
        key = primary * (view.n + 1) + view.id_rank[docs]
        wanted = min(plan.offset + plan.limit, len(docs))
        top = np.argpartition(key, wanted - 1)[:wanted] if wanted < len(docs) else np.arange(len(docs))
        chosen = docs[top[np.argsort(key[top], kind="stable")]][plan.offset:]
        return [(view.ids[doc], float(scores[doc]), view.searcher.stored_fields(int(doc))["display"])
                for doc in chosen]

    def _facets(self, view: _View, matched: np.ndarray) -> dict[str, list[tuple[str, int]]]:
        result = {}
        for facet in FACETS:
            column = view.keywords[facet]
            if facet in MULTI_VALUED:
                docs, values = column
                values = values[matched[docs]]
            else:
                values = column[matched]
                values = values[values >= 0]
            counts = np.bincount(values)
            present = np.flatnonzero(counts)
            names = self._codes.values[facet]
            ranked = sorted(((names[c], int(counts[c])) for c in present), key=lambda vc: (-vc[1], vc[0]))
            result[facet] = ranked[:FACET_SIZE]
        return result

    def spelling_candidates(self, word: str) -> set[str]:
        with self._lock:
            view = self._current_view()
            return {_text(term) for part in view.parts
                    for term in part.reader.terms_within("all_folded", word, MAX_EDITS, prefix=PREFIX)}


def _decode(reader, field: str, token: str) -> np.ndarray:
    """A term's document numbers in one segment.

    Reads Whoosh 2.7's W3 posting blocks directly (delta-encoded ids, first one absolute per block) instead of
    iterating the matcher one posting at a time, which is ten times slower.
    """
    if (field, token) not in reader:
        return _EMPTY
    matcher = reader.postings(field, token)
    if isinstance(matcher, FilterMatcher):  # deleted documents are masked out by the view instead
        matcher = matcher.child
        matcher.reset()  # the filter may have moved it past deleted documents
    if not isinstance(matcher, W3LeafMatcher):  # short posting lists are inlined in the term dictionary
        return np.fromiter(matcher.all_ids(), dtype=np.int32)
    deltas: list[int] = []
    starts: list[int] = []
    previous_max: list[int] = []
    last = 0
    while matcher.is_active():
        matcher._read_data()
        starts.append(len(deltas))
        previous_max.append(last)
        deltas.extend(matcher._data[0])
        last = matcher._maxid
        matcher._next_block()
    if not deltas:
        return _EMPTY
    diffs = np.array(deltas, dtype=np.int64)
    diffs[starts] -= np.array(previous_max, dtype=np.int64)
    return np.cumsum(diffs).astype(np.int32)


class _Evaluation:
    """Masks of a plan's nodes over one view, each computed once per query."""

    def __init__(self, backend: WhooshBackend, view: _View):
        self.backend = backend
        self.view = view
        self.memo: dict = {}

    def mask(self, node: Match) -> np.ndarray:
        if node not in self.memo:
            self.memo[node] = self._compute(node)
        return self.memo[node]

    def _empty(self) -> np.ndarray:
        return np.zeros(self.view.n, dtype=bool)

    def _compute(self, node: Match) -> np.ndarray:
        view = self.view
        if isinstance(node, Every):
            return np.ones(view.n, dtype=bool)
        if isinstance(node, Nothing):
            return self._empty()
        if isinstance(node, AllOf):
            return np.logical_and.reduce([self.mask(c) for c in node.children])
        if isinstance(node, AnyOf):
            return np.logical_or.reduce([self.mask(c) for c in node.children])
        if isinstance(node, Without):
            return ~self.mask(node.child)
        if isinstance(node, Overlap):
            return (view.date_start != MISSING) & (view.date_start <= node.end) & (view.date_end >= node.start)
        if isinstance(node, Unembargoed):
            return view.embargo_until < node.day  # MISSING (-1) is below every day
        if isinstance(node, Keyword):
            return self._keyword(node)
        mask = self._empty()
        for part in view.parts:
            mask[self._ids(part, node) + part.offset] = True
        return mask

    def _keyword(self, node: Keyword) -> np.ndarray:
        if node.field == "id":  # rare (an exclusion): a scan of the ids
            return np.isin(np.asarray(self.view.ids, dtype=object), list(node.values))
        known = self.backend._codes.codes[node.field]
        wanted = [known[v] for v in node.values if v in known]
        column = self.view.keywords[node.field]
        if node.field not in MULTI_VALUED:
            return np.isin(column, wanted)
        docs, values = column
        mask = self._empty()
        mask[docs[np.isin(values, wanted)]] = True
        return mask

    def _ids(self, part: _Part, node: Term | Phrase | Prefix) -> np.ndarray:
        postings = self.backend._segment_postings
        if isinstance(node, Term):
            return postings(part.reader, node.field, node.token)
        if isinstance(node, Prefix):
            terms = [_text(t) for t in part.reader.expand_prefix(node.field, node.prefix)]
            return np.unique(np.concatenate([_EMPTY, *(postings(part.reader, node.field, t) for t in terms)]))
        query = WhooshPhrase(_positional(node.field), list(node.tokens))
        return np.fromiter(query.docs(part.searcher), dtype=np.int32)


def _text(term: str | bytes) -> str:
    return term if isinstance(term, str) else term.decode("utf-8")

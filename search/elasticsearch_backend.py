"""The scale-out backend: an Elasticsearch index behind an alias, with the official client.

Text arrives analysed by search.analysis, so the mapping needs nothing beyond what every distribution has: ``text``
fields with the ``standard`` analyzer (which leaves our tokens unchanged) and ``keyword``/``integer`` fields. Norms
and frequencies are off: a hit's score is the sum of the ``constant_score`` clauses it matches (see plan.py).
``rebuild`` fills a new index and then moves the alias, so searches never see a half-built index.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Iterable

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from archive.vocabularies import Vocabularies

from .backend import FACET_SIZE, Execution, SearchBackend
from .documents import FACETS, KEYWORDS, PHRASE_STREAMS, SORT_KEYS, TEXT_FIELDS, IndexDocument
from .errors import SearchUnavailable
from .plan import (AllOf, AnyOf, Every, Keyword, Match, Nothing, Overlap, Phrase, Plan, Prefix, Term, Unembargoed,
                   Without)
from .spelling import MAX_EDITS, MIN_SIMILARITY, MIN_WORD, PREFIX

log = logging.getLogger(__name__)

DEFAULT_INDEX = "heritage-items"
REQUEST_TIMEOUT = 10.0
BULK_CHUNK = 500
SPELLING_CANDIDATES = 50


def mapping() -> dict:
    properties: dict = {"id": {"type": "keyword"}, "display": {"type": "object", "enabled": False},
                        "date_start": {"type": "integer"}, "date_end": {"type": "integer"},
                        "embargo_until": {"type": "integer"}}
    for name in TEXT_FIELDS:
        positions = name.rsplit("_", 1)[1] in PHRASE_STREAMS
        properties[name] = {"type": "text", "analyzer": "standard", "norms": False,
                            "index_options": "positions" if positions else "docs"}
    for name in (*KEYWORDS, *SORT_KEYS):
        properties[name] = {"type": "keyword"}
    return {"dynamic": "strict", "_source": {"excludes": list(TEXT_FIELDS)}, "properties": properties}


SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}  # one shard: exact facet counts and frequencies
# While a new index is filled (nothing searches it yet): no refreshes, and the translog synced in the background
# instead of at every bulk request; both are set back before the alias moves to it.
BUILDING = {"refresh_interval": "-1", "translog.durability": "async"}
SERVING = {"refresh_interval": None, "translog.durability": "request"}


def _source(doc: IndexDocument) -> dict:
    body = {"id": doc.id, "display": doc.display, **doc.keywords, **{k: v for k, v in doc.sort.items() if v}}
    body.update({name: [" ".join(tokens) for tokens in values] for name, values in doc.text.items()})
    if doc.date_start is not None:
        body["date_start"], body["date_end"] = doc.date_start, doc.date_end
    if doc.embargo_until is not None:
        body["embargo_until"] = doc.embargo_until
    return body


def query_dsl(node: Match) -> dict:
    if isinstance(node, Term):
        return {"term": {node.field: node.token}}
    if isinstance(node, Phrase):
        return {"match_phrase": {node.field: " ".join(node.tokens)}}
    if isinstance(node, Prefix):
        return {"prefix": {node.field: node.prefix}}
    if isinstance(node, Keyword):
        return {"terms": {node.field: list(node.values)}}
    if isinstance(node, Overlap):
        return {"bool": {"filter": [{"range": {"date_start": {"lte": node.end}}},
                                    {"range": {"date_end": {"gte": node.start}}}]}}
    if isinstance(node, Unembargoed):
        return {"bool": {"should": [{"bool": {"must_not": [{"exists": {"field": "embargo_until"}}]}},
                                    {"range": {"embargo_until": {"lt": node.day}}}], "minimum_should_match": 1}}
    if isinstance(node, Every):
        return {"match_all": {}}
    if isinstance(node, Nothing):
        return {"match_none": {}}
    if isinstance(node, AllOf):
        return {"bool": {"filter": [query_dsl(c) for c in node.children]}}
    if isinstance(node, AnyOf):
        return {"bool": {"should": [query_dsl(c) for c in node.children], "minimum_should_match": 1}}
    if isinstance(node, Without):
        return {"bool": {"must_not": [query_dsl(node.child)]}}
    raise TypeError(f"not a plan node: {node!r}")


def _sort(plan: Plan) -> list:
    if plan.sort == "relevance":
        first = {"_score": {"order": "desc"}}
    elif plan.sort in ("date", "-date"):
        first = {"date_start": {"order": "asc" if plan.sort == "date" else "desc", "missing": "_last"}}
    else:
        first = {f"title_sort_{plan.lang}": {"order": "asc", "missing": "_last"}}
    return [first, {"id": {"order": "asc"}}]


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, vocab: Vocabularies, *, index: str = DEFAULT_INDEX,
                 request_timeout: float = REQUEST_TIMEOUT):
        super().__init__(vocab)
        self.url = url
        self.alias = index
        self.client = Elasticsearch(url, request_timeout=request_timeout, max_retries=1, retry_on_timeout=False)
        self._ready = False

    def _call(self, what: str, action: Callable, *args, **kwargs):
        """Run a client call; an unreachable or failing cluster becomes SearchUnavailable (and a log line)."""
        try:
            return action(*args, **kwargs)
        except TransportError as exc:
            reason = f"{type(exc).__name__}: {exc}"
        except ApiError as exc:
            if exc.status_code != 429 and exc.status_code < 500:
                raise
            reason = f"HTTP {exc.status_code}: {exc.message}"
        log.error("search unavailable: Elasticsearch at %s could not %s: %s", self.url, what, reason)
        raise SearchUnavailable(f"Elasticsearch at {self.url} could not {what}: {reason}")

    def _indices_behind_alias(self) -> list[str]:
        found = self._call("look up the index alias", self.client.options(ignore_status=404).indices.get_alias,
                           name=self.alias)
        return [] if found.meta.status == 404 else sorted(found.body)

    def _ensure(self) -> None:
        if self._ready:
            return
        if self._indices_behind_alias():
            # An index built by an earlier version lacks the fields added since (embargo_until); adding fields to a
            # mapping is allowed, and documents without them mean what they meant before (no embargo).
            self._call("add new fields to the mapping", self.client.indices.put_mapping, index=self.alias,
                       properties=mapping()["properties"])
        else:
            self._call("create the index", self.client.options(ignore_status=400).indices.create,
                       index=f"{self.alias}-0", settings=SETTINGS, mappings=mapping(), aliases={self.alias: {}})
        self._ready = True

    # -- writing ---------------------------------------------------------------------------------------------

    def _bulk(self, what: str, actions: Iterable[dict], **options) -> int:
        count, _ = self._call(what, helpers.bulk, self.client, actions, chunk_size=BULK_CHUNK, **options)
        return count

    def index(self, docs: Iterable[IndexDocument]) -> int:
        self._ensure()
        actions = ({"_index": self.alias, "_id": doc.id, "_source": _source(doc)} for doc in docs)
        return self._bulk("index documents", actions, refresh=True)

    def delete(self, ids: Iterable[str]) -> None:
        self._ensure()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": id_} for id_ in ids)
        self._bulk("delete documents", actions, refresh=True, ignore_status=(404,))

    @classmethod
    def encode(cls, docs: list[IndexDocument], first: int) -> list[tuple[str, dict]]:
        return [(doc.id, _source(doc)) for doc in docs]

    def rebuild(self, runs: Iterable[list[tuple[str, dict]]]) -> int:
        old = self._indices_behind_alias()
        new = f"{self.alias}-{time.time_ns()}"
        self._call("create the new index", self.client.indices.create, index=new, settings={**SETTINGS, **BUILDING},
                   mappings=mapping())
        actions = ({"_index": new, "_id": id_, "_source": source} for run in runs for id_, source in run)
        count = self._bulk("index documents", actions)
        self._call("set the index's serving settings", self.client.indices.put_settings, index=new,
                   settings=SERVING)
        self._call("refresh the new index", self.client.indices.refresh, index=new)
        actions = [{"add": {"index": new, "alias": self.alias}}] + [
            {"remove": {"index": index, "alias": self.alias}} for index in old]
        self._call("move the alias to the new index", self.client.indices.update_aliases, actions=actions)
        if old:
            self._call("delete the old index", self.client.indices.delete, index=",".join(old))
        self._ready = True
        return count

    def drop(self) -> None:
        """Delete the alias and every index behind it (tests and benchmarks)."""
        indices = self._indices_behind_alias()
        if indices:
            self._call("delete the index", self.client.indices.delete, index=",".join(indices))
        self._ready = False

    def close(self) -> None:
        self.client.close()

    def size_bytes(self) -> int:
        stats = self._call("read index statistics", self.client.indices.stats, index=self.alias, metric="store")
        return stats["_all"]["primaries"]["store"]["size_in_bytes"]

    # -- reading ---------------------------------------------------------------------------------------------

    def execute(self, plan: Plan, *, hits: bool = True, facets: bool = True) -> Execution:
        self._ensure()
        scoring = [{"constant_score": {"filter": query_dsl(leaf), "boost": weight}} for leaf, weight in plan.scoring]
        body: dict = {"query": {"bool": {"filter": [query_dsl(plan.match)], "should": scoring}},
                      "track_total_hits": True, "size": plan.limit if hits else 0, "_source": ["display"]}
        if hits and plan.limit:
            body.update({"from": plan.offset, "sort": _sort(plan), "track_scores": True})
        if facets:
            body["aggs"] = {facet: {"terms": {"field": facet, "size": FACET_SIZE,
                                              "order": [{"_count": "desc"}, {"_key": "asc"}]}} for facet in FACETS}
        response = self._call("search", self.client.search, index=self.alias, **body)
        result = Execution(response["hits"]["total"]["value"])
        result.hits = [(hit["_id"], float(hit["_score"]), hit["_source"]["display"])
                       for hit in response["hits"]["hits"]]
        if facets:
            result.facets = {facet: [(bucket["key"], bucket["doc_count"]) for bucket in agg["buckets"]]
                             for facet, agg in response["aggregations"].items()}
        return result

    def spelling_candidates(self, word: str) -> set[str]:
        self._ensure()
        suggester = {"field": "all_folded", "suggest_mode": "always", "max_edits": MAX_EDITS,
                     "prefix_length": PREFIX, "min_word_length": MIN_WORD, "size": SPELLING_CANDIDATES,
                     "accuracy": MIN_SIMILARITY}
        response = self._call("suggest spellings", self.client.search, index=self.alias, size=0,
                              suggest={"word": {"text": word, "term": suggester}})
        return {option["text"] for entry in response["suggest"]["word"] for option in entry["options"]}

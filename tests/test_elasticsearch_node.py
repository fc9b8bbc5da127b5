"""The real Elasticsearch node used by the suite: healthy, usable through the client, stopped for good."""
from __future__ import annotations

import socket

import pytest
from elasticsearch import Elasticsearch

from tests.elasticsearch_node import ElasticsearchError, group_alive, start_node

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def es(elasticsearch_node) -> Elasticsearch:  # noqa: F811
    client = Elasticsearch(elasticsearch_node.url, request_timeout=30)
    yield client
    client.close()


def test_cluster_is_healthy(elasticsearch_node, es):  # noqa: F811
    health = es.cluster.health()
    assert health["status"] in ("green", "yellow")
    assert health["number_of_nodes"] == 1
    assert elasticsearch_node.health()["cluster_name"] == health["cluster_name"]


def test_document_round_trip_with_bool_query_and_terms_aggregation(es):
    index = "round-trip"
    es.indices.create(index=index, mappings={"properties": {
        "title": {"type": "text", "analyzer": "standard"},
        "community": {"type": "keyword"},
    }})
    try:
        docs = {
            "a": {"title": "Tết Nguyên Tiêu lantern festival", "community": "hoa"},
            "b": {"title": "Katê festival at Po Klong Garai", "community": "cham"},
            "c": {"title": "Chôl Chnăm Thmây festival", "community": "khmer"},
            "d": {"title": "Lantern making workshop", "community": "hoa"},
        }
        for doc_id, doc in docs.items():
            es.index(index=index, id=doc_id, document=doc)
        es.indices.refresh(index=index)

        assert es.get(index=index, id="b")["_source"] == docs["b"]
        result = es.search(index=index, query={"bool": {
            "must": [{"match": {"title": "festival"}}],
            "must_not": [{"term": {"community": "khmer"}}],
        }}, aggs={"communities": {"terms": {"field": "community"}}}, size=10)
        assert sorted(hit["_id"] for hit in result["hits"]["hits"]) == ["a", "b"]
        buckets = {b["key"]: b["doc_count"] for b in result["aggregations"]["communities"]["buckets"]}
        assert buckets == {"hoa": 1, "cham": 1}
    finally:
        es.indices.delete(index=index)


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) == 0


def test_stop_ends_the_process():
    node = start_node()
    assert _port_open(node.url)
    node.stop()
    assert node.process.poll() is not None
    assert not group_alive(node.process.pid)  # the server JVM too, not only the launcher
    assert not _port_open(node.url)
    assert not node.workdir.exists()
    node.stop()  # a second stop is harmless


def test_failed_start_raises_with_the_log_tail():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ElasticsearchError, match="(?s)exited with status.*Failed to bind"):
            start_node(port=busy.getsockname()[1])

"""/api/search: the response shape, facet labels, bad queries (400, never 500) and Elasticsearch down (503)."""
from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.context import Archive
from archive.settings import load_settings
from archive.web import create_app
from tests.catalogs import command_env

RECORDS = [
    {"id": "api-ma-to", "title": {"vi": "Mả tổ họ Lâm", "en": "Lam clan tomb", "zh-Hant": "林氏祖墳"},
     "community": "hoa", "festival": "tet-nguyen-dan", "place": "tue-thanh-hoi-quan", "date": "1962",
     "languages": ["yue"], "collections": ["api-col"], "subjects": ["múa lân", "a free keyword"]},
    {"id": "api-ma-ghost", "type": "audio", "title": {"vi": "Chuyện ma", "en": "Ghost story"}, "community": "hoa",
     "date": "1998-07", "description": {"vi": "Một câu chuyện <b>ma</b> kể ở Chợ Lớn.",
                                        "en": "A <b>ghost</b> story told in Cholon."}},
    {"id": "api-khmer", "title": {"vi": "Tết Chôl Chnăm Thmây", "en": "Khmer New Year"}, "community": "khmer",
     "festival": "chol-chnam-thmay", "date": "2016-04-14"},
    {"id": "api-staff", "title": {"vi": "Nghi lễ kín", "en": "Confidential rite"}, "community": "cham",
     "access": "staff"},
]
COLLECTIONS = [{"id": "api-col", "title": {"vi": "Bộ sưu tập thử", "en": "Test collection"}, "community": "hoa"}]


def cli(data_dir: Path, *args, **settings: str):
    env = command_env(data_dir, **{f"HERITAGE_{k.upper()}": v for k, v in settings.items()})
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *map(str, args)], env=env,
                              catch_exceptions=False)


def load(data_dir: Path, **settings: str):
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "collections.json").write_text(json.dumps(COLLECTIONS), "utf-8")
    (data_dir / "records.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), "utf-8")
    assert cli(data_dir, "import-collections", data_dir / "collections.json", **settings).exit_code == 0
    return cli(data_dir, "import-records", data_dir / "records.jsonl", **settings)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("api") / "var"
    assert load(data_dir).exit_code == 0
    archive = Archive(load_settings(environ={}, data_dir=str(data_dir)))
    yield create_app(archive.settings, archive).test_client()
    archive.catalog.dispose()


def test_search_response_shape_and_labels(client):
    response = client.get("/api/search", query_string={"q": "ma"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2 and [h["id"] for h in body["hits"]] == ["api-ma-ghost", "api-ma-to"]
    hit = body["hits"][1]
    assert hit["title"] == {"vi": "Mả tổ họ Lâm", "en": "Lam clan tomb", "zh-Hant": "林氏祖墳"}
    assert hit["highlight"]["title"] == "<mark>Mả</mark> tổ họ Lâm"
    assert {"type", "community", "festival", "place", "date"} <= set(hit)
    facets = body["facets"]
    assert set(facets) == {"community", "festival", "type", "place", "language", "decade", "collection", "subject",
                          "transcript", "transcript_language", "image_text"}
    assert facets["subject"] == [{"value": "lion-dance", "count": 1, "label": {"vi": "múa lân", "en": "lion dance"}}]
    assert facets["community"] == [{"value": "hoa", "count": 2, "label": {"vi": "Hoa", "en": "Hoa (ethnic Chinese)"}}]
    assert facets["collection"] == [{"value": "api-col", "count": 1,
                                     "label": {"vi": "Bộ sưu tập thử", "en": "Test collection"}}]
    assert {"value": "1990", "count": 1, "label": {"vi": "Thập niên 1990", "en": "1990s"}} in facets["decade"]
    assert {"value": "audio", "count": 1, "label": {"vi": "Âm thanh", "en": "Audio"}} in facets["type"]
    assert facets["place"][0]["label"]["en"].startswith("Tuệ Thành Assembly Hall")


def test_query_parameters_filter_sort_page_and_language(client):
    def ids(**params):
        return [h["id"] for h in client.get("/api/search", query_string=params).get_json()["hits"]]

    assert ids(community="khmer") == ["api-khmer"]
    assert ids(festival="tet-nguyen-dan") == ["api-ma-to"]
    assert ids(type="audio") == ["api-ma-ghost"]
    assert ids(place="tue-thanh-hoi-quan") == ["api-ma-to"]
    assert ids(subject="lion-dance") == ["api-ma-to"]
    assert ids(community="hoa,khmer", date_from="1990", date_to="2020") == ["api-khmer", "api-ma-ghost"]
    assert ids(sort="date") == ["api-ma-to", "api-ma-ghost", "api-khmer"]
    assert ids(sort="date", page="2", per_page="2") == ["api-khmer"]
    english = client.get("/api/search", query_string={"q": "ghost", "lang": "en"}).get_json()["hits"][0]
    assert english["highlight"] == {"title": "<mark>Ghost</mark> story",
                                    "description": "A &lt;b&gt;<mark>ghost</mark>&lt;/b&gt; story told in Cholon."}


def test_anonymous_visitors_never_see_restricted_items(client):
    assert client.get("/api/search", query_string={"q": "confidential"}).get_json()["total"] == 0
    assert client.get("/api/search").get_json()["total"] == 3


def test_misspelling_is_corrected(client):
    body = client.get("/api/search", query_string={"q": "gohst"}).get_json()
    assert (body["did_you_mean"], body["corrected"]) == ("ghost", True)
    assert [h["id"] for h in body["hits"]] == ["api-ma-ghost"]


@pytest.mark.parametrize("params, parameter", [
    ({"q": "x" * 10_000}, "q"),
    ({"q": "date:abc"}, "q"),
    ({"q": "date:2020..1990"}, "q"),
    ({"date_from": "soon"}, "date_from"),
    ({"date_from": "2020", "date_to": "1990"}, "date_to"),
    ({"page": "0"}, "page"),
    ({"page": "two"}, "page"),
    ({"page": "99999999999999999999"}, "page"),
    ({"per_page": "1000"}, "per_page"),
    ({"sort": "price"}, "sort"),
    ({"lang": "fr"}, "lang"),
    ({"community": ",".join(f"c{i}" for i in range(60))}, "community"),
])
def test_bad_requests_get_a_clear_400(client, params, parameter):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["title"] == "Bad Request" and error["parameter"] == parameter
    assert error["detail"]


@pytest.mark.parametrize("q", ['"unbalanced quote', "NOT", "ma NOT", "AND OR", "((((ma", "ma))))", "title:",
                               "\x00\x07ma\x1b\u200b", "*", "-", '""', "foo:bar", "ma" * 400, "NOT NOT ma",
                               "<script>alert(1)</script>"])
def test_odd_queries_are_searched_sensibly(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["total"] >= 0 and "facets" in body


def test_control_characters_are_ignored(client):
    body = client.get("/api/search", query_string={"q": "m\x00ả\x1b"}).get_json()
    assert [h["id"] for h in body["hits"]][:1] == ["api-ma-to"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_elasticsearch_down_gives_503_and_other_routes_work(tmp_path, caplog):
    data_dir = tmp_path / "var"
    down = {"search_backend": "elasticsearch", "elasticsearch_url": f"http://127.0.0.1:{_closed_port()}"}
    with caplog.at_level(logging.ERROR):
        imported = load(data_dir, **down)
    assert imported.exit_code == 0, imported.output  # the catalog commit is kept
    assert "heritage reindex" in caplog.text
    archive = Archive(load_settings(environ={f"HERITAGE_{k.upper()}": v for k, v in down.items()},
                                    data_dir=str(data_dir)))
    client = create_app(archive.settings, archive).test_client()
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/search", query_string={"q": "ma"})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["status"] == 503 and error["title"] == "Service Unavailable"
    assert down["elasticsearch_url"] in error["detail"]
    assert "search unavailable" in caplog.text and down["elasticsearch_url"] in caplog.text
    assert "ConnectionError" in caplog.text
    item = client.get("/api/items/api-ma-to")
    assert item.status_code == 200 and item.get_json()["id"] == "api-ma-to"
    page = client.get("/vi/search", query_string={"q": "ma"})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert "Tạm thời không tìm kiếm được" in page.get_data(as_text=True)
    for path in ("/vi/", "/en/items/api-ma-to", "/vi/collections/api-col", "/iiif/3/collection/top"):
        assert client.get(path).status_code == 200, path
    archive.catalog.dispose()

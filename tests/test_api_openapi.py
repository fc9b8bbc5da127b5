"""The OpenAPI document (/api/openapi.json) against the app it describes, on the ingested samples under waitress:
openapi-spec-validator accepts it; it names exactly the routes under /api, /iiif and /media (and their methods);
every link an item or collection in the lists gives answers 200; and Schemathesis, run from the document against the
live server, finds no response that breaks its schema and no 5xx."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from openapi_spec_validator import validate

from archive.web import create_app
from tests.live_server import live_app

DESCRIBED_PREFIXES = ("/api/", "/iiif/", "/media/", "/oai", "/open-data/")
METHODS = {"get", "put", "post", "delete", "patch"}
MAX_EXAMPLES = 30  # per operation and phase: about a thousand cases, under a minute on this machine


@pytest.fixture(scope="module")
def server(sample_archive):
    with live_app(sample_archive.settings.data_path, threads=4) as live:
        yield live


@pytest.fixture(scope="module")
def document(server) -> dict:
    response = requests.get(f"{server.url}/api/openapi.json", timeout=30)
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    return response.json()


def test_the_document_is_valid_openapi_3_1(document, server):
    validate(document)
    assert document["openapi"].startswith("3.1") and document["servers"] == [{"url": server.url,
                                                                              "description": "this archive"}]


def _rules(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(DESCRIBED_PREFIXES):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            found |= {(path, method.lower()) for method in rule.methods if method.lower() in METHODS}
    return found


def test_the_document_names_every_machine_route_and_nothing_else(document, sample_archive):
    app = create_app(sample_archive.settings, sample_archive)
    described = {(path, method) for path, operations in document["paths"].items() for method in operations
                 if method in METHODS}
    routes = _rules(app)
    assert routes, "no routes under /api, /iiif, /media, /oai or /open-data"
    assert sorted(routes - described) == [], "routes the document does not describe"
    assert sorted(described - routes) == [], "operations the app does not have"


def _walk(url: str, key: str) -> list[dict]:
    found = []
    while url:
        body = requests.get(url, timeout=30).json()
        found += body[key]
        url = body["next"]
    return found


def test_every_link_of_the_listed_items_and_collections_answers_200(server, sample_archive):
    items = _walk(f"{server.url}/api/items?limit=7", "items")
    assert items and all(urlsplit(i["links"]["self"]).netloc == urlsplit(server.url).netloc for i in items)
    links = []
    for item in items:
        links += [item["links"]["self"], *item["links"]["page"].values(), *item["links"]["images"]]
        links += [item["links"]["manifest"]] if item["links"]["manifest"] else []
    for collection in _walk(f"{server.url}/api/collections?limit=2", "collections"):
        links += [collection["links"]["iiif"], *collection["links"]["page"].values()]
    kinds = {m["kind"] for i in items for m in i["media"]}
    assert {"image", "audio", "video"} <= kinds
    assert sum(bool(i["links"]["manifest"]) for i in items) == sum(
        any(m["kind"] in ("image", "audio", "video") and m["derivatives"] for m in i["media"]) for i in items)
    assert sum(len(i["links"]["images"]) for i in items) == sum(m["kind"] == "image" for i in items for m in i["media"])
    failed = {url: status for url in links if (status := requests.get(url, timeout=60).status_code) != 200}
    assert failed == {}
    first = next(url for i in items for url in i["links"]["images"])
    info = requests.get(first, timeout=30).json()
    assert info["type"] == "ImageService3" and info["id"] + "/info.json" == first


def test_schemathesis_finds_no_response_off_the_document_and_no_5xx(server, document, tmp_path):
    """Schemathesis (its CLI, as a client would run it) from /api/openapi.json against the live server: every phase
    (the document's examples, coverage of each parameter's edges, fuzzing, and stateful runs along the document's
    links from lists to items, manifests and info.json) with every check but positive_data_acceptance: whether an
    opaque cursor, an EDTF date or an IIIF region is one the archive can use is not something a JSON schema can say,
    and such a value is refused with a 400 naming it (tests/test_api_lists.py)."""
    # from a copy of the document served, so that Schemathesis tests /api/openapi.json too (it leaves out the URL it
    # loaded the document from)
    (tmp_path / "openapi.json").write_text(json.dumps(document), "utf-8")
    run = subprocess.run([str(Path(sys.executable).with_name("st")), "run", "openapi.json", "--url", server.url,
                          "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                          "--max-examples", str(MAX_EXAMPLES), "--workers", "1", "--request-timeout", "60",
                          "--no-color"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    tested = re.search(r"Tested: (\d+)", run.stdout)
    cases = re.search(r"(\d+) generated", run.stdout)
    seed = re.search(r"Seed: (\d+)", run.stdout)
    print(f"\nschemathesis: {tested and tested[1]} operations, {cases and cases[1]} cases (seed {seed and seed[1]})")
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    operations = sum(1 for operations in document["paths"].values() for method in operations if method in METHODS)
    assert tested and int(tested[1]) == operations and "passed" in run.stdout

"""A page on another origin reads the archive's machine doors in a real browser (headless Chromium): IIIF manifests and
info.json with the Accept header the IIIF specifications recommend (which makes the browser send a preflight), the
JSON API, and a media file by byte range, with the Link, ETag and Content-Range headers readable by the page."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from archive.catalog.models import MediaFile
from ingest.pipeline import Ingest
from tests.live_server import live_app
from tests.media import make_jpeg

PRESENTATION = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
IMAGE = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'

FETCH = """async ([url, headers]) => {
  try {
    const response = await fetch(url, {headers});
    const body = await response.arrayBuffer();
    return {status: response.status, bytes: body.byteLength, link: response.headers.get("link"),
            etag: response.headers.get("etag"), range: response.headers.get("content-range"),
            type: response.headers.get("content-type")};
  } catch (error) {
    return {error: String(error)};
  }
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("cors")
    folder = root / "in"
    make_jpeg(folder / "tháp.jpg", size=(1600, 1200))
    (folder / "metadata.csv").write_text(
        "file,id,title_vi,title_en,community,rights\n"
        "tháp.jpg,cors-tower,Tháp Chăm,Cham tower,cham,http://creativecommons.org/licenses/by/4.0/\n", "utf-8")
    with live_app(root / "var") as live:
        assert not Ingest(live.archive, progress=False).run([folder], folder / "metadata.csv").rejected
        yield live


class _ViewerPage(BaseHTTPRequestHandler):
    """Another site on this machine (its own origin: "localhost" and its own port), serving one empty page."""

    def do_GET(self):
        body = b"<!doctype html><title>Another site's viewer</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def page(browser):
    other = ThreadingHTTPServer(("127.0.0.1", 0), _ViewerPage)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    tab = browser.new_page()
    tab.goto(f"http://localhost:{other.server_address[1]}/viewer.html")
    yield tab
    tab.close()
    other.shutdown()


def _fetch(page, url: str, **headers) -> dict:
    return page.evaluate(FETCH, [url, headers])


def test_another_origin_reads_manifests_info_json_search_and_media(site, page):
    with site.archive.catalog.session() as s:
        sha = s.query(MediaFile).one().sha256
    manifest = _fetch(page, f"{site.url}/iiif/3/cors-tower/manifest", Accept=PRESENTATION)
    assert manifest.get("status") == 200 and manifest["bytes"] > 500, manifest  # blocked: {"error": "TypeError…"}
    assert manifest["type"] == PRESENTATION and manifest["etag"], manifest
    info = _fetch(page, f"{site.url}/iiif/3/image/{sha}/info.json", Accept=IMAGE)
    assert info.get("status") == 200 and 'rel="profile"' in info["link"], info  # Link is exposed to the page
    assert info["type"] == IMAGE and info["etag"], info
    search = _fetch(page, f"{site.url}/api/search?q=Cham", Accept="application/json")
    assert search.get("status") == 200 and search["etag"], search
    # a viewer that sends the IIIF header to every door (as some do) reads the search API too
    searched = _fetch(page, f"{site.url}/api/search?q=Cham", Accept=PRESENTATION)
    assert searched.get("status") == 200 and searched["type"] == "application/json" and searched["bytes"] > 50
    tile = _fetch(page, f"{site.url}/media/{sha}/original", Range="bytes=0-99")
    assert tile.get("status") == 206 and tile["bytes"] == 100 and tile["range"].startswith("bytes 0-99/"), tile
    missing = _fetch(page, f"{site.url}/api/items/no-such-item", Accept="application/json")
    assert missing.get("status") == 404  # errors are readable too (the one JSON error shape)

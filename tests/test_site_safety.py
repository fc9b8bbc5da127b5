"""The public site is safe with hostile metadata: script payloads stored in titles, descriptions, subjects, collection
titles and exhibit text come out escaped on every page type and in the API; pages reference no other host; the
security headers are there."""
from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive import exhibit_store
from archive.context import Archive
from archive.settings import load_settings
from archive.web import create_app
from ingest.pipeline import Ingest
from archive.importer import import_collections, import_records

REPO = Path(__file__).resolve().parent.parent
IMAGE = REPO / "media_samples" / "images" / "tet-nguyen-tieu-lanterns.jpg"
BASE_URL = "https://heritage.example.org"

SCRIPT = '<script>alert("xss-1")</script>'
ONERROR = '<img src=x onerror=alert("xss-2")>'
ATTRIBUTE = '" onmouseover="alert(\'xss-3\')'
PAYLOADS = (SCRIPT, ONERROR, ATTRIBUTE)
# What must never reach a page: the payloads' live forms (escaped text such as &lt;script&gt; is fine; a quote
# breaking out of an attribute shows up as an on*= attribute, which _Refs refuses).
LIVE = ("<script>alert", "<img src=x")

HOSTILE = f"lễ hội {SCRIPT} {ONERROR} {ATTRIBUTE}"


def _write_samples(root: Path) -> dict[str, Path]:
    media = root / "media"
    media.mkdir(parents=True)
    shutil.copy(IMAGE, media / "lanterns.jpg")
    columns = ["file", "id", "type", "title_vi", "title_en", "title_zh-Hant", "description_vi", "description_en",
               "community", "subjects", "creators", "rights", "attribution_vi", "attribution_en", "collections"]
    with open(media / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, columns)
        w.writeheader()
        w.writerow({"file": "lanterns.jpg", "id": "xss-image", "type": "image", "title_vi": HOSTILE,
                    "title_en": HOSTILE, "title_zh-Hant": SCRIPT, "description_vi": HOSTILE, "description_en": HOSTILE,
                    "community": "hoa", "subjects": f"{SCRIPT}; {ONERROR}", "creators": f"{ONERROR} (photographer)",
                    "rights": "http://creativecommons.org/licenses/by/4.0/", "attribution_vi": HOSTILE,
                    "attribution_en": HOSTILE, "collections": "xss-col"})
    records = root / "records.jsonl"
    records.write_text(json.dumps({
        "id": "xss-record", "type": "document", "title": {"vi": HOSTILE, "en": HOSTILE, "km": SCRIPT},
        "description": {"vi": HOSTILE, "en": HOSTILE}, "community": "khmer", "lunar_date": "15/10 âm lịch",
        "subjects": [SCRIPT], "collections": ["xss-col"], "date": "1975"}, ensure_ascii=False), "utf-8")
    collections = root / "collections.json"
    collections.write_text(json.dumps([{"id": "xss-col", "title": {"vi": HOSTILE, "en": HOSTILE},
                                        "description": {"vi": HOSTILE, "en": HOSTILE}, "community": "hoa"}]),
                           "utf-8")
    return {"media": media, "records": records, "collections": collections}


def _write_exhibit(exhibits: Path) -> None:
    exhibits.mkdir(parents=True, exist_ok=True)
    for lang in ("vi", "en"):
        (exhibits / f"hostile.{lang}.md").write_text(
            f"---\ntitle: '{SCRIPT}'\nsummary: '{ONERROR}'\nfeatured: true\ncover: xss-image\n---\n\n"
            f"Text {SCRIPT} and {ONERROR} and [a link](javascript:alert(1)) and <iframe src=x></iframe>.\n\n"
            f"{{{{item:xss-image | {ONERROR}}}}}\n", "utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site-safety")
    files = _write_samples(root)
    settings = load_settings(environ={}, data_dir=str(root / "var"), base_url=BASE_URL, workers=1)
    archive = Archive(settings)
    assert not import_collections(archive, files["collections"]).rejected
    assert not import_records(archive, files["records"]).rejected
    summary = Ingest(archive, progress=False).run([files["media"]], files["media"] / "metadata.csv")
    assert not summary.rejected and len(summary.new) == 1, summary
    _write_exhibit(settings.data_path / "exhibits")
    assert exhibit_store.import_directory(archive, settings.data_path / "exhibits").created == ["hostile"]
    app = create_app(settings, archive)
    yield app.test_client()
    archive.catalog.dispose()


PAGES = ["/{lang}/", "/{lang}/search?q=l%E1%BB%85+h%E1%BB%99i", "/{lang}/search?q=alert", "/{lang}/search?q=script",
         "/{lang}/browse", "/{lang}/communities/hoa", "/{lang}/communities/khmer", "/{lang}/collections/",
         "/{lang}/collections/xss-col", "/{lang}/exhibits/", "/{lang}/exhibits/hostile", "/{lang}/items/xss-image",
         "/{lang}/items/xss-record", "/{lang}/about", "/{lang}/items/no-such-item",
         f"/{{lang}}/search?q={SCRIPT}"]
PAGES += ["/{lang}/timeline", "/{lang}/timeline?decade=1970"]  # xss-record is dated 1975


def _pages():
    return [p.format(lang=lang) for p in PAGES for lang in ("vi", "en")]


class _Refs(HTMLParser):
    """Every URL an HTML page makes the browser fetch or offers as a link."""
    ATTRS = {"href", "src", "srcset", "action", "poster", "data", "content", "data-info", "data-prefix",
             "data-src", "formaction"}

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                raise AssertionError(f"inline event handler {name}= on <{tag}>")
            if name in self.ATTRS and value:
                if name == "srcset":
                    self.urls += [part.split(" ")[0] for part in re.split(r",\s+", value.strip())]
                elif name == "content":
                    if re.match(r"^[a-z]+://", value):
                        self.urls.append(value)
                else:
                    self.urls.append(value)


@pytest.mark.parametrize("path", _pages())
def test_payloads_are_escaped_on_every_page(site, path):
    response = site.get(path)
    assert response.status_code in (200, 404), (path, response.status_code)
    html = response.get_data(as_text=True)
    for live in LIVE:
        assert live not in html, f"{path}: {live!r} appears unescaped"
    assert not re.search(r"(href|src|action)=\"\s*javascript:", html, re.I), path
    assert "<iframe" not in html, path
    _Refs().feed(html)  # raises on any on*= attribute


def test_the_hostile_records_are_really_on_the_pages(site):
    """The escaping test would pass on pages that leave the metadata out: check it is shown, escaped."""
    item = site.get("/en/items/xss-image").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in item
    assert "&lt;img src=x onerror=alert(" in item
    exhibit = site.get("/vi/exhibits/hostile").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in exhibit
    assert "&lt;script&gt;alert(" in site.get("/vi/timeline?decade=1970").get_data(as_text=True)
    found = site.get("/en/search?q=alert").get_data(as_text=True)
    assert "/en/items/xss-record" in found and "/en/items/xss-image" in found


@pytest.mark.parametrize("path", ["/api/items/xss-image", "/api/items/xss-record", "/api/search?q=alert",
                                  "/api/search?q=script&lang=en", "/iiif/3/xss-image/manifest",
                                  "/iiif/3/collection/xss-col"])
def test_payloads_in_the_api_are_json_strings_never_markup(site, path):
    response = site.get(path)
    assert response.status_code == 200, path
    assert response.mimetype in ("application/json", "application/ld+json"), path
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_data(as_text=True)
    text = json.dumps(json.loads(body), ensure_ascii=False)
    assert SCRIPT.replace('"', '\\"') in text, f"{path}: the payload is not in the data at all"
    for hit in json.loads(body).get("hits", []):
        for snippet in hit.get("highlight", {}).values():
            markup = re.sub(r"</?mark>", "", snippet if isinstance(snippet, str) else " ".join(snippet))
            assert "<" not in markup, f"{path}: a highlight carries markup other than <mark>: {snippet!r}"


@pytest.mark.parametrize("path", _pages() + ["/sitemap.xml"])
def test_pages_reference_no_other_host(site, path):
    response = site.get(path)
    html = response.get_data(as_text=True)
    own = urlsplit(BASE_URL).netloc
    parser = _Refs()
    parser.feed(html)
    foreign = []
    for url in parser.urls + re.findall(r"<loc>([^<]+)</loc>", html):
        parts = urlsplit(url)
        if parts.scheme in ("", "http", "https") and parts.netloc not in ("", own):
            foreign.append(url)
        elif parts.scheme not in ("", "http", "https", "data", "blob"):
            foreign.append(url)
    # Licence and rights URIs are identifiers shown as text, never links or resources the page loads.
    assert not foreign, f"{path} references other hosts: {foreign}"
    assert all(set(s) <= {"src", "defer", "type", "async", "nonce", "id"} for s in parser.scripts), path
    assert all("src" in s or s.get("type") == "application/ld+json" for s in parser.scripts), \
        f"{path}: inline script"
    assert len(parser.urls) > 3 or response.mimetype != "text/html", path


@pytest.mark.parametrize("path", ["/vi/", "/en/items/xss-image", "/vi/search?q=ma", "/en/exhibits/hostile"])
def test_security_headers(site, path):
    response = site.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]

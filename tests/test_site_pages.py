"""The public pages on the sample archive, in-process: language choice, every page type in both languages, item
pages' metadata for sharing (Open Graph, schema.org) and accessibility (alt, srcset, lazy loading), media with
range requests, the site map, friendly error pages."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from archive.catalog.models import Item
from archive.web import create_app

from .staff_client import add_user, import_items, sign_in

LANGS = ("vi", "en")


@pytest.fixture(scope="module")
def items(sample_archive) -> dict[str, Item]:
    """One sample item id per type, and the item with captions."""
    with sample_archive.catalog.session() as s:
        found = {}
        # Public items only: which random id a restricted sample gets must not decide what is tested.
        public = select(Item).where(Item.status == "published", Item.access == "public",
                                    Item.embargo_until.is_(None)).order_by(Item.id)
        for item in s.scalars(public):
            found.setdefault(item.type, item.id)
        return found


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: dict[str, list[str]] = {}
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in = dict(attrs).get("type", "")

    def handle_data(self, data):
        if self._in is not None:
            self.scripts.setdefault(self._in, []).append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def parse(response) -> _Page:
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return page


@pytest.mark.parametrize("header, lang", [("vi-VN,vi;q=0.9", "vi"), ("en-GB,en;q=0.8", "en"),
                                          ("fr-FR,en;q=0.5,vi;q=0.9", "vi"), ("", "vi"), ("de", "vi")])
def test_the_root_picks_the_language_from_accept_language(client, header, lang):
    response = client.get("/", headers={"Accept-Language": header} if header else {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{lang}/")
    assert "Accept-Language" in response.headers["Vary"]


def _page_paths(items) -> list[str]:
    return ["/{lang}/", "/{lang}/search?q=kat%C3%AA", "/{lang}/browse", "/{lang}/communities/cham",
            "/{lang}/festivals/kate", "/{lang}/places/tue-thanh-hoi-quan", "/{lang}/collections/",
            "/{lang}/collections/cham-heritage", "/{lang}/exhibits/", "/{lang}/exhibits/kate-festival",
            "/{lang}/exhibits/chantarangsay-pagoda", "/{lang}/about",
            *(f"/{{lang}}/items/{item_id}" for item_id in items.values())]


def test_every_page_type_answers_in_both_languages_with_landmarks_and_alternates(client, items):
    for template in _page_paths(items):
        for lang in LANGS:
            path = template.format(lang=lang)
            response = client.get(path)
            assert response.status_code == 200, path
            page = parse(response)
            html = page.find("html")[0]
            assert html["lang"] == lang, path
            assert len(page.find("main")) == 1 and page.find("header") and page.find("footer"), path
            assert page.find("h1"), path
            alternates = {a["hreflang"]: a["href"] for a in page.find("link", rel="alternate") if "hreflang" in a}
            assert set(alternates) == {"vi", "en", "x-default"}, path
            other = "en" if lang == "vi" else "vi"
            assert alternates[other].endswith(template.format(lang=other).split("?")[0].rstrip("/") + (
                "/" if template.split("?")[0].endswith("/") else "")) or "?" in template, (path, alternates)
            for img in page.find("img"):
                assert "alt" in img, (path, img)
            switch = [a for a in page.find("a") if a.get("hreflang") == other]
            assert switch and all(f"/{other}/" in a["href"] for a in switch), path


def test_item_pages_carry_sharing_metadata_and_responsive_images(client, items, sample_archive):
    item_id = items["image"]
    page = parse(client.get(f"/en/items/{item_id}"))
    meta = {a.get("property") or a.get("name"): a.get("content") for a in page.find("meta")}
    assert meta["og:type"] == "article" or meta["og:type"] == "website"
    assert meta["og:title"] and meta["description"] and meta["og:image"].startswith(sample_archive.settings.base_url)
    data = json.loads("".join(page.scripts["application/ld+json"]))
    assert data["@context"].startswith("https://schema.org") and data["@type"] in (
        "ImageObject", "VisualArtwork", "CreativeWork", "Photograph")
    with sample_archive.catalog.session() as s:
        item = s.get(Item, item_id)
        assert data["name"] in item.record["title"].values()
    images = [img for img in page.find("img") if "srcset" in img]
    assert images, "no responsive image"
    widths = [int(part.split(" ")[1][:-1]) for part in re.split(r",\s+", images[0]["srcset"])]  # IIIF sizes hold commas
    assert len(widths) >= 3 and widths == sorted(widths)
    cards = parse(client.get("/en/"))
    assert len(cards.find("img")) > 3
    assert all(img.get("loading") == "lazy" for img in cards.find("img")[1:]), "images below the fold load lazily"


def test_av_items_offer_players_with_caption_tracks_and_transcripts(client, items):
    for kind in ("audio", "video"):
        html = client.get(f"/vi/items/{items[kind]}").get_data(as_text=True)
        page = parse(client.get(f"/vi/items/{items[kind]}"))
        players = page.find(kind)
        assert players, kind
        tracks = page.find("track")
        if tracks:
            assert {t["srclang"] for t in tracks} >= {"vi"} and all(t["src"].startswith("/") for t in tracks)
            assert "transcript" in html


def _media_urls(client, item_id) -> list[str]:
    page = parse(client.get(f"/en/items/{item_id}"))
    return [a["src"] for a in page.find("source")] + [a["src"] for t in ("audio", "video") for a in page.find(t)
                                                       if "src" in a]


@pytest.mark.parametrize("kind, mime", [("audio", "audio/"), ("video", "video/mp4")])
def test_media_answer_range_requests_with_206_and_their_type(client, items, kind, mime):
    urls = _media_urls(client, items[kind])
    assert urls, f"no media URL on the {kind} page"
    whole = client.get(urls[0])
    assert whole.status_code == 200 and whole.mimetype.startswith(mime)
    assert whole.headers["Accept-Ranges"] == "bytes"
    size = int(whole.headers["Content-Length"])
    part = client.get(urls[0], headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-1099/{size}"
    assert part.data == whole.data[100:1100]
    assert client.get(urls[0], headers={"Range": f"bytes={size + 10}-"}).status_code == 416


def test_the_site_map_lists_every_public_item_in_both_languages(client, sample_archive):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    tree = ElementTree.fromstring(response.data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = [loc.text for loc in tree.findall("s:url/s:loc", ns)]
    with sample_archive.catalog.session() as s:
        public = [i.id for i in s.scalars(select(Item)) if i.status == "published" and i.access == "public"]
    for item_id in public:
        assert any(loc.endswith(f"/vi/items/{item_id}") for loc in locs), item_id
        assert any(loc.endswith(f"/en/items/{item_id}") for loc in locs), item_id
    assert all(loc.startswith(sample_archive.settings.base_url) for loc in locs)
    assert tree.findall("s:url/x:link[@hreflang='en']", ns)


@pytest.mark.parametrize("path, status, words", [
    ("/vi/items/khong-co", 404, "Không tìm thấy trang"), ("/en/items/no-such", 404, "Page not found"),
    ("/en/no/such/page", 404, "Page not found"), ("/vi/search?page=abc", 400, "vui lòng kiểm tra"),
    ("/en/search?page=0", 400, "please check page"), ("/vi/collections/cham-heritage?page=x", 400, "Số trang"),
])
def test_errors_are_friendly_pages_in_the_page_language(client, path, status, words):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert words in html
    assert re.search(r'<a [^>]*href="/(vi|en)/"', html), "an error page leads back home"


def test_search_page_shows_facets_highlights_and_paging(client):
    html = client.get("/en/search?q=lantern").get_data(as_text=True)
    assert "<mark>" in html.lower() or "<mark>" in html
    page = parse(client.get("/en/search?q=lantern"))
    facet_links = [a["href"] for a in page.find("a") if "community=" in a.get("href", "")]
    assert facet_links, "no community facet links"
    filtered = client.get(facet_links[0])
    assert filtered.status_code == 200


def test_anonymous_pages_revalidate_with_an_etag_that_follows_the_catalog(settings, archive, tmp_path):
    client = create_app(settings, archive).test_client()
    for path in ("/en/", "/vi/search?q=ch%C3%B9a", "/api/search?q=chua"):
        first = client.get(path)
        assert first.status_code == 200 and "no-cache" in first.headers["Cache-Control"], path
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", path
    home = client.get("/en/").headers["ETag"]
    import_items(archive, tmp_path, [{"title": {"vi": "Chùa Chantarangsay", "en": "Chantarangsay pagoda"},
                                      "community": "khmer"}])
    changed = client.get("/en/", headers={"If-None-Match": home})
    assert changed.status_code == 200 and changed.headers["ETag"] != home
    assert "Chantarangsay pagoda" in changed.get_data(as_text=True)
    add_user(archive, "lan", "editor")
    assert sign_in(client, "lan").status_code == 302
    signed_in = client.get("/en/")
    assert "ETag" not in signed_in.headers and "private" in signed_in.headers["Cache-Control"]

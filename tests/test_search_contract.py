"""The search interface's contract, run unchanged against both backends: Whoosh and a real Elasticsearch node."""
from __future__ import annotations

import uuid

import pytest

from archive.records import edtf_bounds
from archive.vocabularies import Vocabularies
from search.documents import Source, build_document
from search.elasticsearch_backend import ElasticsearchBackend
from archive.access import EVERYTHING
from search.request import SearchRequest
from search.whoosh_backend import WhooshBackend

BACKENDS = ["whoosh", "elasticsearch"]
VOCAB = Vocabularies()


def record(id_, community, title, *, date=None, access="public", type_="image", **fields):
    return {"id": id_, "community": community, "title": title, "date": date, "access": access, "type": type_,
            **fields}


RECORDS = [
    record("c-ma-to", "hoa", {"vi": "Mả tổ họ Lâm", "en": "Lam clan tomb"}, date="1962",
           festival="tet-nguyen-dan", languages=["yue", "vie"], collections=[("c-col", {"vi": "Bộ", "en": "Set"})]),
    record("c-ma-ghost", "hoa", {"vi": "Chuyện ma", "en": "Ghost story"}, date="1998-07", type_="audio",
           languages=["vie"]),
    record("c-ma-mother", "khmer", {"vi": "Má tôi", "en": "My mother"}, date="2010-02",
           description={"vi": "Bà kể về mả ông bà.", "en": "She talks about the family tomb."}),
    record("c-lantern", "hoa", {"vi": "Đêm Tết Nguyên Tiêu", "en": "Lantern festivals night",
                                "zh-Hant": "元宵節花燈"}, date="2020-02-08", type_="video",
           festival="tet-nguyen-tieu", place="tue-thanh-hoi-quan", languages=["yue"]),
    record("c-scattered", "hoa", {"vi": "Tiêu nguyên hạt bán dịp Tết", "en": "Whole pepper sold at Tết"},
           date="2016-01"),
    record("c-khmer-new-year", "khmer", {"vi": "Tết Chôl Chnăm Thmây", "en": "Khmer New Year",
                                         "km": "ពិធីបុណ្យចូលឆ្នាំថ្មី"}, date="2016-04-14",
           festival="chol-chnam-thmay", place="chua-chantarangsay", languages=["khm"]),
    record("c-kate", "cham", {"vi": "Lễ hội Katê", "en": "Katê festival", "cjm-Cham": "ꨆꨓꨬ"}, date="196X",
           festival="kate", languages=["cjm", "vie"], collections=[("c-col", {"vi": "Bộ", "en": "Set"})]),
    record("c-staff", "cham", {"vi": "Nghi lễ kín", "en": "Confidential rite"}, access="staff", date="1975"),
    record("c-html", "khmer", {"vi": "<script>alert(1)</script> Lễ <b>lạ</b> & \"kỳ\"",
                               "en": "An <em>odd</em> & \"special\" rite"}, date="1975-04"),
    record("c-undated", "cham", {"vi": "Trống Ginăng", "en": "Ginang drums"}),
]


def source(data: dict) -> Source:
    data = {k: v for k, v in data.items() if v is not None}
    start, end = edtf_bounds(data["date"]) if data.get("date") else (None, None)
    collections = data.pop("collections", [])
    rec = {k: v for k, v in data.items() if k not in ("id", "type")}
    if collections:
        rec["collections"] = [cid for cid, _ in collections]
    return Source(id=data["id"], type=data["type"], status="published", access=data["access"],
                  record=rec, date_start=start, date_end=end,
                  collections=collections)


DOCS = [build_document(source(r), VOCAB) for r in RECORDS]
PUBLIC_IDS = {r["id"] for r in RECORDS if r["access"] == "public"}


def make_backend(kind: str, where, request) -> WhooshBackend | ElasticsearchBackend:
    if kind == "whoosh":
        return WhooshBackend(where / f"ix-{uuid.uuid4().hex[:8]}", VOCAB)
    node = request.getfixturevalue("elasticsearch_node")
    return ElasticsearchBackend(node.url, VOCAB, index=f"contract-{uuid.uuid4().hex[:12]}")


def dispose(backend) -> None:
    if isinstance(backend, ElasticsearchBackend):
        backend.drop()
    backend.close()


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory):
    """A backend holding RECORDS, shared by the read-only tests of this module."""
    backend = make_backend(request.param, tmp_path_factory.mktemp("contract"), request)
    assert backend.rebuild([backend.encode(DOCS, 0)]) == len(DOCS)
    yield backend
    dispose(backend)


@pytest.fixture(params=BACKENDS)
def empty(request, tmp_path):
    backend = make_backend(request.param, tmp_path, request)
    yield backend
    dispose(backend)


def ids(backend, q="", **options) -> list[str]:
    return [hit.id for hit in backend.search(SearchRequest(q=q, per_page=100, **options)).hits]


def test_empty_index_finds_nothing(empty):
    result = empty.search(SearchRequest(q="ma"))
    assert (result.total, result.hits) == (0, [])
    assert empty.count(SearchRequest()) == 0


def test_index_update_and_delete(empty):
    assert empty.index(DOCS[:3]) == 3
    assert set(ids(empty, "ma")) == {"c-ma-to", "c-ma-ghost", "c-ma-mother"}
    renamed = build_document(source({**RECORDS[1], "title": {"vi": "Chuyện cũ", "en": "Old story"}}), VOCAB)
    empty.index([renamed])
    assert set(ids(empty, "ma")) == {"c-ma-to", "c-ma-mother"}  # replaced, not duplicated
    assert ids(empty, "story") == ["c-ma-ghost"]
    empty.delete(["c-ma-to", "no-such-item"])
    assert ids(empty, "ma") == ["c-ma-mother"]
    assert empty.count(SearchRequest()) == 2


def test_rebuild_replaces_everything(empty):
    empty.index(DOCS[:2])
    assert empty.rebuild([empty.encode(DOCS[3:4], 0), empty.encode(DOCS[4:5], 1)]) == 2
    assert sorted(ids(empty)) == ["c-lantern", "c-scattered"]


def test_subject_facet_counts_terms_by_id_and_filters(empty):
    """Subjects are words in records; the facet counts the vocabulary terms they name (any label, alt labels too),
    once per item, and ``subject=ID`` filters by them. Free keywords name no term and stay out of the facet."""
    described = [("s-one", ["đèn lồng", "lanterns", "múa lân"]), ("s-two", ["lồng đèn"]),
                 ("s-three", ["incense", "a free keyword"])]
    empty.index([build_document(source(record(id_, "hoa", {"vi": id_, "en": id_}, subjects=words)), VOCAB)
                 for id_, words in described])
    facets = empty.facets(SearchRequest())
    assert facets["subject"] == [("lanterns", 2), ("incense-coils", 1), ("lion-dance", 1)]
    assert set(ids(empty, filters={"subject": ("lanterns",)})) == {"s-one", "s-two"}
    assert set(ids(empty, filters={"subject": ("lion-dance", "incense-coils")})) == {"s-one", "s-three"}
    narrowed = empty.search(SearchRequest(filters={"subject": ("incense-coils",)}))
    assert narrowed.facets["subject"] == [("incense-coils", 1)]


def test_anonymous_users_see_public_items_only(loaded):
    assert set(ids(loaded)) == PUBLIC_IDS
    assert ids(loaded, "confidential") == []
    assert ids(loaded, "confidential", scope=EVERYTHING) == ["c-staff"]
    assert loaded.count(SearchRequest(scope=EVERYTHING)) == len(RECORDS)


def test_diacritics_are_optional_but_the_query_s_own_rank_first(loaded):
    assert ids(loaded, "mả")[0] == "c-ma-to"
    assert ids(loaded, "má")[0] == "c-ma-mother"
    assert set(ids(loaded, "ma")) == {"c-ma-to", "c-ma-ghost", "c-ma-mother"}
    ranked = loaded.search(SearchRequest(q="mả")).hits
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)


def test_english_stems_and_field_queries(loaded):
    assert ids(loaded, "festival") == ["c-kate", "c-lantern"]  # Katê festival, Lantern festivals (stem)
    assert ids(loaded, "title:tomb") == ["c-ma-to"]
    assert set(ids(loaded, "tomb")) == {"c-ma-to", "c-ma-mother"}  # c-ma-mother only in its description
    assert ids(loaded, "tomb")[0] == "c-ma-to"  # a title match ranks first
    assert ids(loaded, "community:khmer") == ["c-html", "c-khmer-new-year", "c-ma-mother"]
    assert ids(loaded, "festival:kate") == ["c-kate"]
    assert ids(loaded, 'place:"Tuệ Thành"') == ["c-lantern"]
    assert ids(loaded, "type:audio") == ["c-ma-ghost"]


def test_phrases_prefixes_and_boolean_operators(loaded):
    assert set(ids(loaded, "tết nguyên tiêu")) == {"c-lantern", "c-scattered"}
    assert ids(loaded, '"tết nguyên tiêu"') == ["c-lantern"]
    assert ids(loaded, "chnă*") == ["c-khmer-new-year"]
    assert set(ids(loaded, "ghost OR mother")) == {"c-ma-ghost", "c-ma-mother"}
    assert set(ids(loaded, "ma -ghost")) == {"c-ma-to", "c-ma-mother"}
    assert set(ids(loaded, "NOT hoa")) == PUBLIC_IDS - {"c-ma-to", "c-ma-ghost", "c-lantern", "c-scattered"}


def test_han_khmer_and_cham_scripts(loaded):
    assert ids(loaded, "元宵節") == ids(loaded, "元宵节") == ["c-lantern"]
    assert ids(loaded, "節元宵") == []  # Han characters match as a phrase, in order
    assert ids(loaded, "បុណ្យចូលឆ្នាំថ្មី") == ["c-khmer-new-year"]
    assert ids(loaded, "ꨆꨓꨬ") == ["c-kate"]


def test_date_range_overlaps_edtf_dates(loaded):
    assert set(ids(loaded, date_from="1960-01-01", date_to="1969-12-31")) == {"c-ma-to", "c-kate"}
    assert set(ids(loaded, "date:1975")) == {"c-html"}  # c-staff is 1975 too, but not public
    assert set(ids(loaded, date_from="2016-04-01")) == {"c-lantern", "c-khmer-new-year"}
    assert "c-undated" not in ids(loaded, date_to="2100-12-31")


def test_facets_count_every_matching_item(loaded):
    request = SearchRequest()
    facets = loaded.search(request).facets
    assert facets == loaded.facets(request)
    assert facets["community"] == [("hoa", 4), ("khmer", 3), ("cham", 2)]
    assert facets["type"] == [("image", 7), ("audio", 1), ("video", 1)]
    assert facets["language"] == [("vie", 3), ("yue", 2), ("cjm", 1), ("khm", 1)]
    assert facets["decade"] == [("2010", 3), ("1960", 2), ("1970", 1), ("1990", 1), ("2020", 1)]
    assert facets["collection"] == [("c-col", 2)]
    assert facets["festival"] == [("chol-chnam-thmay", 1), ("kate", 1), ("tet-nguyen-dan", 1),
                                  ("tet-nguyen-tieu", 1)]
    narrowed = loaded.search(SearchRequest(q="tết", filters={"community": ("hoa",)}))
    assert narrowed.facets["community"] == [("hoa", narrowed.total)]
    assert {h.id for h in narrowed.hits} == {"c-ma-to", "c-lantern", "c-scattered"}


def test_excluded_items_leave_hits_totals_and_facets(loaded):
    """What the catalog changed but the index does not know yet is left out everywhere (archive.searching)."""
    every = loaded.search(SearchRequest(per_page=100))
    hoa = [h.id for h in every.hits if h.display.get("community") == "hoa"]
    assert len(hoa) == 4
    left = loaded.search(SearchRequest(per_page=100, exclude=(hoa[0], hoa[1], "not-indexed")))
    assert left.total == every.total - 2 and {h.id for h in left.hits} == {h.id for h in every.hits} - set(hoa[:2])
    assert dict(left.facets["community"])["hoa"] == 2
    tet = ids(loaded, "tết")
    assert len(tet) > 1 and loaded.count(SearchRequest(q="tết", exclude=tuple(tet[1:]))) == 1


def test_filters_combine_values_with_or_and_facets_with_and(loaded):
    both = SearchRequest(filters={"community": ("cham", "khmer"), "language": ("vie",)})
    assert ids(loaded, filters=both.filters) == ["c-kate"]
    assert loaded.count(both) == 1
    assert set(ids(loaded, filters={"community": ("cham", "khmer")})) == {
        "c-kate", "c-undated", "c-ma-mother", "c-khmer-new-year", "c-html"}
    assert ids(loaded, filters={"community": ("nobody",)}) == []


def test_sorting_and_paging(loaded):
    by_date = ids(loaded, sort="date")
    assert by_date[:3] == ["c-kate", "c-ma-to", "c-html"] and by_date[-1] == "c-undated"
    newest = ids(loaded, sort="-date")
    assert newest[0] == "c-lantern" and newest[-1] == "c-undated"
    assert ids(loaded, sort="title", lang="en")[:2] == ["c-html", "c-ma-ghost"]  # "An odd…", "Ghost story"
    pages = [[h.id for h in loaded.search(SearchRequest(sort="date", page=p, per_page=3)).hits] for p in (1, 2, 3)]
    assert sum(pages, []) == by_date
    assert loaded.search(SearchRequest(page=9, per_page=3)).hits == []


def test_relevance_ties_break_by_id(loaded):
    hits = loaded.search(SearchRequest(q="ma", per_page=10)).hits
    assert len({h.score for h in hits}) == 1
    assert [h.id for h in hits] == sorted(h.id for h in hits)


def test_did_you_mean_corrects_a_misspelling(loaded):
    assert loaded.suggest(SearchRequest(q="lantren")) == "lantern"
    result = loaded.search(SearchRequest(q="lantren festival"))
    assert (result.corrected, result.did_you_mean) == (True, "lantern festival")
    assert [h.id for h in result.hits] == ["c-lantern"]
    assert loaded.suggest(SearchRequest(q="lantern")) is None
    assert loaded.suggest(SearchRequest(q="confidentail")) is None  # only the staff item has the word


def test_highlights_escape_html_and_mark_matches_in_the_display_language(loaded):
    hit = loaded.search(SearchRequest(q="lạ", lang="vi")).hits[0]
    assert hit.id == "c-html"
    title = hit.highlight["title"]
    assert "<script>" not in title and "&lt;script&gt;" in title and "&lt;b&gt;<mark>lạ</mark>&lt;/b&gt;" in title
    english = loaded.search(SearchRequest(q="odd", lang="en")).hits[0].highlight["title"]
    assert english == "An &lt;em&gt;<mark>odd</mark>&lt;/em&gt; &amp; &quot;special&quot; rite"
    lantern = loaded.search(SearchRequest(q="元宵节 festival", lang="en")).hits[0].highlight
    assert lantern["title"] == "Lantern <mark>festivals</mark> night"
    assert lantern["titles"] == {"zh-Hant": "<mark>元宵節</mark>花燈"}

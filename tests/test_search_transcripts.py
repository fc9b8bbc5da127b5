"""Transcripts indexed by time, on both backends: a cue's words find its item, the hit lists the matching cues with
their times (page language first), through the shared analysis (Vietnamese tones, Khmer words, Han characters);
the transcript facets; and a restricted item's cues are never found by a viewer who may not see it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.access import EVERYTHING
from archive.transcripts import read_cues
from archive.vocabularies import Vocabularies
from search.documents import Passage, Source, build_document
from search.labels import FacetLabels
from search.request import SearchRequest
from tests.test_search_contract import BACKENDS, dispose, make_backend

SAMPLES = Path(__file__).resolve().parent.parent / "media_samples"
VOCAB = Vocabularies()


def cues(vtt: Path, lang: str) -> list[Passage]:
    return [Passage("cue", lang, cue.text, {"start": cue.start, "end": cue.end, "media": "0" * 64})
            for cue in read_cues(vtt)]


def av_source(id_: str, title: dict, passages: list[Passage], *, access: str = "public") -> Source:
    return Source(id=id_, type="video", status="published", access=access, record={"title": title},
                  passages=passages)


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory) -> list[Source]:
    where = tmp_path_factory.mktemp("vtt")
    tone = where / "tone.vi.vtt"  # the words of "thắp sáng" with other tones
    tone.write_text("WEBVTT\n\n00:00:02.000 --> 00:00:03.500\nNgười ta thấp sang phố cũ.\n", "utf-8")
    secret = where / "secret.vi.vtt"
    secret.write_text("WEBVTT\n\n00:07.000 --> 00:09.000\nLời nguyện riêng của sư cả Sophal.\n", "utf-8")
    return [
        av_source("t-lantern", {"vi": "Đêm Nguyên Tiêu", "en": "Lantern night"},
                  cues(SAMPLES / "video/tet-nguyen-tieu-pan.vi.vtt", "vi")
                  + cues(SAMPLES / "video/tet-nguyen-tieu-pan.en.vtt", "en")),
        av_source("t-chol", {"vi": "Chôl Chnăm Thmây", "en": "Khmer New Year"},
                  [p for lang in ("vi", "en", "km")
                   for p in cues(SAMPLES / f"audio/chol-chnam-thmay-bilingual.{lang}.vtt", lang)]),
        av_source("t-tone", {"vi": "Phố cũ", "en": "Old street"}, cues(tone, "vi")),
        av_source("t-secret", {"vi": "Nghi lễ kín", "en": "Closed rite"}, cues(secret, "fr"), access="staff"),
        av_source("t-silent", {"vi": "Phim câm", "en": "Silent film"}, []),
    ]


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory, transcripts):
    backend = make_backend(request.param, tmp_path_factory.mktemp("transcripts"), request)
    docs = [build_document(source, VOCAB) for source in transcripts]
    assert backend.rebuild([backend.encode(docs, 0)]) == len(docs)
    yield backend
    dispose(backend)


def search(backend, q: str = "", **options):
    return backend.search(SearchRequest(q=q, per_page=100, **options))


def test_a_phrase_only_in_a_caption_finds_the_item_with_the_cues_time(loaded):
    result = search(loaded, '"thắp sáng"')
    assert [hit.id for hit in result.hits] == ["t-lantern", "t-tone"]  # the same words without their tones
    [cue] = result.hits[0].passages
    assert cue["kind"] == "cue" and cue["lang"] == "vi"
    assert (cue["locator"]["start"], cue["locator"]["end"]) == (0.8, 4.467)
    assert "<mark>thắp</mark> <mark>sáng</mark>" in cue["text"]
    assert result.hits[0].as_json()["passages"] == [cue]


def test_tone_exact_words_rank_first_and_unaccented_words_find_both(loaded):
    assert [hit.id for hit in search(loaded, "thắp sáng").hits] == ["t-lantern", "t-tone"]
    assert [hit.id for hit in search(loaded, "thấp sang").hits] == ["t-tone", "t-lantern"]
    plain = search(loaded, "thap sang")
    assert {hit.id for hit in plain.hits} == {"t-lantern", "t-tone"}
    assert {hit.id: hit.passages[0]["locator"]["start"] for hit in plain.hits} == {"t-lantern": 0.8, "t-tone": 2.0}


def test_a_khmer_word_of_a_transcript_finds_its_cue(loaded):
    [hit] = search(loaded, "ព្រះសង្ឃ", lang="en").hits
    assert hit.id == "t-chol"
    [cue] = hit.passages
    assert (cue["lang"], cue["locator"]["start"]) == ("km", 15.62)
    assert "<mark>ព្រះសង្ឃ</mark>" in cue["text"]


def test_a_chinese_word_finds_its_cues_in_the_page_language_first(loaded):
    for lang, first in (("vi", "vi"), ("en", "en")):
        [hit] = search(loaded, "元宵", lang=lang).hits
        assert hit.id == "t-lantern"
        assert [(c["lang"], c["locator"]["start"]) for c in hit.passages] == sorted(
            [("vi", 5.867), ("en", 5.867)], key=lambda c: c[0] != first)
        assert all("<mark>元宵</mark>" in c["text"] for c in hit.passages)


def test_an_english_cue_is_stemmed(loaded):
    [hit] = search(loaded, "mountain").hits
    assert hit.id == "t-chol" and [c["lang"] for c in hit.passages] == ["en", "en"]


def test_transcript_facets_and_filters(loaded):
    facets = search(loaded).facets
    assert facets["transcript"] == [("yes", 3)]
    assert facets["transcript_language"] == [("vi", 3), ("en", 2), ("km", 1)]
    assert {hit.id for hit in search(loaded, filters={"transcript_language": ("km",)}).hits} == {"t-chol"}
    assert "t-silent" not in {hit.id for hit in search(loaded, filters={"transcript": ("yes",)}).hits}
    labels = FacetLabels(VOCAB, {})
    assert labels.label("transcript_language", "km") == {"vi": "Tiếng Khmer", "en": "Khmer"}
    assert labels.label("transcript", "yes")["en"] == "Has captions or a transcript"


def test_a_restricted_items_transcript_is_never_found_by_an_anonymous_visitor(loaded):
    staff = search(loaded, "Sophal", scope=EVERYTHING)
    assert [hit.id for hit in staff.hits] == ["t-secret"] and staff.hits[0].passages[0]["locator"]["start"] == 7.0
    assert staff.facets["transcript_language"] == [("fr", 1)]
    for q in ("Sophal", "nguyện riêng", '"su ca sophal"'):
        result = search(loaded, q)
        assert (result.total, result.hits, result.did_you_mean) == (0, [], None)
        assert all(values == [] for values in result.facets.values())
    everything = search(loaded)
    assert "fr" not in dict(everything.facets["transcript_language"])
    assert everything.facets["transcript"] == [("yes", 3)]
    assert all("Sophal" not in str(hit.as_json()) for hit in everything.hits)


def test_api_and_search_page_show_the_cue_hits_of_the_ingested_samples(client):
    """The samples as `heritage demo` ingests them (captions stored, the item indexed through the outbox):
    "thắp sáng" is only in the lantern video's Vietnamese captions, nowhere in media_samples/metadata.csv."""
    assert "thắp sáng" not in (SAMPLES / "metadata.csv").read_text("utf-8").lower()
    body = client.get("/api/search", query_string={"q": '"thắp sáng"', "lang": "en"}).get_json()
    [hit] = body["hits"]
    assert hit["type"] == "video"
    [cue] = hit["passages"]
    assert (cue["kind"], cue["lang"], cue["locator"]["start"], cue["locator"]["end"]) == ("cue", "vi", 0.8, 4.467)
    assert cue["locator"]["canvas"] == 1  # the video, its item's only canvas
    assert "<mark>thắp</mark> <mark>sáng</mark>" in cue["text"]
    assert [(f["value"], f["count"]) for f in body["facets"]["transcript_language"]] == [("en", 1), ("vi", 1)]
    everything = client.get("/api/search").get_json()["facets"]
    assert everything["transcript"][0]["value"] == "yes" and everything["transcript"][0]["count"] == 4
    assert {f["value"]: f["label"]["en"] for f in everything["transcript_language"]} == {
        "vi": "Vietnamese", "en": "English", "km": "Khmer"}
    page = client.get("/vi/search", query_string={"q": "nhà sư"}).get_data(as_text=True)
    link = re.search(r'<a class="cue-hit" href="/vi/items/([^"?]+)\?canvas=1&amp;t=15.62"', page)
    assert link, page
    assert "<mark>nhà</mark> <mark>sư</mark>" in page
    assert "t=21.325" in page  # its second cue with the words, after the first
    assert page.index("t=15.62") < page.index("t=21.325")


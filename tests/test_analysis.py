"""The shared text analysis: Vietnamese folding, English stems, Han, Khmer and Cham tokens, ES compatibility."""
from __future__ import annotations

import unicodedata

import pytest
from elasticsearch import Elasticsearch

from search.analysis import (STREAMS, analyze, analyze_query, fold, normalise, tokens_cham, tokens_exact,
                             tokens_folded, tokens_han, tokens_khmer, tokens_stem)

KA, TA, FINAL_N, CHA, FINAL_M = (unicodedata.lookup(f"CHAM {name}") for name in (
    "LETTER KA", "LETTER TA", "LETTER FINAL N", "LETTER CHA", "CONSONANT SIGN FINAL M"))
VOWEL_I = unicodedata.lookup("CHAM VOWEL SIGN I")


def test_vietnamese_tones_fold_to_the_bare_syllable():
    assert tokens_folded("má mà mả mã mạ ma MẢ") == ["ma"] * 7
    assert tokens_exact("má mà mả ma MẢ") == ["má", "mà", "mả", "ma", "mả"]


def test_vowel_marks_and_d_bar_fold():
    assert fold("Đường Nguyễn Trãi, Quận Năm") == "duong nguyen trai, quan nam"
    assert tokens_folded("ĐÌNH ơ ư ă â ê ô") == ["dinh", "o", "u", "a", "a", "e", "o"]


def test_nfd_input_is_normalised_to_nfc():
    tokens = tokens_exact(unicodedata.normalize("NFD", "Mả Tổ Tiên"))
    assert tokens == ["mả", "tổ", "tiên"]
    assert all(unicodedata.is_normalized("NFC", token) for token in tokens)


def test_control_characters_are_stripped_and_whitespace_controls_separate():
    assert normalise("Ma\x00ri\x0cHội\u00adquán") == "mari hộiquán"


def test_query_keeps_its_own_diacritics_in_the_exact_stream():
    query = analyze_query("mả")
    assert query["exact"] == ["mả"] and query["folded"] == ["ma"]
    documents = {text: analyze(text, "vi") for text in ("ma", "má", "mà", "mả")}
    assert [text for text, streams in documents.items() if query["exact"][0] in streams["exact"]] == ["mả"]
    assert all(query["folded"][0] in streams["folded"] for streams in documents.values())


def test_traditional_and_simplified_han_give_the_same_tokens():
    assert tokens_han("元宵節") == tokens_han("元宵节") == ["元", "宵", "节"]
    assert tokens_han("穗城會館 天后宮") == tokens_han("穗城会馆 天后宫")


def test_han_characters_stay_out_of_the_word_streams():
    streams = analyze("Chùa Bà Thiên Hậu 天后宮 Q.5")
    assert streams["exact"] == ["chùa", "bà", "thiên", "hậu", "q", "5"]
    assert streams["han"] == ["天", "后", "宫"]


def test_khmer_phrase_is_segmented_into_words():
    assert tokens_khmer("ពិធីបុណ្យចូលឆ្នាំថ្មី") == ["ពិធី", "បុណ្យ", "ចូល", "ឆ្នាំ", "ថ្មី"]


def test_khmer_digits_and_punctuation_are_split_off():
    tokens = tokens_khmer("ថ្ងៃទី១៥ ខែមេសា។")
    assert "១៥" in tokens and "។" not in "".join(tokens)
    assert "".join(tokens) == "ថ្ងៃទី១៥ខែមេសា"


def test_cham_gives_bigrams_of_grapheme_clusters():
    word = KA + TA + VOWEL_I + FINAL_N  # clusters: KA, TA+I, FINAL N
    assert tokens_cham(word) == [KA + TA + VOWEL_I, TA + VOWEL_I + FINAL_N]
    assert tokens_cham(CHA + FINAL_M) == [CHA + FINAL_M]  # one cluster stays whole
    assert not any(unicodedata.category(token[0]).startswith("M") for token in tokens_cham(word))


def test_english_stems():
    assert tokens_stem("Festivals") == ["festiv"]
    assert analyze("Lantern festivals", "en")["stem"] == ["lantern", "festiv"]
    assert analyze("Lantern festivals", "vi")["stem"] == []
    assert analyze_query("festival")["stem"] == ["festiv"]


def test_analyze_returns_every_stream():
    assert set(analyze("x")) == set(STREAMS) == set(analyze_query("x"))


def test_overlong_tokens_are_dropped():
    assert tokens_exact("a" * 256 + " b " + "c" * 255) == ["b", "c" * 255]


MIXED_TEXT = unicodedata.normalize("NFD", (
    "LỄ HỘI Tết Nguyên Tiêu — Hội quán Tuệ Thành (Chùa Bà), 710 Nguyễn Trãi, Q.5; don't x_y a.b 3.14 1,5 x² "
    "Festivals' lanterns; soft\u00adhyphen; emoji 🏮. 元宵節 穗城會館 元宵节 𠀀 〇 ⺀ "
    "ពិធីបុណ្យចូលឆ្នាំថ្មី ថ្ងៃទី១៥ ខែមេសា ឆ្នាំ២០២៤។ ទៅៗ ៛១០០ "
    f"{KA}{TA}{VOWEL_I}{FINAL_N} {CHA}{FINAL_M}꩜ ꩑꩒ {VOWEL_I}{KA} "
    "مَسْجِد ١٢٣ ῥόδον ǅemal ﬁn"))


@pytest.mark.slow
@pytest.mark.parametrize("analyzer", ["standard", "whitespace"])
def test_tokens_survive_elasticsearch_analyzers_unchanged(elasticsearch_node, analyzer):
    es = Elasticsearch(elasticsearch_node.url, request_timeout=30)
    streams = analyze(MIXED_TEXT, "en")
    assert all(streams.values()), streams  # the sample exercises every stream
    for name, tokens in streams.items():
        result = es.indices.analyze(analyzer=analyzer, text=" ".join(tokens))
        assert [t["token"] for t in result["tokens"]] == tokens, name
        assert [t["position"] for t in result["tokens"]] == list(range(len(tokens))), name

"""Text analysis shared by both search backends (Whoosh and Elasticsearch), so both see the same tokens.

Text becomes named streams of token strings. A backend indexes each stream's tokens joined by spaces into a field
analysed by Elasticsearch's ``standard`` analyzer (or by whitespace), so every token is built to pass through that
analyzer unchanged: lower-case, no punctuation, never starting with a combining mark, never mixing letters and
digits where the Unicode word-break rules would split them, at most 255 UTF-16 units long.

========  ==================================================================================================
exact     words of alphabetic scripts (Latin with Vietnamese, Arabic, …), case-folded, diacritics kept
folded    the same words with Latin diacritics removed and đ→d: ``ma`` finds má, mà, mả; ``exact`` ranks mả first
stem      English Snowball stems of the folded words (English fields, and every query)
han       one token per Han character, traditional folded to simplified, for phrase matching by position
khmer     Khmer words segmented by khmercut (Khmer is written without spaces), digit runs apart
cham      bigrams of Cham grapheme clusters (no maintained Cham segmenter exists)
========  ==================================================================================================
"""
from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache
from itertools import pairwise
from typing import Iterator

import khmercut
import opencc
import regex
import snowballstemmer

STREAMS = ("exact", "folded", "stem", "han", "khmer", "cham")
MAX_TOKEN_UTF16 = 255  # Lucene's standard tokenizer cuts longer tokens

_SCRIPT_RUNS = regex.compile(
    r"(?P<han>[\p{Han}&&[\p{L}\p{Nl}]])"
    r"|(?P<khmer_digits>[\p{Khmer}&&\p{Nd}]+)"
    r"|(?P<khmer>[\p{Khmer}&&\p{L}][\p{Khmer}&&[\p{L}\p{M}]]*)"
    r"|(?P<cham>[\p{Cham}&&[\p{L}\p{Nd}]][\p{Cham}&&[\p{L}\p{M}\p{Nd}]]*)"
    r"|(?P<word>[[\p{L}\p{Nd}]--[\p{Han}\p{Khmer}\p{Cham}]][[\p{L}\p{M}\p{Nd}]--[\p{Han}\p{Khmer}\p{Cham}]]*)",
    regex.V1,
)
_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}]")
_SEPARATORS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u200b")  # ZWSP separates Khmer words
_LATIN_MARKS = regex.compile(r"[\u0300-\u036f]")
_CLUSTER = regex.compile(r"\X")
_T2S = opencc.OpenCC("t2s")
_KHMER_LOCK = threading.Lock()  # khmercut shares one CRF tagger, which is not thread-safe
_STEMMERS = threading.local()  # snowballstemmer objects keep state while stemming


def normalise(text: str) -> str:
    """NFC, case-folded, without control and format characters (whitespace controls and ZWSP become spaces)."""
    text = _CONTROL.sub(lambda m: " " if m.group() in _SEPARATORS else "", unicodedata.normalize("NFC", text))
    return unicodedata.normalize("NFC", text.casefold())


def fold(text: str) -> str:
    """Normalise and remove Latin diacritics (all Vietnamese tone and vowel marks), with đ→d."""
    return _fold_normalised(normalise(text))


@lru_cache(maxsize=262144)
def _fold_normalised(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d"))
    return unicodedata.normalize("NFC", _LATIN_MARKS.sub("", decomposed))


def _fits(token: str) -> bool:
    return len(token) <= MAX_TOKEN_UTF16 // 2 or len(token.encode("utf-16-le")) <= 2 * MAX_TOKEN_UTF16


def script_runs(normalised: str) -> Iterator[tuple[str, int, int]]:
    """``(kind, start, end)`` of each run in already-normalised text; kind is han, khmer, cham or word."""
    for match in _SCRIPT_RUNS.finditer(normalised):
        kind = match.lastgroup
        yield "khmer" if kind == "khmer_digits" else kind, match.start(), match.end()


def _runs(text: str) -> dict[str, list[str]]:
    """The normalised text cut into runs by kind (han, khmer, khmer_digits, cham, word), in text order."""
    runs: dict[str, list[str]] = {"han": [], "khmer": [], "cham": [], "word": []}
    for match in _SCRIPT_RUNS.finditer(normalise(text)):
        kind = match.lastgroup
        runs["khmer" if kind == "khmer_digits" else kind].append(match.group())
    return runs


@lru_cache(maxsize=65536)
def _simplified(char: str) -> str:
    # Character by character, not phrase by phrase: the same character must fold the same way in every context,
    # so a query matches a document whatever surrounds it.
    return _T2S.convert(char)


def _han(runs: list[str]) -> list[str]:
    return [char for run in runs for char in _simplified(run)]


@lru_cache(maxsize=65536)
def khmer_words(run: str) -> tuple[str, ...]:
    """One Khmer run cut into words (a digit run stays whole); cached, as segmenting is the slow part of indexing."""
    if run[0].isdigit():
        return (run,)
    with _KHMER_LOCK:
        return tuple(khmercut.tokenize(run))


def _khmer(runs: list[str]) -> list[str]:
    return [token for run in runs for token in khmer_words(run) if _fits(token)]


def _cham(runs: list[str]) -> list[str]:
    tokens = []
    for run in runs:
        clusters = _CLUSTER.findall(run)
        tokens.extend([run] if len(clusters) == 1 else [a + b for a, b in pairwise(clusters)])
    return tokens


@lru_cache(maxsize=262144)
def stem(word: str) -> str:
    """English Snowball stem of one folded word; cached, as the stemmer is pure Python."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def _stem(words: list[str]) -> list[str]:
    return [stem(word) for word in words]


def _words(runs: list[str]) -> list[str]:
    return [run for run in runs if _fits(run)]


def tokens_exact(text: str) -> list[str]:
    """Words of alphabetic scripts, case-folded, diacritics kept: ``Mả Tổ`` → ``["mả", "tổ"]``."""
    return _words(_runs(text)["word"])


def tokens_folded(text: str) -> list[str]:
    """The exact words without diacritics: ``Mả Tổ`` → ``["ma", "to"]``."""
    return [_fold_normalised(word) for word in tokens_exact(text)]


def tokens_stem(text: str) -> list[str]:
    """English stems of the folded words: ``Festivals`` → ``["festiv"]``."""
    return _stem(tokens_folded(text))


def tokens_han(text: str) -> list[str]:
    """One token per Han character, in simplified form: ``元宵節`` → ``["元", "宵", "节"]``."""
    return _han(_runs(text)["han"])


def tokens_khmer(text: str) -> list[str]:
    """Khmer words found by khmercut, with Khmer digit runs as tokens of their own."""
    return _khmer(_runs(text)["khmer"])


def tokens_cham(text: str) -> list[str]:
    """Bigrams of Cham grapheme clusters (a one-cluster run stays whole)."""
    return _cham(_runs(text)["cham"])


def _is_english(lang: str | None) -> bool:
    return lang is not None and lang.split("-")[0].lower() == "en"


def analyze(text: str, lang: str | None = None) -> dict[str, list[str]]:
    """Every stream of ``text`` (keys: ``STREAMS``); ``stem`` is filled only when ``lang`` is an English BCP 47 tag."""
    runs = _runs(text)
    exact = _words(runs["word"])
    folded = [_fold_normalised(word) for word in exact]
    return {
        "exact": exact,
        "folded": folded,
        "stem": _stem(folded) if _is_english(lang) else [],
        "han": _han(runs["han"]),
        "khmer": _khmer(runs["khmer"]),
        "cham": _cham(runs["cham"]),
    }


def analyze_query(text: str) -> dict[str, list[str]]:
    """Every stream of query text; a query's language is unknown, so ``stem`` is always filled (for English fields)."""
    return analyze(text, lang="en")

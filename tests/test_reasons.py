"""Rejection reasons: the English the CLI prints, the codes the pages translate, and the two tables agreeing."""
from __future__ import annotations

import pickle
import re

import pytest
from flask import g

from archive.reasons import ENGLISH, Reason, reason_of
from archive.web import create_app
from archive.web.reasons import _sentences, say

PLACEHOLDER_EN = re.compile(r"\{(\w+)")
PLACEHOLDER_WEB = re.compile(r"%\((\w+)\)s")


@pytest.fixture
def app(settings, archive):
    return create_app(settings, archive)


def test_every_code_has_a_sentence_on_the_pages_with_the_same_values(app):
    with app.test_request_context("/en/"):
        sentences = _sentences()
    assert sorted(sentences) == sorted(ENGLISH)
    for code, english in ENGLISH.items():
        assert set(PLACEHOLDER_WEB.findall(sentences[code])) == set(PLACEHOLDER_EN.findall(english)), code


def test_a_reason_reads_as_its_english_text_and_survives_a_trip_to_a_worker_process():
    reason = Reason("too_large", size=30_000_000, limit=25_000_000).about("đêm hội.mp4")
    assert reason == "đêm hội.mp4: file is 30,000,000 bytes, over the limit of 25,000,000"
    back = pickle.loads(pickle.dumps(reason))
    assert (back, back.code, back.subject, back.params) == (reason, "too_large", "đêm hội.mp4",
                                                            {"size": 30_000_000, "limit": 25_000_000})
    assert Reason.from_dict(reason.as_dict()) == reason
    assert reason_of("words from elsewhere").code == "other" and reason_of(reason) is reason


def test_the_pages_say_it_in_their_language_with_numbers_written_their_way(app):
    reason = Reason("too_long", "kate.flac", duration=7300, limit=7200)
    with app.test_request_context("/vi/"):
        g.lang = "vi"
        assert say(reason) == "kate.flac: Bản ghi dài 7.300 giây, vượt quá giới hạn 7.200 giây."
    with app.test_request_context("/en/"):
        g.lang = "en"
        assert say(reason) == "kate.flac: The recording lasts 7,300 s, over the limit of 7,200 s."

"""Every interface string has a Vietnamese and an English translation (extracted from the code and templates now,
so a string added without translations fails here), with its placeholders intact, and the pages use them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from archive.web import create_app

REPO = Path(__file__).resolve().parent.parent
TRANSLATIONS = REPO / "archive" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _source_strings() -> set:
    with open(REPO / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            REPO / "archive", method_map, options_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2),
                                                                   "lazy_gettext": None, "_n": (1, 2)}):
        found.add(message if isinstance(message, str) else tuple(m for m in message if m))
    return {m for m in found if m}


def _key(value):
    return value if isinstance(value, str) else tuple(value)


def _catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def test_the_extraction_finds_the_interface_strings():
    strings = _source_strings()
    assert "Search the archive" in strings and "Cite this item" in strings
    assert len(strings) > 100


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_interface_string_is_translated(lang):
    catalog = _catalog(lang)
    problems = []
    for msgid in sorted(_source_strings(), key=str):
        key = msgid if isinstance(msgid, str) else msgid[0]
        message = catalog.get(key)
        if message is None:
            problems.append(f"not in the {lang} catalogue: {msgid!r}")
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if not all(s.strip() for s in strings):
            problems.append(f"no {lang} translation: {msgid!r}")
        if message.fuzzy:
            problems.append(f"fuzzy {lang} translation: {msgid!r}")
        wanted = set(PLACEHOLDER.findall(key))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"{lang} translation of {msgid!r} changes the placeholders: {s!r}")
    assert not problems, "\n".join(problems)


def test_the_vietnamese_catalogue_is_vietnamese():
    sentences = [m for m in _catalog("vi") if m.id and isinstance(m.id, str) and len(m.id.split()) >= 3]
    untouched = [m.id for m in sentences if m.string == m.id]
    assert len(untouched) <= len(sentences) // 20, untouched


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_compiled_catalogues_match_the_sources(lang):
    """The app loads the .mo files (built by scripts/translations.sh compile at install)."""
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    source = {_key(m.id): _key(m.string) for m in _catalog(lang) if m.id}
    assert compiled == source, "run scripts/translations.sh compile"


def test_pages_speak_the_language_of_their_prefix(settings, archive):
    client = create_app(settings, archive).test_client()
    vi = client.get("/vi/about").get_data(as_text=True)
    en = client.get("/en/about").get_data(as_text=True)
    assert 'lang="vi"' in vi and "Giới thiệu kho lưu trữ" in vi and "About the archive" not in vi
    assert 'lang="en"' in en and "About the archive" in en and "Giới thiệu kho lưu trữ" not in en
    # The switch names the other language in that language.
    assert "Xem trang này bằng tiếng Việt" in en and "View this page in English" in vi

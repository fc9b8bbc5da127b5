"""Shape and content checks for the controlled-vocabulary data files in archive/vocabularies/.

These test the data only (no loader code): every file must follow the format fixed in the lead's contracts,
contain every contracted term id, cite its sources, and hold well-formed codes, tags and coordinates.
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

VOCAB_DIR = Path(__file__).resolve().parents[1] / "archive" / "vocabularies"
NAMES = ("communities", "festivals", "places", "languages", "scripts", "licences", "roles")

# Term ids the contracts require (copied from the lead's contracts, not parsed, so the test stands alone).
REQUIRED_IDS = {
    "communities": {"cham", "hoa", "khmer"},
    "festivals": {"kate", "ramuwan", "tet-nguyen-dan", "tet-nguyen-tieu", "via-ba-thien-hau", "trung-thu",
                  "chol-chnam-thmay", "sene-dolta", "ok-om-bok", "kathina"},
    "places": {"tue-thanh-hoi-quan", "nghia-an-hoi-quan", "on-lang-hoi-quan", "chua-chantarangsay",
               "thanh-duong-trung-tam", "dinh-doc-lap", "ben-nha-rong", "dia-dao-cu-chi"},
    "languages": {"vie", "eng", "khm", "cjm", "cja", "yue", "cmn", "nan", "hak", "ara", "pli"},
    "scripts": {"Cham", "Khmr", "Hani", "Hant", "Hans", "Latn", "Arab"},
    "licences": {"cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nd-4.0", "cc-by-nc-nd-4.0",
                 "cc0-1.0", "pdm-1.0", "rs-inc", "rs-inc-edu", "rs-inc-nc", "rs-noc-nc", "rs-noc-oklr", "rs-cne",
                 "rs-und", "rs-nkc"},
    "roles": {"creator", "photographer", "videographer", "recordist", "performer", "narrator", "interviewer",
              "interviewee", "transcriber", "translator", "contributor", "depositor"},
}
CONTRACT_URIS = {
    "cc-by-4.0": "http://creativecommons.org/licenses/by/4.0/",
    "cc0-1.0": "http://creativecommons.org/publicdomain/zero/1.0/",
    "rs-inc": "http://rightsstatements.org/vocab/InC/1.0/",
}
PLACE_KINDS = {"temple", "pagoda", "mosque", "assembly-hall", "historic-site", "museum", "church", "market", "district"}
HCMC_BBOX = {"lat": (10.35, 11.17), "lon": (106.35, 107.03)}

# RFC 5646 section 2.1 "langtag" / "privateuse" productions (well-formedness, not registry validity).
_ALNUM = "[A-Za-z0-9]"
_LANGTAG = (
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})"  # language (+ up to 3 extlang)
    r"(?:-[A-Za-z]{4})?"                                                 # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"                                     # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"                      # variants
    rf"(?:-[0-9A-WYZa-wyz](?:-{_ALNUM}{{2,8}})+)*"                        # extensions
    rf"(?:-[Xx](?:-{_ALNUM}{{1,8}})+)?"                                   # private use
)
BCP47 = re.compile(rf"^(?:{_LANGTAG}|[Xx](?:-{_ALNUM}{{1,8}})+)$")
# Script subtag of a tag -> Unicode range every letter of that label must fall in.
SCRIPT_RANGES = {"Cham": (0xAA00, 0xAA5F), "Khmr": (0x1780, 0x17FF)}
SUPPRESSED_SCRIPT = {"km": "Khmr"}


def load(name: str) -> dict:
    path = VOCAB_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vocabs() -> dict[str, dict]:
    return {name: load(name) for name in NAMES}


def iter_strings(value, where="$"):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from iter_strings(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}.{key}<key>", key
            yield from iter_strings(item, f"{where}.{key}")


def script_of(tag: str) -> str | None:
    parts = tag.split("-")
    scripts = [p for p in parts[1:] if len(p) == 4 and p.isalpha()]
    return scripts[0].title() if scripts else SUPPRESSED_SCRIPT.get(parts[0].lower())


def test_bcp47_pattern_itself():
    for good in ("vi", "en", "km", "zh-Hant", "zh-Hans", "cjm-Cham", "cjm-Latn", "yue-Hant", "pi-Khmr", "es-419",
                 "de-CH-1996", "x-private", "en-a-bbb-x-a-ccc"):
        assert BCP47.match(good), good
    for bad in ("", "vi_VN", "zh-Hant-", "toolonglanguage", "a", "cjm-Cham-Cham-Cham", "en--US", "vi VN"):
        assert not BCP47.match(bad), bad


@pytest.mark.parametrize("name", NAMES)
def test_file_envelope(name, vocabs):
    doc = vocabs[name]
    assert set(doc) == {"vocabulary", "description", "sources", "terms"}, sorted(doc)
    assert doc["vocabulary"] == name
    assert doc["description"].get("vi") and doc["description"].get("en")
    assert isinstance(doc["terms"], list) and doc["terms"]


@pytest.mark.parametrize("name", NAMES)
def test_sources_are_complete_and_used(name, vocabs):
    doc = vocabs[name]
    ids = [s["id"] for s in doc["sources"]]
    assert len(ids) == len(set(ids)), f"{name}: duplicate source ids"
    for source in doc["sources"]:
        assert set(source) == {"id", "title", "url", "accessed"}, source
        assert source["title"].strip(), source
        assert re.match(r"^https?://[^\s/]+\S*$", source["url"]), f"{name}: bad url {source['url']!r}"
        date.fromisoformat(source["accessed"])
    referenced = set()
    for term in doc["terms"]:
        assert term.get("sources"), f"{name}/{term['id']}: no sources"
        referenced.update(term["sources"])
        if term.get("coordinates_source"):
            referenced.add(term["coordinates_source"])
    assert referenced <= set(ids), f"{name}: unknown source ids {sorted(referenced - set(ids))}"
    assert set(ids) <= referenced, f"{name}: sources never cited {sorted(set(ids) - referenced)}"


@pytest.mark.parametrize("name", NAMES)
def test_terms_ids_and_labels(name, vocabs):
    terms = vocabs[name]["terms"]
    ids = [t["id"] for t in terms]
    assert len(ids) == len(set(ids)), f"{name}: duplicate term ids"
    missing = REQUIRED_IDS[name] - set(ids)
    assert not missing, f"{name}: contract ids missing {sorted(missing)}"
    for term in terms:
        label = term["label"]
        assert label.get("vi", "").strip() and label.get("en", "").strip(), f"{name}/{term['id']}: needs vi+en"
        for tag, text in label.items():
            assert BCP47.match(tag), f"{name}/{term['id']}: label tag {tag!r} is not well-formed BCP 47"
            assert text.strip() == text and text, f"{name}/{term['id']}: empty or padded label {tag}"
            script = script_of(tag)
            if script in SCRIPT_RANGES:
                lo, hi = SCRIPT_RANGES[script]
                letters = [c for c in text if not c.isspace()]
                assert letters and all(lo <= ord(c) <= hi for c in letters), \
                    f"{name}/{term['id']}: {tag} label {text!r} has characters outside the {script} block"
        if "notes" in term:
            assert term["notes"].get("en", "").strip(), f"{name}/{term['id']}: notes need an en text"


@pytest.mark.parametrize("name", NAMES)
def test_all_text_is_nfc(name):
    raw = (VOCAB_DIR / f"{name}.json").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw), f"{name}.json is not NFC as a whole"
    for where, text in iter_strings(json.loads(raw)):
        assert unicodedata.is_normalized("NFC", text), f"{name}{where} not NFC: {text!r}"


def test_festivals(vocabs):
    communities = {t["id"] for t in vocabs["communities"]["terms"]}
    for term in vocabs["festivals"]["terms"]:
        assert term["community"] in communities, term["id"]
        for field in ("date_rule", "description"):
            assert term[field].get("vi") and term[field].get("en"), f"{term['id']}.{field}"


def test_places(vocabs):
    communities = {t["id"] for t in vocabs["communities"]["terms"]}
    sources = {s["id"] for s in vocabs["places"]["sources"]}
    for term in vocabs["places"]["terms"]:
        tid = term["id"]
        assert term["community"] is None or term["community"] in communities, tid
        assert term["kind"] in PLACE_KINDS, tid
        for field in ("address", "description"):
            assert term[field].get("vi") and term[field].get("en"), f"{tid}.{field}"
        coords = term["coordinates"]
        assert set(coords) == {"lat", "lon"}, tid
        for axis, (lo, hi) in HCMC_BBOX.items():
            value = coords[axis]
            assert isinstance(value, float), f"{tid}: {axis} must be a float"
            assert lo <= value <= hi, f"{tid}: {axis}={value} outside Ho Chi Minh City"
            assert len(repr(value).split(".")[1]) <= 5, f"{tid}: {axis} has more than 5 decimals"
        if term["coordinates_verified"]:
            assert term["coordinates_source"] in sources, f"{tid}: verified coordinates need a cited source"
        else:
            assert term["coordinates_source"] is None, tid
            assert "not verified" in term["notes"]["en"].lower(), f"{tid}: unverified coordinates must say so"


def test_places_contract_descriptions(vocabs):
    places = {t["id"]: t for t in vocabs["places"]["terms"]}
    assert places["tue-thanh-hoi-quan"]["label"]["zh-Hant"] == "穗城會館"
    assert places["nghia-an-hoi-quan"]["label"]["zh-Hant"] == "義安會館"
    assert places["on-lang-hoi-quan"]["label"]["zh-Hant"] == "溫陵會館"
    assert "Nguyễn Trãi" in places["tue-thanh-hoi-quan"]["address"]["vi"]
    assert "Lão Tử" in places["on-lang-hoi-quan"]["address"]["vi"]
    assert "Trần Quốc Thảo" in places["chua-chantarangsay"]["address"]["vi"]
    assert "66 Đông Du" in places["thanh-duong-trung-tam"]["address"]["vi"]


def test_languages(vocabs):
    for term in vocabs["languages"]["terms"]:
        assert re.fullmatch(r"[a-z]{3}", term["iso639_3"]), term["id"]
        assert term["id"] == term["iso639_3"]


def test_scripts(vocabs):
    for term in vocabs["scripts"]["terms"]:
        assert re.fullmatch(r"[A-Z][a-z]{3}", term["iso15924"]), term["id"]
        assert term["id"] == term["iso15924"]
        assert re.fullmatch(r"[0-9]{3}", term["iso15924_numeric"]), term["id"]
        assert term["direction"] in {"ltr", "rtl"}, term["id"]
    directions = {t["id"]: t["direction"] for t in vocabs["scripts"]["terms"]}
    assert directions["Arab"] == "rtl" and directions["Cham"] == "ltr"


def test_licences(vocabs):
    terms = vocabs["licences"]["terms"]
    uris = [t["uri"] for t in terms]
    assert len(uris) == len(set(uris)), "licence URIs must be unique"
    for term in terms:
        assert term["uri"].startswith(("http://creativecommons.org/", "http://rightsstatements.org/")), term["id"]
        assert term["uri"].endswith("/"), term["id"]
        assert isinstance(term["allows_download"], bool), term["id"]
    by_id = {t["id"]: t for t in terms}
    for tid, uri in CONTRACT_URIS.items():
        assert by_id[tid]["uri"] == uri
    assert by_id["rs-inc"]["allows_download"] is False
    assert by_id["cc-by-4.0"]["allows_download"] is True


def test_roles(vocabs):
    codes = [t["marc_relator"] for t in vocabs["roles"]["terms"]]
    assert len(codes) == len(set(codes))
    for term in vocabs["roles"]["terms"]:
        assert re.fullmatch(r"[a-z]{3}", term["marc_relator"]), term["id"]
    by_id = {t["id"]: t["marc_relator"] for t in vocabs["roles"]["terms"]}
    assert by_id["photographer"] == "pht" and by_id["interviewee"] == "ive" and by_id["depositor"] == "dpt"

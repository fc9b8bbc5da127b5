import unicodedata

import pytest

from archive.errors import InvalidRecord
from archive.records import edtf_bounds, validate_record
from archive.vocabularies import Vocabularies

VOCAB = Vocabularies()


def good(**extra):
    return {"title": {"vi": "Lễ hội Katê", "en": "Katê festival"}, "community": "cham", **extra}


def test_minimal_record_defaults_to_public():
    assert validate_record(good(), VOCAB)["access"] == "public"


def test_vietnamese_is_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "Tết Nguyên Tiêu")
    record = validate_record(good(title={"vi": decomposed}), VOCAB)
    assert record["title"]["vi"] == unicodedata.normalize("NFC", "Tết Nguyên Tiêu")
    assert record["title"]["vi"] != decomposed


def test_every_problem_is_reported_with_its_field():
    with pytest.raises(InvalidRecord) as err:
        validate_record({"title": {"fr": "x"}, "community": "thai", "colour": "red", "date": "sometime"}, VOCAB)
    fields = {p.field for p in err.value.problems}
    assert {"colour", "title"} <= fields
    assert any(p.field == "colour" and p.reason == "unknown key" for p in err.value.problems)


def test_unknown_term_names_allowed_values():
    with pytest.raises(InvalidRecord) as err:
        validate_record(good(community="thai"), VOCAB)
    reason = err.value.problems[0].reason
    assert "unknown community 'thai'" in reason and "cham, hoa, khmer" in reason


def test_terms_and_lists_checked():
    with pytest.raises(InvalidRecord) as err:
        validate_record(good(languages=["vie", "xxx"], scripts=["Khmr", "Zzzz"], festival="nope",
                             creators=[{"name": "A", "role": "boss"}]), VOCAB)
    fields = sorted(p.field for p in err.value.problems)
    assert fields == ["creators.0.role", "festival", "languages", "scripts"]


def test_bad_language_tag():
    with pytest.raises(InvalidRecord) as err:
        validate_record(good(title={"vi": "x", "Khmer!": "y"}), VOCAB)
    assert "not a BCP 47 language tag" in str(err.value)


def test_rights_uri_canonicalised_to_http():
    record = validate_record(good(rights="https://creativecommons.org/licenses/by/4.0"), VOCAB)
    assert record["rights"] == "http://creativecommons.org/licenses/by/4.0/"


def test_unknown_licence():
    with pytest.raises(InvalidRecord) as err:
        validate_record(good(rights="http://example.org/mine"), VOCAB)
    assert "unknown licence" in str(err.value)


def test_unknown_collection():
    with pytest.raises(InvalidRecord) as err:
        validate_record(good(collections=["nope"]), VOCAB, collections={"cham-festivals"})
    assert "unknown collection 'nope'" in str(err.value)


def test_html_is_stored_verbatim():
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    assert validate_record(good(title={"en": payload}), VOCAB)["title"]["en"] == payload


@pytest.mark.parametrize("value,bounds", [
    ("2019-10", ("2019-10-01", "2019-10-31")),
    ("196X", ("1960-01-01", "1969-12-31")),
    ("2001/2005", ("2001-01-01", "2005-12-31")),
    ("1975~", ("1975-01-01", "1975-12-31")),
])
def test_edtf_bounds(value, bounds):
    assert edtf_bounds(value) == bounds


def test_bad_edtf_date():
    with pytest.raises(InvalidRecord) as err:
        validate_record(good(date="October 2019"), VOCAB)
    assert "not an EDTF date" in str(err.value)

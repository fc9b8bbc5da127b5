"""Language maps for IIIF documents: the archive's own labels and vocabulary terms, in vi, en and original script."""
from __future__ import annotations

from archive.labels import ITEM_TYPES, caption_language_id
from archive.vocabularies import Vocabularies

LangMap = dict[str, list[str]]

ARCHIVE_NAME: LangMap = {
    "vi": ["Kho lưu trữ di sản số của cộng đồng Chăm, Hoa và Khmer TP. Hồ Chí Minh"],
    "en": ["Digital heritage archive of the Cham, Hoa and Khmer communities of Ho Chi Minh City"],
}
FIELDS: dict[str, LangMap] = {
    "identifier": {"vi": ["Mã định danh"], "en": ["Identifier"]},
    "type": {"vi": ["Loại tư liệu"], "en": ["Type"]},
    "community": {"vi": ["Cộng đồng"], "en": ["Community"]},
    "festival": {"vi": ["Lễ hội"], "en": ["Festival"]},
    "place": {"vi": ["Địa điểm"], "en": ["Place"]},
    "date": {"vi": ["Thời gian (EDTF)"], "en": ["Date (EDTF)"]},
    "lunar_date": {"vi": ["Ngày âm lịch"], "en": ["Lunar date"]},
    "languages": {"vi": ["Ngôn ngữ"], "en": ["Languages"]},
    "scripts": {"vi": ["Chữ viết"], "en": ["Scripts"]},
    "creators": {"vi": ["Người thực hiện"], "en": ["Creators"]},
    "subjects": {"vi": ["Chủ đề"], "en": ["Subjects"]},
    "provenance": {"vi": ["Nguồn gốc"], "en": ["Provenance"]},
    "sensitivity_note": {"vi": ["Lưu ý về văn hoá"], "en": ["Cultural sensitivity"]},
    "attribution": {"vi": ["Ghi công"], "en": ["Attribution"]},
}
TYPES: dict[str, LangMap] = {type_: {lang: [text] for lang, text in label.items()}
                             for type_, label in ITEM_TYPES.items()}
RECORD_LABEL: LangMap = {"vi": ["Bản ghi JSON"], "en": ["JSON record"]}


def lang_map(value: dict[str, str] | None) -> LangMap:
    """A record's language map ({"vi": "…"}) as IIIF wants it ({"vi": ["…"]})."""
    return {tag: [text] for tag, text in (value or {}).items() if text}


def none_map(values: list[str]) -> LangMap:
    """Values in no particular language (identifiers, dates, names)."""
    return {"none": list(values)}


def merge(maps: list[LangMap]) -> LangMap:
    merged: LangMap = {}
    for m in maps:
        for tag, values in m.items():
            merged.setdefault(tag, []).extend(values)
    return merged


def term(vocab: Vocabularies, vocabulary: str, term_id: str) -> LangMap:
    """A term's label in every language it has; the id itself when the term is unknown."""
    found = vocab.get(vocabulary, term_id)
    return lang_map(found["label"]) if found else none_map([term_id])


def terms(vocab: Vocabularies, vocabulary: str, term_ids: list[str]) -> LangMap:
    return merge([term(vocab, vocabulary, t) for t in term_ids])


def creators(vocab: Vocabularies, people: list[dict]) -> LangMap:
    """"Name (role)" in vi and en."""
    out: LangMap = {"vi": [], "en": []}
    for person in people:
        role = vocab.get("roles", person["role"]) if person.get("role") else None
        for tag in out:
            out[tag].append(f"{person['name']} ({role['label'][tag]})" if role else person["name"])
    return out


def caption_label(vocab: Vocabularies, language: str) -> LangMap:
    found = vocab.get("languages", caption_language_id(language))
    if found:
        return {"vi": [f"Phụ đề {found['label']['vi']}"], "en": [f"{found['label']['en']} captions"]}
    return {"vi": [f"Phụ đề ({language})"], "en": [f"Captions ({language})"]}


def download_label(name: str) -> LangMap:
    return {"vi": [f"Tải tệp gốc: {name}"], "en": [f"Download the original: {name}"]}

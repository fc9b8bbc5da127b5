"""Labels and languages declared once, as plain data every door reads (search facets, IIIF, the site, the CLI)."""
from __future__ import annotations

# The site's languages, in the order pages list them; every record has a title in at least one of them.
SITE_LANGS = ("vi", "en")

# The archive's name, where it names itself outside a page (OAI-PMH, bags, the open data package).
ARCHIVE_NAME = {"vi": "Kho Lưu trữ Di sản của cộng đồng Chăm, Hoa và Khmer Thành phố Hồ Chí Minh",
                "en": "Heritage Archive of the Cham, Hoa and Khmer communities of Ho Chi Minh City"}

# Caption and transcript files carry BCP 47 tags; the languages vocabulary is keyed by ISO 639-3. A language with an
# ISO 639-1 code is tagged by it, any other by its ISO 639-3 id (yue, cjm…), which is a BCP 47 tag too.
ISO639_1 = {"vie": "vi", "eng": "en", "khm": "km", "ara": "ar", "pli": "pi"}


def caption_tag(language_id: str) -> str:
    """The BCP 47 tag of caption files in a language of the languages vocabulary."""
    return ISO639_1.get(language_id, language_id)


def caption_language_id(tag: str) -> str:
    """The languages vocabulary's id for a caption file's tag (its primary subtag)."""
    primary = tag.split("-")[0]
    return {short: long for long, short in ISO639_1.items()}.get(primary, primary)


ITEM_TYPES: dict[str, dict[str, str]] = {
    "image": {"vi": "Hình ảnh", "en": "Image"},
    "audio": {"vi": "Âm thanh", "en": "Audio"},
    "video": {"vi": "Video", "en": "Video"},
    "document": {"vi": "Tài liệu", "en": "Document"},
    "set": {"vi": "Bộ tư liệu", "en": "Set"},
}


def type_label(type_: str) -> dict[str, str]:
    """The item type's name in each site language (an unknown type as it is)."""
    return ITEM_TYPES.get(type_, {lang: type_ for lang in SITE_LANGS})


# The kinds of place in the places vocabulary (archive/vocabularies/places.json).
PLACE_KINDS: dict[str, dict[str, str]] = {
    "assembly-hall": {"vi": "Hội quán", "en": "Assembly hall"},
    "temple": {"vi": "Miếu", "en": "Temple"},
    "pagoda": {"vi": "Chùa", "en": "Pagoda"},
    "mosque": {"vi": "Thánh đường Hồi giáo", "en": "Mosque"},
    "historic-site": {"vi": "Di tích lịch sử", "en": "Historic site"},
    "museum": {"vi": "Bảo tàng", "en": "Museum"},
}

# The tops of the OAI-PMH set hierarchy (archive.harvest): "community:cham", "collection:…", "type:image".
SET_KINDS: dict[str, dict[str, str]] = {
    "community": {"vi": "Cộng đồng", "en": "Communities"},
    "collection": {"vi": "Bộ sưu tập", "en": "Collections"},
    "type": {"vi": "Loại tư liệu", "en": "Item types"},
}

"""Vietnamese and English labels of facet values: vocabulary terms, item types, decades, collections, whether an
item has captions or a transcript and their languages, whether text was found in its images."""
from __future__ import annotations

from babel import Locale, UnknownLocaleError

from archive.labels import SITE_LANGS, type_label
from archive.vocabularies import Vocabularies

VOCABULARY_OF = {"community": "communities", "festival": "festivals", "place": "places", "language": "languages",
                 "subject": "subjects"}


TRANSCRIPT_LABEL = {"vi": "Có phụ đề hoặc bản ghi lời", "en": "Has captions or a transcript"}
IMAGE_TEXT_LABEL = {"vi": "Có văn bản tìm thấy trong ảnh", "en": "Has text found in its images"}


def decade_label(decade: str) -> dict[str, str]:
    return {"vi": f"Thập niên {decade}", "en": f"{decade}s"}


def language_tag_label(tag: str, vocab: Vocabularies) -> dict[str, str]:
    """The name of a BCP 47 tag (a transcript's language) in each site language: CLDR's, else the languages
    vocabulary's (Cham, ``cjm``, is not in CLDR), else the tag."""
    try:
        locale = Locale.parse(tag, sep="-")
        return {lang: locale.get_display_name(lang) or tag for lang in SITE_LANGS}
    except (ValueError, UnknownLocaleError):
        term = vocab.get("languages", tag.split("-")[0])
        return term["label"] if term else {}


class FacetLabels:
    """Labels for facet values; ``collections`` maps collection ids to their title language maps."""

    def __init__(self, vocab: Vocabularies, collections: dict[str, dict]):
        self.vocab = vocab
        self.collections = collections

    def label(self, facet: str, value: str) -> dict[str, str]:
        if facet in VOCABULARY_OF:
            term = self.vocab.get(VOCABULARY_OF[facet], value)
            label = term["label"] if term else {}
        elif facet == "type":
            label = type_label(value)
        elif facet == "decade":
            label = decade_label(value)
        elif facet == "transcript":
            label = TRANSCRIPT_LABEL
        elif facet == "image_text":
            label = IMAGE_TEXT_LABEL
        elif facet == "transcript_language":
            label = language_tag_label(value, self.vocab)
        else:
            label = self.collections.get(value, {})
        return {lang: label.get(lang) or label.get("en") or label.get("vi") or value for lang in SITE_LANGS}

"""Vietnamese and English labels of facet values: vocabulary terms, item types, decades and collections."""
from __future__ import annotations

from archive.labels import SITE_LANGS, type_label
from archive.vocabularies import Vocabularies

VOCABULARY_OF = {"community": "communities", "festival": "festivals", "place": "places", "language": "languages",
                 "subject": "subjects"}


def decade_label(decade: str) -> dict[str, str]:
    return {"vi": f"Thập niên {decade}", "en": f"{decade}s"}


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
        else:
            label = self.collections.get(value, {})
        return {lang: label.get(lang) or label.get("en") or label.get("vi") or value for lang in SITE_LANGS}

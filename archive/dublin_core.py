"""A record in Dublin Core: simple ``oai_dc`` and OLAC 1.1 (Open Language Archives Community) metadata, as lxml
elements valid against the schemas in ../shared/oai.

OLAC tells apart the language a resource is *in* (``dc:language``) and the language it is *about* (``dc:subject``
with ``xsi:type="olac:language"``): a recording or written text of the language is primary data about it, so its
content languages are both; an image without writing is in no language. The language of the description (our titles
and descriptions in Vietnamese, English and original scripts) is each element's ``xml:lang``.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .labels import SITE_LANGS

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OLAC = "http://www.language-archives.org/OLAC/1.1/"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMAS = {  # metadata prefix → (namespace, XML schema)
    "oai_dc": (OAI_DC, "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"),
    "olac": (OLAC, "http://www.language-archives.org/OLAC/1.1/olac.xsd"),
}

DCMI_TYPES = {"image": "StillImage", "audio": "Sound", "video": "MovingImage", "document": "Text", "set": "Collection"}
# Roles whose holders are primarily responsible for the item (dc:creator); the others are dc:contributor.
CREATOR_ROLES = {"creator", "photographer", "videographer", "recordist"}


@dataclass(frozen=True)
class Links:
    """What the record is known by on the web: the item's pages, its IIIF manifest, its collections' pages."""

    pages: list[str]
    manifest: str | None = None
    collections: tuple[str, ...] = ()


def item_links(item, urls) -> Links:
    """The links of a catalog item, from the archive's URLs (iiif.urls.Urls): its pages, manifest, collections."""
    return Links(pages=[urls.page(lang, "items", item.id) for lang in SITE_LANGS], manifest=urls.manifest(item.id),
                 collections=tuple(urls.collection(c.id) for c in item.collections))


def _add(parent, tag: str, text: str | None = None, lang: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text:
        element.text = text
    if lang:
        element.set(XML_LANG, lang)
    return element


def _language_map(parent, tag: str, value: dict | None) -> None:
    for lang, text in (value or {}).items():
        if text and text.strip():
            _add(parent, tag, text.strip(), lang)


def _labels(parent, tag: str, term: dict | None) -> None:
    if term:
        _language_map(parent, tag, term.get("label"))


def is_primary_text(item_type: str, record: dict) -> bool:
    """Whether the item is language data (OLAC linguistic type ``primary_text``): a recording or document with
    languages, or an image of writing in a script other than Latin."""
    if item_type in ("audio", "video", "document"):
        return bool(record.get("languages"))
    return bool(record.get("languages")) and any(s != "Latn" for s in record.get("scripts", []))


def discourse_type(item_type: str, record: dict) -> str | None:
    """The OLAC discourse type where the roles tell it: an interview is a dialogue, a narrator's recording a
    narrative; nothing is guessed for the rest (a festival film is many kinds of speech at once)."""
    if item_type not in ("audio", "video"):
        return None
    roles = {c.get("role") for c in record.get("creators", [])}
    if {"interviewer", "interviewee"} <= roles:
        return "dialogue"
    if "narrator" in roles:
        return "narrative"
    return None


def _common(root, item_type: str, record: dict, vocab, links: Links, publisher: dict, olac: bool) -> None:
    """The elements both formats share, in one order; OLAC adds its typed elements after them."""
    _language_map(root, f"{{{DC}}}title", record.get("title"))
    for creator in record.get("creators", []):
        role = creator.get("role")
        olac_role = (vocab.get("roles", role) or {}).get("olac_role") if olac else None
        if olac_role:
            _add(root, f"{{{DC}}}contributor", creator["name"], **{f"{{{XSI}}}type": "olac:role",
                                                                  f"{{{OLAC}}}code": olac_role})
        else:
            _add(root, f"{{{DC}}}creator" if role in CREATOR_ROLES else f"{{{DC}}}contributor", creator["name"])
    for subject in record.get("subjects", []):
        _add(root, f"{{{DC}}}subject", subject)
    _labels(root, f"{{{DC}}}subject", vocab.get("festivals", record.get("festival")))
    _labels(root, f"{{{DC}}}subject", vocab.get("communities", record.get("community")))
    _language_map(root, f"{{{DC}}}description", record.get("description"))
    _language_map(root, f"{{{DC}}}publisher", publisher)
    if record.get("date"):
        _add(root, f"{{{DC}}}date", record["date"])
    if olac:
        _add(root, f"{{{DC}}}type", DCMI_TYPES[item_type], **{f"{{{XSI}}}type": "dcterms:DCMIType"})
    else:
        _add(root, f"{{{DC}}}type", DCMI_TYPES[item_type])
    for page in links.pages:
        _add(root, f"{{{DC}}}identifier", page, **({f"{{{XSI}}}type": "dcterms:URI"} if olac else {}))
    if not olac:
        for code in record.get("languages", []):
            _add(root, f"{{{DC}}}language", code)
    if links.manifest:
        _add(root, f"{{{DC}}}relation", links.manifest)
    for url in links.collections:
        if olac:
            _add(root, f"{{{DCTERMS}}}isPartOf", url, **{f"{{{XSI}}}type": "dcterms:URI"})
        else:
            _add(root, f"{{{DC}}}relation", url)
    place = vocab.get("places", record.get("place"))
    _labels(root, f"{{{DCTERMS}}}spatial" if olac else f"{{{DC}}}coverage", place)
    if record.get("rights"):
        licence = vocab.licence(record["rights"])
        _add(root, f"{{{DC}}}rights", record["rights"])
        if olac:
            _add(root, f"{{{DCTERMS}}}license", record["rights"], **{f"{{{XSI}}}type": "dcterms:URI"})
        elif licence:
            _labels(root, f"{{{DC}}}rights", licence)
    _language_map(root, f"{{{DC}}}rights", record.get("attribution"))


def oai_dc(item_type: str, record: dict, vocab, links: Links, publisher: dict) -> etree._Element:
    """Simple Dublin Core (``oai_dc``)."""
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", " ".join(SCHEMAS["oai_dc"]))
    _common(root, item_type, record, vocab, links, publisher, olac=False)
    return root


def olac(item_type: str, record: dict, vocab, links: Links, publisher: dict) -> etree._Element:
    """OLAC 1.1: qualified Dublin Core with ISO 639-3 languages, OLAC roles and linguistic and discourse types."""
    root = etree.Element(f"{{{OLAC}}}olac", nsmap={"olac": OLAC, "dc": DC, "dcterms": DCTERMS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", " ".join(SCHEMAS["olac"]))
    _common(root, item_type, record, vocab, links, publisher, olac=True)
    language = {f"{{{XSI}}}type": "olac:language"}
    for code in record.get("languages", []):
        _add(root, f"{{{DC}}}language", **language, **{f"{{{OLAC}}}code": code})
    if is_primary_text(item_type, record):
        for code in record.get("languages", []):
            _add(root, f"{{{DC}}}subject", **language, **{f"{{{OLAC}}}code": code})
        _add(root, f"{{{DC}}}type", **{f"{{{XSI}}}type": "olac:linguistic-type", f"{{{OLAC}}}code": "primary_text"})
    if kind := discourse_type(item_type, record):
        _add(root, f"{{{DC}}}type", **{f"{{{XSI}}}type": "olac:discourse-type", f"{{{OLAC}}}code": kind})
    return root


FORMATS = {"oai_dc": oai_dc, "olac": olac}

"""schema.org JSON-LD describing the public pages (items, places, festivals, collections, exhibits), for search
engines, link previews and harvesters.

Each node uses only properties schema.org defines for its type: a file's ``contentUrl``, size and duration belong to
MediaObjects, so an item that is a document or a set lists its files as MediaObjects (``associatedMedia`` of the
document, ``hasPart`` of the set) instead of carrying them itself.

Creators are typed from their role alone (archive.schema_org says how and why).
"""
from __future__ import annotations

from flask import url_for

from ..browse import CollectionSummary, ItemPage, Page
from ..exhibit_pages import ExhibitPage
from ..schema_org import CONTEXT, MEDIA_TYPES, RECORD_TYPES, agent, language_tag
from .present import absolute, card_image, iso_duration, media_url, original_url, pick


def _one_or_many(values: list):
    return values[0] if len(values) == 1 else values


def _files(page: ItemPage) -> list[dict]:
    """Each file of the item as a MediaObject: what a visitor may fetch of it (the web copy of audio and video; the
    original only where the licence allows downloading), its format, dimensions and duration."""
    files = []
    for media in page.media:
        node: dict = {"@type": MEDIA_TYPES.get(media.kind, "MediaObject"),
                      "uploadDate": page.created_at.date().isoformat()}
        derivative = media.derivatives
        if media.kind in ("audio", "video") and derivative.get("path"):
            node["contentUrl"] = absolute(media_url(media.sha256, derivative["path"]))
            node["encodingFormat"] = derivative.get("format")
            if derivative.get("duration") is not None:
                node["duration"] = iso_duration(derivative["duration"])
        elif page.allows_download:
            node["contentUrl"] = absolute(original_url(media.sha256))
            node["encodingFormat"] = media.mime
        if media.picture:
            node["width"], node["height"] = media.picture.width, media.picture.height
        elif derivative.get("width") and derivative.get("height"):
            node["width"], node["height"] = derivative["width"], derivative["height"]
        files.append({key: value for key, value in node.items() if value is not None})
    return files


def item_jsonld(page: ItemPage, vocab, lang: str) -> dict:
    record = page.record
    title, description = pick(record.get("title"), lang), pick(record.get("description"), lang)
    url = absolute(url_for("pages.item", lang=lang, item_id=page.id))
    doc: dict = {
        "@context": CONTEXT,
        "@type": RECORD_TYPES.get(page.type, "CreativeWork"),
        "@id": url,
        "url": url,
        "identifier": page.id,
        "name": title.text if title else page.id,
        "isAccessibleForFree": True,
        "dateModified": page.updated_at.date().isoformat(),
    }
    if record.get("languages"):  # the item's own languages, not the page's
        doc["inLanguage"] = _one_or_many([language_tag(code) for code in record["languages"]])
    alternates = [text for tag, text in (record.get("title") or {}).items() if title and text != title.text]
    if alternates:
        doc["alternateName"] = alternates
    if description:
        doc["description"] = description.text
    if record.get("date"):
        doc["temporalCoverage"] = record["date"]
    creators = [c for c in record.get("creators", []) if c.get("role") != "translator"]
    translators = [c for c in record.get("creators", []) if c.get("role") == "translator"]
    if creators:
        doc["creator"] = [agent(c) for c in creators]
    if translators:
        doc["translator"] = [agent(c) for c in translators]
    if page.licence:
        doc["license"] = page.licence["uri"]
    elif record.get("rights"):
        doc["license"] = record["rights"]
    attribution = pick(record.get("attribution"), lang)
    if attribution:
        doc["creditText"] = attribution.text
    if record.get("subjects"):
        doc["keywords"] = record["subjects"]
    if place := vocab.get("places", record.get("place")):
        doc["contentLocation"] = place_node(place, lang)
    if festival := vocab.get("festivals", record.get("festival")):
        doc["about"] = {"@type": "Event", "@id": absolute(url_for("pages.festival", lang=lang, term_id=festival["id"])),
                        "name": pick(festival["label"], lang).text}
    if page.collections:
        doc["isPartOf"] = [{"@type": "Collection", "name": pick(t, lang).text,
                            "@id": absolute(url_for("pages.collection", lang=lang, collection_id=c))}
                           for c, t in page.collections]
    if image := card_image(page.card):
        doc["thumbnailUrl"] = image
        doc["image"] = image
    files = _files(page)
    if doc["@type"] in MEDIA_TYPES.values() and files:
        doc |= {key: value for key, value in files[0].items() if key != "@type"}
    elif doc["@type"] == "DigitalDocument" and files:
        doc["associatedMedia"] = files
    elif files:
        doc["hasPart"] = files
    return doc


def place_node(place: dict, lang: str) -> dict:
    node = {"@type": "Place", "@id": absolute(url_for("pages.place", lang=lang, term_id=place["id"])),
            "name": pick(place["label"], lang).text}
    if address := pick(place.get("address"), lang):
        node["address"] = address.text
    if place.get("coordinates"):
        node["geo"] = {"@type": "GeoCoordinates", "latitude": place["coordinates"]["lat"],
                       "longitude": place["coordinates"]["lon"]}
    return node


def _labels(term: dict, lang: str) -> dict:
    label, description = pick(term["label"], lang), pick(term.get("description"), lang)
    doc = {"name": label.text}
    if alternates := [text for text in term["label"].values() if text != label.text]:
        doc["alternateName"] = alternates
    if description:
        doc["description"] = description.text
    return doc


def term_jsonld(facet: str, term: dict, lang: str) -> dict | None:
    """A place as a Place (address, coordinates), a festival as an Event. A festival's vocabulary entry gives its
    date only as a rule of a lunar or Cham calendar, which no schema.org date or Schedule can hold: it goes into the
    description of a yearly schedule, and the Event has no start date. Communities have no page data (None)."""
    if facet == "place":
        node = place_node(term, lang)
        return {"@context": CONTEXT, **node, "url": node["@id"], **_labels(term, lang)}
    if facet == "festival":
        url = absolute(url_for("pages.festival", lang=lang, term_id=term["id"]))
        doc = {"@context": CONTEXT, "@type": "Event", "@id": url, "url": url, **_labels(term, lang)}
        if rule := pick(term.get("date_rule"), lang):
            doc["eventSchedule"] = {"@type": "Schedule", "repeatFrequency": "P1Y", "description": rule.text}
        return doc
    return None


def _card_node(card) -> dict:
    title = pick(card.title)
    url = absolute(url_for("pages.item", item_id=card.id))
    return {"@type": RECORD_TYPES.get(card.type, "CreativeWork"), "@id": url, "url": url,
            "name": title.text if title else card.id}


def collection_jsonld(collection: CollectionSummary, page: Page, lang: str) -> dict:
    """The collection with its size and the items this page of it lists."""
    title, description = pick(collection.title, lang), pick(collection.description, lang)
    url = absolute(url_for("pages.collection", lang=lang, collection_id=collection.id))
    doc = {"@context": CONTEXT, "@type": "Collection", "@id": url, "url": url, "identifier": collection.id,
           "name": title.text if title else collection.id, "collectionSize": page.total}
    if description:
        doc["description"] = description.text
    if page.cards:
        doc["hasPart"] = [_card_node(card) for card in page.cards]
    return doc


def exhibit_jsonld(exhibit: ExhibitPage, lang: str) -> dict:
    """An online exhibit is a CreativeWork made of the items it shows (schema.org's ExhibitionEvent is an event,
    held at a place and time, which these are not); its language is that of the text the page shows."""
    url = absolute(url_for("pages.exhibit", lang=lang, slug=exhibit.slug))
    doc = {"@context": CONTEXT, "@type": "CreativeWork", "@id": url, "url": url, "name": exhibit.title,
           "headline": exhibit.title, "inLanguage": exhibit.lang}
    if exhibit.summary:
        doc["abstract"] = exhibit.summary
    if exhibit.cover and (image := card_image(exhibit.cover)):
        doc["image"] = image
    if parts := exhibit.cards:
        doc["hasPart"] = [_card_node(card) for card in parts]
    return doc

"""schema.org JSON-LD describing an item page, for search engines and link previews."""
from __future__ import annotations

from flask import url_for

from ..browse import ItemPage
from .present import absolute, card_image, iso_duration, media_url, original_url, pick

SCHEMA_TYPES = {"image": "ImageObject", "audio": "AudioObject", "video": "VideoObject", "document": "DigitalDocument",
                "set": "CreativeWork"}


def item_jsonld(page: ItemPage, vocab, lang: str) -> dict:
    record = page.record
    title, description = pick(record.get("title"), lang), pick(record.get("description"), lang)
    doc: dict = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(page.type, "CreativeWork"),
        "@id": absolute(url_for("pages.item", lang=lang, item_id=page.id)),
        "url": absolute(url_for("pages.item", lang=lang, item_id=page.id)),
        "identifier": page.id,
        "name": title.text if title else page.id,
        "inLanguage": lang,
        "isAccessibleForFree": True,
        "dateModified": page.updated_at.date().isoformat(),
    }
    alternates = [text for tag, text in (record.get("title") or {}).items() if title and text != title.text]
    if alternates:
        doc["alternateName"] = alternates
    if description:
        doc["description"] = description.text
    if record.get("date"):
        doc["temporalCoverage"] = record["date"]
    if record.get("creators"):
        doc["creator"] = [{"name": c["name"]} for c in record["creators"]]
    if page.licence:
        doc["license"] = page.licence["uri"]
    attribution = pick(record.get("attribution"), lang)
    if attribution:
        doc["creditText"] = attribution.text
    if record.get("subjects"):
        doc["keywords"] = record["subjects"]
    if place := vocab.get("places", record.get("place")):
        location = {"@type": "Place", "name": pick(place["label"], lang).text}
        if place.get("coordinates"):
            location["geo"] = {"@type": "GeoCoordinates", "latitude": place["coordinates"]["lat"],
                               "longitude": place["coordinates"]["lon"]}
        doc["contentLocation"] = location
    if festival := vocab.get("festivals", record.get("festival")):
        doc["about"] = {"@type": "Event", "name": pick(festival["label"], lang).text}
    if page.collections:
        doc["isPartOf"] = [{"@type": "Collection", "name": pick(t, lang).text,
                            "url": absolute(url_for("pages.collection", lang=lang, collection_id=c))}
                           for c, t in page.collections]
    if image := card_image(page.card):
        doc["thumbnailUrl"] = image
        doc["image"] = image
    for media in page.media:
        if media.kind in ("audio", "video") and media.derivatives.get("path"):
            doc["contentUrl"] = absolute(media_url(media.sha256, media.derivatives["path"]))
            doc["encodingFormat"] = media.derivatives.get("format")
            doc["duration"] = iso_duration(media.derivatives.get("duration"))
            break
        if media.kind == "image" and media.picture:
            doc.setdefault("width", media.picture.width)
            doc.setdefault("height", media.picture.height)
            if page.allows_download:
                doc.setdefault("contentUrl", absolute(original_url(media.sha256)))
    return doc

"""Catalog operations on items and collections. Callers pass the session; nothing here knows about the web."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..ids import new_id
from ..records import edtf_bounds
from ..text import clean_language_map
from .models import Collection, Item, MediaFile


def unused_id(session: Session) -> str:
    while True:
        candidate = new_id()
        if session.get(Item, candidate) is None:
            return candidate


def apply_record(session: Session, item: Item, record: dict) -> None:
    """Set the item's record and the columns derived from it (for filtering and sorting)."""
    record = {k: v for k, v in record.items() if k != "id"}
    item.record = record
    item.type = record.get("type") or item.type or "document"
    item.access = record.get("access", "public")
    item.community = record.get("community")
    item.festival = record.get("festival")
    item.place = record.get("place")
    item.date = record.get("date")
    item.date_start, item.date_end = edtf_bounds(item.date) if item.date else (None, None)
    wanted = record.get("collections", [])
    item.collections = list(session.scalars(select(Collection).where(Collection.id.in_(wanted)))) if wanted else []


def same_record(item: Item, record: dict) -> bool:
    """Whether applying ``record`` would leave the item as it is (the id and an absent type don't count)."""
    incoming = {k: v for k, v in record.items() if k != "id"}
    return {"type": item.type, **item.record} == {"type": item.type, **incoming}


def create_item(session: Session, record: dict, *, item_id: str | None = None, status: str = "published") -> Item:
    item = Item(id=item_id or record.get("id") or unused_id(session), status=status)
    apply_record(session, item, record)
    session.add(item)
    return item


def attach_file(item: Item, *, sha256: str, size: int, mime: str, kind: str, original_name: str, techmd: dict,
                derivatives: dict | None, position: int, parent: MediaFile | None = None,
                language: str | None = None) -> MediaFile:
    media = MediaFile(sha256=sha256, size=size, mime=mime, kind=kind, original_name=original_name, techmd=techmd,
                      derivatives=derivatives, position=position, language=language, parent=parent)
    item.files.append(media)
    return media


CAPTION_MIME = "text/vtt"


def attach_caption(item: Item, media: MediaFile, *, sha256: str, size: int, name: str, language: str) -> MediaFile:
    """Attach a stored WebVTT file as the ``language`` captions of the item's audio or video file ``media``."""
    return attach_file(item, sha256=sha256, size=size, mime=CAPTION_MIME, kind="caption", original_name=name,
                       techmd={"format": "WebVTT"}, derivatives=None, position=0, parent=media, language=language)


def detach_caption(item: Item, media: MediaFile, caption: MediaFile) -> None:
    """Take the caption out of the catalog; its file stays in the store (the versions before name it)."""
    media.captions.remove(caption)
    item.files.remove(caption)


def get_item(session: Session, item_id: str) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"no item {item_id!r}")
    return item


PRESENTED_KINDS = ("image", "audio", "video")


def presented_media(item: Item) -> list[MediaFile]:
    """The item's media files that become canvases (IIIF manifests, and the canvases search locates text on): those
    with their web derivatives in place, in the item's order."""
    return [m for m in item.media if m.kind in PRESENTED_KINDS and m.derivatives]


def canvas_numbers(item: Item) -> dict[str, int]:
    """Each presented media file's canvas, by checksum, numbered from 1 as the manifest numbers them (the item
    page's viewer and players, search's located text and IIIF Content Search all name canvases by these)."""
    return {m.sha256: n for n, m in enumerate(presented_media(item), 1)}


def media_by_sha(session: Session, shas: Iterable[str]) -> dict[str, MediaFile]:
    shas = list(set(shas))
    found: dict[str, MediaFile] = {}
    for start in range(0, len(shas), 500):
        chunk = shas[start:start + 500]
        found.update({m.sha256: m for m in session.scalars(select(MediaFile).where(MediaFile.sha256.in_(chunk)))})
    return found


def collection_ids(session: Session) -> set[str]:
    return set(session.scalars(select(Collection.id)))


def upsert_collection(session: Session, data: dict) -> Collection:
    collection = session.get(Collection, data["id"]) or Collection(id=data["id"])
    collection.title = clean_language_map(data["title"])
    collection.description = clean_language_map(data.get("description", {}))
    collection.community = data.get("community")
    session.add(collection)
    return collection


def item_record(item: Item, techmd=lambda techmd: techmd) -> dict:
    """The item in the exchange format, with its media files (what /api/items/{id} returns); ``techmd`` filters
    each file's technical metadata (archive.access.visible_techmd, for the viewer)."""
    media = []
    for m in item.media:
        media.append({
            "sha256": m.sha256, "kind": m.kind, "mime": m.mime, "size": m.size, "original_name": m.original_name,
            "techmd": techmd(m.techmd), "derivatives": m.derivatives,
            "captions": [{"sha256": c.sha256, "language": c.language, "mime": c.mime} for c in m.captions],
        })
    return {"id": item.id, "type": item.type, **item.record, "status": item.status, "media": media}

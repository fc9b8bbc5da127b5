"""What IIIF publishes: the items, media files and collections entries that archive.access lets the viewer see.

Anything else answers NotFound, so a hidden item cannot be told apart from a missing one.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

from archive.access import can_view, visible_condition
from archive.access import Viewer
from archive.catalog.models import Item, MediaFile, item_collections
from archive.catalog.service import presented_media
from archive.errors import NotFound
from archive.filestore import check_sha
from archive.vocabularies import Vocabularies

def visible_item(session: Session, item_id: str, viewer: Viewer) -> Item:
    item = session.get(Item, item_id)
    if item is None or not can_view(item, viewer):
        raise NotFound(f"no item {item_id!r}")
    if not presented_media(item):
        raise NotFound(f"item {item_id!r} has no media to present")
    return item


def visible_media(session: Session, sha: str, viewer: Viewer) -> MediaFile:
    """A stored file (media or caption) of an item the viewer may see, by checksum; UnsafePath for a malformed
    checksum."""
    check_sha(sha)
    media = session.scalar(select(MediaFile).where(MediaFile.sha256 == sha).options(joinedload(MediaFile.item)))
    if media is None or not can_view(media.item, viewer):
        raise NotFound(f"no file {sha}")
    return media


# Every tile request asks this: one prepared query, loading only what the access decision reads (any other
# attribute can_view may come to need is loaded on first use).
_IMAGE = (select(Item, MediaFile.derivatives).join(MediaFile.item)
          .where(MediaFile.sha256 == bindparam("sha"), MediaFile.kind == "image")
          .options(load_only(Item.status, Item.access, Item.embargo_until)))


def visible_image(session: Session, sha: str, viewer: Viewer) -> tuple[Item, dict]:
    """The item and the pyramid summary (image.json) of an image the viewer may see, by checksum."""
    check_sha(sha)
    row = session.execute(_IMAGE, {"sha": sha}).first()
    if row is None or not can_view(row[0], viewer) or not row[1]:
        raise NotFound(f"no image {sha}")
    return row[0], row[1]


def visible_caption(session: Session, sha: str, language: str, viewer: Viewer) -> MediaFile:
    for caption in visible_media(session, sha, viewer).captions:
        if caption.language == language:
            return caption
    raise NotFound(f"no {language!r} captions for {sha}")


def allows_download(item: Item, vocab: Vocabularies) -> bool:
    """Whether the item's licence lets anyone download its originals."""
    licence = vocab.licence(item.record["rights"]) if item.record.get("rights") else None
    return bool(licence and licence.get("allows_download"))


def visible_items(session: Session, viewer: Viewer, *conditions) -> list[Item]:
    """Items the viewer may see with media to present, matching ``conditions``, oldest first."""
    query = (select(Item).where(visible_condition(viewer), *conditions).options(selectinload(Item.files))
             .order_by(Item.date_start.is_(None), Item.date_start, Item.id))
    return [item for item in session.scalars(query) if presented_media(item)]


def in_collection(collection_id: str):
    """A condition for visible_items: the item belongs to the collection."""
    return Item.id.in_(select(item_collections.c.item_id).where(item_collections.c.collection_id == collection_id))

"""What the public site lists and shows, read from the catalog through archive.access.

Callers pass the session. Everything returned is plain data (detached from the session), ready to render: the web
layer never queries the catalog itself.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .access import can_view, visible_condition
from .access import Viewer
from .catalog.models import Collection, Item, MediaFile, item_collections
from .catalog.service import canvas_numbers
from .errors import NotFound
from .filestore import FileStore
from .transcripts import Cue, read_cues
from .vocabularies import Vocabularies

PER_PAGE = 24
TERM_COLUMNS = {"community": Item.community, "festival": Item.festival, "place": Item.place, "type": Item.type}


@dataclass(frozen=True)
class Picture:
    """An image to show for an item: its checksum, full size and the stored thumbnail sizes (width, height)."""

    sha256: str
    width: int
    height: int
    thumbnails: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Card:
    """An item as a list shows it."""

    id: str
    type: str
    title: dict
    description: dict
    community: str | None
    festival: str | None
    date: str | None
    picture: Picture | None  # the first image, served by the Image API
    poster: tuple[str, int, int] | None = None  # a video's poster: (checksum of the video, width, height)
    media_kind: str | None = None
    duration: float | None = None


@dataclass(frozen=True)
class Caption:
    language: str
    sha256: str


@dataclass(frozen=True)
class Media:
    sha256: str
    kind: str
    mime: str
    size: int
    original_name: str
    derivatives: dict
    captions: tuple[Caption, ...]
    transcripts: dict[str, list[Cue]] = field(default_factory=dict)  # caption language -> cues
    canvas: int | None = None  # numbered from 1 as the manifest numbers them; None: not presented (no derivatives)

    @property
    def picture(self) -> Picture | None:
        return _picture(self.sha256, self.derivatives) if self.kind == "image" else None


@dataclass(frozen=True)
class ItemPage:
    id: str
    type: str
    record: dict
    created_at: datetime
    updated_at: datetime
    media: tuple[Media, ...]
    collections: tuple[tuple[str, dict], ...]  # (id, title)
    allows_download: bool
    licence: dict | None
    related: tuple[Card, ...]

    @property
    def card(self) -> Card:
        return _card_fields(self.id, self.type, self.record, self.media)


@dataclass(frozen=True)
class Page:
    """One page of a list of cards."""

    cards: list[Card]
    total: int
    number: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class CollectionSummary:
    id: str
    title: dict
    description: dict
    community: str | None
    count: int
    cover: Card | None


def _picture(sha: str, derivatives: dict | None) -> Picture | None:
    if not derivatives or "width" not in derivatives:
        return None
    thumbs = tuple((t["width"], t["height"]) for t in derivatives.get("thumbnails", []))
    return Picture(sha, derivatives["width"], derivatives["height"], thumbs)


def _card_fields(item_id: str, type_: str, record: dict, media: Iterable) -> Card:
    picture, poster, kind, duration = None, None, None, None
    for m in media:
        kind = kind or m.kind
        if m.kind == "image" and m.derivatives:
            picture = _picture(m.sha256, m.derivatives)
        elif m.kind == "video" and m.derivatives:
            poster = (m.sha256, m.derivatives.get("width") or 16, m.derivatives.get("height") or 9)
            duration = m.derivatives.get("duration")
        elif m.kind == "audio" and m.derivatives:
            duration = m.derivatives.get("duration")
        if picture or duration:
            break
    return Card(item_id, type_, record.get("title", {}), record.get("description", {}), record.get("community"),
                record.get("festival"), record.get("date"), picture, poster, kind, duration)


def card(item: Item) -> Card:
    return _card_fields(item.id, item.type, item.record, item.media)


ANONYMOUS = Viewer.ANONYMOUS


def _visible_items(viewer: Viewer):
    return select(Item).where(visible_condition(viewer)).options(selectinload(Item.files))


def recent(session: Session, limit: int = 8, *, viewer: Viewer = ANONYMOUS) -> list[Card]:
    """The newest items the viewer may see."""
    query = _visible_items(viewer).order_by(Item.created_at.desc(), Item.id).limit(limit)
    return [card(i) for i in session.scalars(query)]


def cards_by_ids(session: Session, ids: list[str], *, viewer: Viewer = ANONYMOUS) -> dict[str, Card]:
    """Cards of the items among ``ids`` (e.g. the hits of a search) that the viewer may see, by id."""
    if not ids:
        return {}
    return {i.id: card(i) for i in session.scalars(_visible_items(viewer).where(Item.id.in_(ids)))}


def counts(session: Session, facet: str, *, viewer: Viewer = ANONYMOUS) -> dict[str, int]:
    """How many items the viewer may see carry each value of a column (community, festival, place or type)."""
    column = TERM_COLUMNS[facet]
    rows = session.execute(select(column, func.count()).where(visible_condition(viewer), column.is_not(None))
                           .group_by(column))
    return {value: n for value, n in rows}


NEWEST_FIRST = (Item.date_start.is_(None), Item.date_start.desc(), Item.created_at.desc(), Item.id)
EARLIEST_FIRST = (Item.date_start, Item.date_end, Item.id)


def _page(session: Session, condition, number: int, viewer: Viewer, per_page: int = PER_PAGE,
          order=NEWEST_FIRST) -> Page:
    total = session.scalar(select(func.count()).select_from(Item).where(visible_condition(viewer), condition)) or 0
    query = (_visible_items(viewer).where(condition).order_by(*order)
             .offset((number - 1) * per_page).limit(per_page))
    return Page([card(i) for i in session.scalars(query)], total, number, per_page)


def dated_page(session: Session, condition, number: int = 1, *, viewer: Viewer = ANONYMOUS) -> Page:
    """Items the viewer may see that meet a condition on their dates (archive.timeline), earliest first."""
    return _page(session, condition, number, viewer, order=EARLIEST_FIRST)


def with_term(session: Session, facet: str, value: str, number: int = 1, *, viewer: Viewer = ANONYMOUS) -> Page:
    """Items the viewer may see whose community, festival, place or type is ``value``."""
    return _page(session, TERM_COLUMNS[facet] == value, number, viewer)


def in_collection(session: Session, collection_id: str, number: int = 1, *, viewer: Viewer = ANONYMOUS) -> Page:
    members = select(item_collections.c.item_id).where(item_collections.c.collection_id == collection_id)
    return _page(session, Item.id.in_(members), number, viewer)


def collections(session: Session, *, viewer: Viewer = ANONYMOUS) -> list[CollectionSummary]:
    """Every collection with its number of items the viewer may see and the newest one as cover."""
    found = []
    for c in session.scalars(select(Collection).order_by(Collection.id)):
        first = in_collection(session, c.id, 1, viewer=viewer)
        found.append(CollectionSummary(c.id, c.title, c.description, c.community, first.total,
                                       next((x for x in first.cards if x.picture or x.poster), None)))
    return found


def collection(session: Session, collection_id: str) -> CollectionSummary:
    c = session.get(Collection, collection_id)
    if c is None:
        raise NotFound(f"no collection {collection_id!r}")
    return CollectionSummary(c.id, c.title, c.description, c.community, 0, None)


def item_page(session: Session, item_id: str, vocab: Vocabularies, store: FileStore, *,
              viewer: Viewer = ANONYMOUS) -> ItemPage:
    """Everything the item page shows; NotFound unless archive.access lets the viewer see the item."""
    item = session.get(Item, item_id)
    if item is None or not can_view(item, viewer):
        raise NotFound(f"no item {item_id!r}")
    licence = vocab.licence(item.record["rights"]) if item.record.get("rights") else None
    canvases = canvas_numbers(item)
    media = tuple(_media(m, store, canvases.get(m.sha256)) for m in item.media)
    related = ()
    if item.festival or item.community:
        column, value = (Item.festival, item.festival) if item.festival else (Item.community, item.community)
        query = _visible_items(viewer).where(column == value, Item.id != item.id).order_by(Item.created_at.desc()).limit(4)
        related = tuple(card(i) for i in session.scalars(query))
    return ItemPage(item.id, item.type, item.record, item.created_at, item.updated_at, media,
                    tuple((c.id, c.title) for c in item.collections),
                    bool(licence and licence.get("allows_download")), licence, related)


def _media(m: MediaFile, store: FileStore, canvas: int | None) -> Media:
    captions = tuple(Caption(c.language, c.sha256) for c in m.captions if c.language)
    transcripts = {c.language: read_cues(store.original_path(c.sha256)) for c in captions} \
        if m.kind in ("audio", "video") else {}
    return Media(m.sha256, m.kind, m.mime, m.size, m.original_name, m.derivatives or {}, captions, transcripts,
                 canvas)


def resolve_references(session: Session, references: Iterable[tuple[str, str]], *,
                       viewer: Viewer = ANONYMOUS) -> dict[tuple[str, str], Card]:
    """Cards for exhibit references ``(key, value)`` with key ``id``, ``file`` (original file name) or ``sha256``;
    references to missing items or items the viewer may not see are left out."""
    found: dict[tuple[str, str], Card] = {}
    for key, value in set(references):
        if key == "id":
            query = _visible_items(viewer).where(Item.id == value)
        else:
            column = MediaFile.original_name if key == "file" else MediaFile.sha256
            owners = select(MediaFile.item_id).where(column == value, MediaFile.parent_id.is_(None))
            query = _visible_items(viewer).where(Item.id.in_(owners)).order_by(Item.created_at, Item.id).limit(1)
        item = session.scalars(query).first()
        if item is not None:
            found[(key, value)] = card(item)
    return found


def sitemap_entries(session: Session) -> dict[str, list[tuple[str, datetime | None]]]:
    """Ids (with last modification) of the public items and of the collections, for sitemap.xml."""
    items = session.execute(select(Item.id, Item.updated_at).where(visible_condition(ANONYMOUS)).order_by(Item.id))
    return {"items": [(i, when) for i, when in items],
            "collections": [(c, None) for c in session.scalars(select(Collection.id).order_by(Collection.id))]}

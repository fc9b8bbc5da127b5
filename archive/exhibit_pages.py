"""An exhibit as a viewer sees it in one language: plain data for the public pages. Items the viewer may not see
(archive.access, through browse.resolve_references) are left out of every block, and a block left with nothing
shows nothing.

The page is in the language asked for when the exhibit has a title in it, else in the other (``lang`` says which);
a text, caption or quotation not written in that language is left out, as a Markdown file's missing paragraph was.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import browse
from .access import Viewer
from .browse import Card
from .catalog.models import MediaFile
from .exhibit_model import references, target
from .exhibit_store import StoredExhibit, region_box
from .exhibits import ExhibitError, render_markdown
from .labels import SITE_LANGS


@dataclass(frozen=True)
class Stream:
    """The web copy of an item's audio or video, for the site's player."""

    sha256: str
    kind: str  # audio | video
    path: str
    format: str
    width: int | None
    height: int | None
    poster: str | None
    peaks: str | None
    captions: tuple[str, ...]  # languages of its caption tracks


@dataclass(frozen=True)
class Shown:
    """One item in a block: its card, caption, and the part shown (an image region, an audio or video clip)."""

    card: Card
    caption: str = ""
    region: str | None = None
    region_size: tuple[int, int] | None = None
    start: float | None = None
    end: float | None = None
    stream: Stream | None = None


@dataclass(frozen=True)
class PageBlock:
    type: str
    html: Markup | None = None  # text
    items: tuple[Shown, ...] = ()  # item, gallery, timeline
    quote: str = ""
    source: str = ""
    places: tuple[str, ...] = ()  # map: place term ids


@dataclass(frozen=True)
class ExhibitPage:
    slug: str
    lang: str  # the language shown: the one asked for, or the other when the exhibit has no title in it
    title: str
    summary: str
    community: str | None
    status: str
    cover: Card | None
    blocks: tuple[PageBlock, ...]
    festival: str | None = None  # the festival it tells of: the calendar links it

    @property
    def has_player(self) -> bool:
        return any(shown.stream for block in self.blocks for shown in block.items)

    @property
    def cards(self) -> list[Card]:
        """Every item the page shows, once each, in order (for schema.org's hasPart)."""
        seen: dict[str, Card] = {}
        for block in self.blocks:
            for shown in block.items:
                seen.setdefault(shown.card.id, shown.card)
        return list(seen.values())


def _language(content: dict, lang: str) -> str:
    if content["title"].get(lang):
        return lang
    return next(code for code in SITE_LANGS if content["title"].get(code))


def _streams(session: Session, item_ids: set[str]) -> dict[str, Stream]:
    rows = session.scalars(select(MediaFile).where(MediaFile.item_id.in_(item_ids), MediaFile.parent_id.is_(None),
                                                   MediaFile.kind.in_(("audio", "video")))
                           .order_by(MediaFile.item_id, MediaFile.position))
    streams: dict[str, Stream] = {}
    for m in rows:
        d = m.derivatives or {}
        if m.item_id not in streams and d.get("path"):
            streams[m.item_id] = Stream(m.sha256, m.kind, d["path"], d.get("format", m.mime), d.get("width"),
                                        d.get("height"), d.get("poster"), d.get("peaks"),
                                        tuple(c.language for c in m.captions if c.language))
    return streams


def page(session: Session, exhibit: StoredExhibit, lang: str, viewer: Viewer) -> ExhibitPage:
    content = exhibit.content
    shown_lang = _language(content, lang)
    cards = browse.resolve_references(session, references(content), viewer=viewer)
    streams = _streams(session, {c.id for c in cards.values()})

    def text(value: dict | None) -> str:
        return (value or {}).get(shown_lang, "")

    def shown(ref: str, caption: dict | None = None, block: dict | None = None) -> Shown | None:
        card = cards.get(target(ref))
        if card is None:
            return None
        block = block or {}
        region = block.get("region") if card.picture else None
        size = region_box(region, card.picture.width, card.picture.height) if region else None
        return Shown(card, text(caption), region, size, block.get("start"), block.get("end"), streams.get(card.id))

    blocks = []
    for block in content["blocks"]:
        kind = block["type"]
        if kind == "text" and text(block["text"]):
            blocks.append(PageBlock(kind, html=render_markdown(text(block["text"]))))
        elif kind == "quote" and text(block["text"]):
            blocks.append(PageBlock(kind, quote=text(block["text"]), source=block.get("source", "")))
        elif kind == "map":
            blocks.append(PageBlock(kind, places=tuple(block["places"])))
        elif kind in ("item", "gallery", "timeline"):
            if kind == "item":
                found = [shown(block["item"], block.get("caption"), block)]
            elif kind == "gallery":
                found = [shown(e["item"], e.get("caption")) for e in block["items"]]
            else:
                found = sorted((s for ref in block["items"] if (s := shown(ref))),
                               key=lambda s: (s.card.date is None, s.card.date or ""))
            if items := tuple(s for s in found if s):
                blocks.append(PageBlock(kind, items=items))
    cover = cards.get(target(content["cover"])) if content.get("cover") else None
    return ExhibitPage(exhibit.slug, shown_lang, text(content["title"]), text(content["summary"]),
                       content.get("community"), exhibit.status, cover, tuple(blocks), content.get("festival"))


def card(session: Session, exhibit: StoredExhibit, lang: str, viewer: Viewer) -> ExhibitPage:
    """The exhibit as lists show it: title, summary and cover, no blocks."""
    content = exhibit.content
    shown_lang = _language(content, lang)
    cover = None
    if content.get("cover"):
        cover = browse.resolve_references(session, [target(content["cover"])], viewer=viewer).get(
            target(content["cover"]))
    return ExhibitPage(exhibit.slug, shown_lang, content["title"][shown_lang], content["summary"].get(shown_lang, ""),
                       content.get("community"), exhibit.status, cover, (), content.get("festival"))


def chosen_items(session: Session, content: dict, viewer: Viewer) -> dict[str, Shown]:
    """What the builder shows of each item a (possibly unfinished) content points to, by reference: its card and
    its web audio or video, as the viewer (staff) may see them. Malformed references are left out (the form names
    them when it is saved)."""
    refs: dict[str, tuple[str, str]] = {}
    for ref in _all_references(content):
        try:
            refs[ref] = target(ref)
        except ExhibitError:
            continue
    cards = browse.resolve_references(session, refs.values(), viewer=viewer)
    streams = _streams(session, {c.id for c in cards.values()})
    return {ref: Shown(cards[key], stream=streams.get(cards[key].id)) for ref, key in refs.items() if key in cards}


def _all_references(content: dict) -> list[str]:
    refs = [content.get("cover")]
    for block in content.get("blocks") or []:
        if block.get("type") == "item":
            refs.append(block.get("item"))
        elif block.get("type") == "gallery":
            refs += [e.get("item") for e in block.get("items") or [] if isinstance(e, dict)]
        elif block.get("type") == "timeline":
            refs += block.get("items") or []
    return [r.strip() for r in refs if isinstance(r, str) and r.strip()]

"""The one access decision every door asks: pages, search (hits, facet counts, snippets), the JSON API, IIIF manifests,
collections, images, media files and captions, downloads, the site map.

- anonymous visitors: published, public, not under embargo;
- researchers: published, public or for researchers, not under embargo;
- staff (contributors, editors, admins): everything, drafts and restricted items included.

An embargo (``embargo_until``, inclusive) hides an item from everyone but staff, whatever its level.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from sqlalchemy import or_, true

from .catalog.models import Item

LEVELS = ("public", "researchers", "staff", "restricted")
STAFF = ("admin", "editor", "contributor")  # the roles that see everything and describe items
STATUSES = ("draft", "published")


@dataclass(frozen=True)
class Viewer:
    """Who is asking, as the access decision and the services see it."""

    user_id: int | None = None
    role: str | None = None
    username: str | None = None
    ANONYMOUS: ClassVar["Viewer"]

    @property
    def anonymous(self) -> bool:
        return self.user_id is None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def can_publish(self) -> bool:
        return self.role in ("admin", "editor")

    @property
    def can_admin(self) -> bool:
        return self.role == "admin"


Viewer.ANONYMOUS = Viewer()


@dataclass(frozen=True)
class Scope:
    """What a viewer may see, as plain values a search backend can filter on. ``None`` means no limit."""

    levels: tuple[str, ...] | None
    statuses: tuple[str, ...] | None
    today: date | None  # items with embargo_until >= today are hidden; None: embargoes don't apply


EVERYTHING = Scope(None, None, None)  # staff, and commands run on the server


def scope(viewer: Viewer, today: date | None = None) -> Scope:
    if viewer.is_staff:
        return EVERYTHING
    levels = ("public", "researchers") if viewer.role == "researcher" else ("public",)
    return Scope(levels, ("published",), today or date.today())


def can_view(item: Item, viewer: Viewer, today: date | None = None) -> bool:
    rule = scope(viewer, today)
    return ((rule.levels is None or item.access in rule.levels)
            and (rule.statuses is None or item.status in rule.statuses)
            and (rule.today is None or not under_embargo(item, rule.today)))


def can_change_terms(viewer: Viewer) -> bool:
    """Adding, editing, approving, deleting, restoring and merging vocabulary terms (archive.terms)."""
    return viewer.can_admin


def can_propose_terms(viewer: Viewer) -> bool:
    """Editors propose terms, which stay unused until an admin approves them."""
    return viewer.can_publish


def visible_condition(viewer: Viewer, today: date | None = None):
    """The same rule as a SQL condition on Item, for lists, counts, collections and the site map."""
    return scope_condition(scope(viewer, today))


def scope_condition(rule: Scope):
    """A Scope as a SQL condition on Item (what search hits are checked against before they are shown)."""
    parts = []
    if rule.levels is not None:
        parts.append(Item.access.in_(rule.levels))
    if rule.statuses is not None:
        parts.append(Item.status.in_(rule.statuses))
    if rule.today is not None:
        parts.append(or_(Item.embargo_until.is_(None), Item.embargo_until < rule.today))
    condition = true()
    for part in parts:
        condition = condition & part
    return condition


# What could locate or identify a person (PRODUCT.md §5): staff only, the position unless an editor publishes it.
LOCATION_TECHMD = ("gps_latitude", "gps_longitude")
DEVICE_TECHMD = ("camera_serial", "lens_serial")


def visible_techmd(techmd: dict, item: Item, viewer: Viewer) -> dict:
    """A media file's technical metadata as the viewer may see it: GPS position only for staff or when an editor
    published the item's location (``location_public``); device serial numbers only for staff."""
    if viewer.is_staff:
        return dict(techmd)
    hidden = DEVICE_TECHMD + (() if item.record.get("location_public") else LOCATION_TECHMD)
    return {k: v for k, v in techmd.items() if k not in hidden}


def original_reveals_private(techmd: dict, item: Item, viewer: Viewer) -> bool:
    """Whether the original as deposited (its EXIF untouched, for fixity) holds what visible_techmd hides from this
    viewer; such an original is not offered to them (the web derivatives carry no EXIF)."""
    return any(key in techmd for key in set(techmd) - set(visible_techmd(techmd, item, viewer)))


def visible_exhibit_statuses(viewer: Viewer) -> tuple[str, ...] | None:
    """Exhibits: the public and researchers see published ones; staff see drafts too (None: every status)."""
    return None if viewer.is_staff else ("published",)


def can_draft_exhibit(viewer: Viewer) -> bool:
    """Any staff member may write and change exhibits while they are drafts."""
    return viewer.is_staff


def can_publish_exhibit(viewer: Viewer) -> bool:
    """Publishing, unpublishing and changing a published exhibit: editors and administrators."""
    return viewer.can_publish


def can_change_exhibit(viewer: Viewer, status: str) -> bool:
    """Changing an exhibit in the given state: any staff member while it is a draft, editors and admins after."""
    return can_publish_exhibit(viewer) if status == "published" else can_draft_exhibit(viewer)


def can_curate_home(viewer: Viewer) -> bool:
    """Choosing the home page's featured exhibits and items, and their order: editors and administrators."""
    return viewer.can_publish


def under_embargo(item: Item, today: date | None = None) -> bool:
    return item.embargo_until is not None and item.embargo_until >= (today or date.today())


def visible_to_public(item: Item) -> bool:
    return can_view(item, Viewer.ANONYMOUS)


def public_filter(today: date | None = None):
    return visible_condition(Viewer.ANONYMOUS, today)

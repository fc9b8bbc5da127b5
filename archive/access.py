"""The one access decision every door asks: pages, search, API, IIIF, media files.

Anonymous visitors see published public items only. Roles (researcher, staff…) arrive with the staff issue and
extend this function, never a copy of it.
"""
from __future__ import annotations

from .catalog.models import Item


def visible_to_public(item: Item) -> bool:
    return item.status == "published" and item.access == "public"


def public_filter():
    """The same rule as a SQL condition, for queries that list items."""
    return (Item.status == "published") & (Item.access == "public")

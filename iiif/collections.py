"""IIIF collections: one per archive collection, one per community (id = community term id), and ``top``.

An archive collection's id wins over a community's if the two ever coincide. Only items the viewer may see (archive.access)
are listed.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access import Viewer
from archive.catalog.models import Collection, Item
from archive.errors import NotFound
from archive.labels import SITE_LANGS
from archive.vocabularies import Vocabularies

from . import labels
from .manifest import provider, thumbnail
from .navplace import nav_place
from .presentation import CollectionSpec, Link, Reference, build_collection
from .published import in_collection, presented_media, visible_items
from .urls import Urls

TOP = "top"
TOP_LABEL = {"vi": ["Tất cả bộ sưu tập"], "en": ["All collections"]}
COMMUNITY_SUMMARY = {"vi": "Tư liệu của cộng đồng {vi}", "en": "Items of the {en} community"}


def collection_document(session: Session, collection_id: str, vocab: Vocabularies, urls: Urls,
                        viewer: Viewer = Viewer.ANONYMOUS) -> dict:
    if collection_id == TOP:
        return build_collection(_top(session, vocab, urls))
    collection = session.get(Collection, collection_id)
    if collection is not None:
        return build_collection(_archive_collection(session, collection, vocab, urls, viewer))
    if vocab.get("communities", collection_id):
        return build_collection(_community(session, collection_id, vocab, urls, viewer))
    raise NotFound(f"no collection {collection_id!r}")


def _manifest_ref(item: Item, urls: Urls) -> Reference:
    first = presented_media(item)[0]
    return Reference(urls.manifest(item.id), "Manifest", labels.lang_map(item.record.get("title")),
                     thumbnail(first, urls))


def _collection_ref(collection: Collection, urls: Urls) -> Reference:
    return Reference(urls.collection(collection.id), "Collection", labels.lang_map(collection.title))


def _community_ref(term_id: str, vocab: Vocabularies, urls: Urls) -> Reference:
    return Reference(urls.collection(term_id), "Collection", labels.term(vocab, "communities", term_id))


def _places(vocab: Vocabularies, urls: Urls, collection_id: str, items: list[Item]) -> dict | None:
    return nav_place(vocab, urls.base, urls.collection(collection_id), [item.record.get("place") for item in items])


def _archive_collection(session: Session, collection: Collection, vocab: Vocabularies, urls: Urls,
                        viewer: Viewer) -> CollectionSpec:
    title = labels.lang_map(collection.title)
    items = visible_items(session, viewer, in_collection(collection.id))
    return CollectionSpec(
        urls.collection(collection.id), title, [_manifest_ref(item, urls) for item in items],
        summary=labels.lang_map(collection.description) or None, provider=[provider(urls)],
        homepage=[Link(urls.page(lang, "collections", collection.id), "Text", title, "text/html", [lang])
                  for lang in SITE_LANGS],
        nav_place=_places(vocab, urls, collection.id, items))


def _community(session: Session, term_id: str, vocab: Vocabularies, urls: Urls, viewer: Viewer) -> CollectionSpec:
    label = labels.term(vocab, "communities", term_id)
    names = vocab.get("communities", term_id)["label"]
    curated = session.scalars(select(Collection).where(Collection.community == term_id).order_by(Collection.id))
    items = visible_items(session, viewer, Item.community == term_id)
    return CollectionSpec(
        urls.collection(term_id), label,
        [_collection_ref(c, urls) for c in curated] + [_manifest_ref(item, urls) for item in items],
        summary={tag: [text.format(**names)] for tag, text in COMMUNITY_SUMMARY.items()},
        provider=[provider(urls)], nav_place=_places(vocab, urls, term_id, items))


def _top(session: Session, vocab: Vocabularies, urls: Urls) -> CollectionSpec:
    communities = [_community_ref(t["id"], vocab, urls) for t in vocab.terms("communities")]
    curated = [_collection_ref(c, urls) for c in session.scalars(select(Collection).order_by(Collection.id))]
    return CollectionSpec(urls.collection(TOP), TOP_LABEL, communities + curated, provider=[provider(urls)])

"""SQLAlchemy models of the catalog. Schema changes go through Alembic migrations (archive/migrations)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


item_collections = Table(
    "item_collections", Base.metadata,
    Column("item_id", String(64), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("collection_id", String(64), ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
)


class Item(Base):
    __tablename__ = "items"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="published", index=True)  # draft | published
    access: Mapped[str] = mapped_column(String(16), default="public", index=True)  # archive.access.LEVELS
    # Until this day (inclusive) only staff see the item, whatever its access level.
    embargo_until: Mapped[date | None] = mapped_column(Date, index=True)
    community: Mapped[str | None] = mapped_column(String(64), index=True)
    festival: Mapped[str | None] = mapped_column(String(64), index=True)
    place: Mapped[str | None] = mapped_column(String(64), index=True)
    date: Mapped[str | None] = mapped_column(String(100))
    date_start: Mapped[str | None] = mapped_column(String(10), index=True)  # earliest ISO day the EDTF date can mean
    date_end: Mapped[str | None] = mapped_column(String(10), index=True)
    # Checksum of a record imported without an id, so importing the same file twice makes no duplicate.
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    # The whole exchange-format record (language maps, lists, creators…), NFC-normalised.
    record: Mapped[dict] = mapped_column(JSON)
    # The number of the item's current version (archive.editing): a save of version N commits only while this is
    # still N (one conditional UPDATE), so two people saving at once never lose a change silently.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Every change of the row (archive.lists pages the API's item list in this order).
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True)

    files: Mapped[list["MediaFile"]] = relationship(
        back_populates="item", order_by="MediaFile.position", cascade="all, delete-orphan")
    collections: Mapped[list["Collection"]] = relationship(secondary=item_collections, back_populates="items")
    # Read only (archive.ocr_text changes the rows): loaded with the item when a reindex reads its passages.
    ocr_pages: Mapped[list["OcrPage"]] = relationship(viewonly=True)

    @property
    def media(self) -> list["MediaFile"]:
        """The item's media files, without the captions attached to them."""
        return [f for f in self.files if f.parent_id is None]


class MediaFile(Base):
    """A stored original: a media file of an item, or a caption/transcript attached to one (``parent_id``)."""

    __tablename__ = "media_files"
    __table_args__ = (UniqueConstraint("sha256", name="uq_media_files_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), ForeignKey("items.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))  # image | audio | video | caption
    language: Mapped[str | None] = mapped_column(String(35))  # captions: BCP 47 tag
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(Text)
    techmd: Mapped[dict] = mapped_column(JSON, default=dict)
    derivatives: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[Item] = relationship(back_populates="files")
    parent: Mapped["MediaFile | None"] = relationship(back_populates="captions", remote_side=[id])
    captions: Mapped[list["MediaFile"]] = relationship(back_populates="parent", order_by="MediaFile.language")


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[dict] = mapped_column(JSON)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    community: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Compare-and-set of staff saves (archive.terms.save_collection); its versions are in vocabulary_versions.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    items: Mapped[list[Item]] = relationship(secondary=item_collections, back_populates="collections")


class VocabularyDocument(Base):
    """A vocabulary's own description and sources (its data file without the terms), kept for the export."""

    __tablename__ = "vocabulary_documents"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    document: Mapped[dict] = mapped_column(JSON)


class VocabularyTerm(Base):
    """A term of a controlled vocabulary (archive.terms): seeded from the shipped data files, then managed by staff.
    ``data`` is the whole term as the data files write it (every field kept, known or not)."""

    __tablename__ = "vocabulary_terms"

    vocabulary: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    label: Mapped[dict] = mapped_column(JSON)
    data: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")  # active | proposed
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # order in lists and the export
    # Compare-and-set like Item.version: a save of version N commits only while the term is still at N.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class VocabularyVersion(Base):
    """One saved state of a term (``data`` None: deleted or merged away), with who made it and how."""

    __tablename__ = "vocabulary_versions"
    __table_args__ = (UniqueConstraint("vocabulary", "term_id", "number", name="uq_vocabulary_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(32))
    term_id: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))  # seed | create | propose | edit | restore | delete | merge
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IngestRun(Base):
    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # NFC, lower-case
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # archive.accounts.ROLES
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session id: raised when the account is disabled, so enabling it again revives no old session.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EndedSession(Base):
    """A staff session signed out: its cookie, even copied, opens nothing again (archive.accounts.end_session)."""

    __tablename__ = "ended_sessions"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class LoginAttempt(Base):
    """Failed sign-ins, counted per username and per address to slow password guessing across processes."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str | None] = mapped_column(String(200), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))


class ItemVersion(Base):
    """One saved state of an item's description and publication, with who made it and how."""

    __tablename__ = "item_versions"
    __table_args__ = (UniqueConstraint("item_id", "number", name="uq_item_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), ForeignKey("items.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    access: Mapped[str] = mapped_column(String(16))
    embargo_until: Mapped[date | None] = mapped_column(Date)
    # The caption and transcript files of the item at this version ([{media, language, sha256, name}], see
    # archive.captions); None in versions saved before they were kept. Files a version names stay in the store.
    captions: Mapped[list | None] = mapped_column(JSON)
    # create | edit | revert | publish | unpublish | access_change | term_edit | term_merge (archive.terms) |
    # caption_add | caption_replace | caption_remove (archive.captions)
    action: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Exhibit(Base):
    """A curated story page (archive.exhibit_store): its current content and publication state. Saves are
    compare-and-set on ``version``, like items."""

    __tablename__ = "exhibits"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)  # draft | published
    community: Mapped[str | None] = mapped_column(String(64), index=True)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=1000)  # lists sort by position, then slug
    content: Mapped[dict] = mapped_column(JSON)  # archive.exhibit_model
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ExhibitVersion(Base):
    """One saved state of an exhibit: its whole content and status, who saved it, when and why."""

    __tablename__ = "exhibit_versions"
    __table_args__ = (UniqueConstraint("exhibit_slug", "number", name="uq_exhibit_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exhibit_slug: Mapped[str] = mapped_column(String(80), ForeignKey("exhibits.slug", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))  # create | edit | restore | publish | unpublish | import
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HomeCuration(Base):
    """One saved choice of the home page's featured exhibits and items, in order (archive.home_curation): rows are
    only added, the highest number is the choice in force, and a unique number makes saves compare-and-set."""

    __tablename__ = "home_curations"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    exhibits: Mapped[list] = mapped_column(JSON)  # exhibit slugs
    items: Mapped[list] = mapped_column(JSON)  # item ids
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Upload(Base):
    """A file arriving in chunks from the browser, kept in DATA_DIR/uploads/<id>/ until its job has run."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """The ingest of one uploaded file by the background worker."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    upload_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued|running|done|rejected|failed
    reasons: Mapped[list | None] = mapped_column(JSON)  # why it was turned away: archive.reasons.Reason.as_dict()s
    item_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # times a worker took it
    # The worker process running it (archive.processes.process_tag), to tell a dead worker's job from a live one's.
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class IndexOutbox(Base):
    """An item whose search document must be brought up to date: written in the same transaction as the change
    (archive.uow), removed once applied to the search backend; what a crash leaves here is applied at the next start."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), index=True)  # no foreign key: a deleted item's row says "delete"
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Generation(Base):
    """One row counting the changes that pages can show (archive.generation): raised by every unit of work and by
    every index update, so a page cached under an older count is never served again."""

    __tablename__ = "generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class HarvestRecord(Base):
    """An item as OAI-PMH harvesters know it (archive.harvest): written in the unit of work of every change to an
    item that anonymous visitors can see or could see before. Rows are never removed, so an item harvested once and
    later hidden or deleted stays reported as deleted (the repository's ``deletedRecord`` is ``persistent``)."""

    __tablename__ = "harvest_records"

    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # no foreign key: outlives a deleted item
    datestamp: Mapped[datetime] = mapped_column(DateTime, index=True)  # UTC, whole seconds (OAI-PMH granularity)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class HarvestSet(Base):
    """The OAI-PMH sets a harvest record belongs to (``community:cham``, ``collection:…``, ``type:image``), as of its
    last change, so a deleted record is still reported in the sets it was harvested from."""

    __tablename__ = "harvest_sets"

    item_id: Mapped[str] = mapped_column(String(64), ForeignKey("harvest_records.item_id", ondelete="CASCADE"),
                                         primary_key=True)
    spec: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class OcrPage(Base):
    """The text found by OCR in one image of an item (ingest.ocr, read through archive.ocr_text): its words with
    their boxes in the image's pixels, the plain text, the engine and language data that read it, and a staff
    correction. Kept apart from the catalogued description; ``version`` makes corrections compare-and-set."""

    __tablename__ = "ocr_pages"
    __table_args__ = (UniqueConstraint("media_file_id", name="uq_ocr_pages_media_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_file_id: Mapped[int] = mapped_column(ForeignKey("media_files.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(64), ForeignKey("items.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued|running|done|no_model|failed
    languages: Mapped[str | None] = mapped_column(String(200))  # Tesseract's, as passed to it: "khm+vie+eng"
    missing: Mapped[list] = mapped_column(JSON, default=list)  # the record's languages/scripts no model reads: ["cjm"]
    engine: Mapped[str | None] = mapped_column(String(100))  # "tesseract 5.3.0"
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> checksum of the traineddata file used
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    words: Mapped[list] = mapped_column(JSON, default=list)  # [text, x, y, w, h, conf, block, line] in image pixels
    text: Mapped[str] = mapped_column(Text, default="")
    corrected_text: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class OcrVersion(Base):
    """One saved state of a page's text: what OCR read (action ``ocr``) or what staff corrected it to (``correct``)."""

    __tablename__ = "ocr_versions"
    __table_args__ = (UniqueConstraint("page_id", "number", name="uq_ocr_versions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("ocr_pages.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # ocr | correct
    text: Mapped[str] = mapped_column(Text)
    languages: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

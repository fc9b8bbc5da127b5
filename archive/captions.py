"""Caption and transcript files of an item's audio and video, managed by staff: upload, replace and remove one WebVTT
file per language. The file is checked line by line before it is stored (archive.transcripts.check_webvtt); each
change is one unit of work (archive.uow): a new version of the item that keeps the list of its caption files
(archive.editing.caption_files), an audit entry, the item's index update and a raised generation, committed together.
Files replaced or removed stay in the file store, named by the versions that had them: nothing is lost."""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass

from .access import Viewer
from .catalog import service, versioning
from .catalog.models import Item, MediaFile
from .context import Archive
from .editing import ensure_first_version, require_staff, save_version
from .errors import BadParameter, InvalidRecord, NotFound, Problem
from .labels import caption_tag
from .reasons import Reason
from .transcripts import check_webvtt
from .uow import unit_of_work
from .vocabularies import Vocabularies

MAX_CAPTION_BYTES = 5 * 1024 * 1024
AV_KINDS = ("audio", "video")


@dataclass(frozen=True)
class CaptionFile:
    language: str
    sha256: str
    name: str
    size: int


@dataclass(frozen=True)
class AvFile:
    sha256: str
    name: str
    kind: str
    captions: tuple[CaptionFile, ...]


def languages(vocab: Vocabularies) -> list[tuple[str, dict]]:
    """(BCP 47 tag, label) of every language a caption may be in: the languages vocabulary, in its order."""
    return [(caption_tag(term["id"]), term["label"]) for term in vocab.terms("languages")]


def av_files(archive: Archive, item_id: str) -> list[AvFile]:
    """The item's audio and video files with their captions, in file order."""
    with archive.catalog.session() as s:
        item = service.get_item(s, item_id)
        return [AvFile(m.sha256, m.original_name, m.kind,
                       tuple(CaptionFile(c.language, c.sha256, c.original_name, c.size) for c in m.captions))
                for m in item.media if m.kind in AV_KINDS]


def _av_file(item: Item, media_sha: str) -> MediaFile:
    for media in item.media:
        if media.sha256 == media_sha and media.kind in AV_KINDS:
            return media
    raise BadParameter("media", f"item {item.id} has no audio or video file {media_sha[:64]!r}")


def _language(archive: Archive, language: str) -> str:
    if language not in {tag for tag, _ in languages(archive.vocab)}:
        raise BadParameter("language", f"{language[:35]!r} is not one of the archive's languages")
    return language


def _checked(data: bytes, name: str) -> None:
    """InvalidRecord whose problems (of the field ``file``) are Reasons, each naming a line of the file."""
    if len(data) > MAX_CAPTION_BYTES:
        raise InvalidRecord([Problem("file", Reason("too_large", size=len(data), limit=MAX_CAPTION_BYTES))], name)
    if reasons := check_webvtt(data):
        raise InvalidRecord([Problem("file", reason) for reason in reasons], name)


def _store(archive: Archive, data: bytes, name: str) -> tuple[str, int, bool]:
    """Put the file in the store; (checksum, size, whether the store already had it)."""
    sha = hashlib.sha256(data).hexdigest()
    had = archive.store.has_original(sha)
    work = archive.store.new_work_dir("caption-")
    try:
        path = work / "caption.vtt"
        path.write_bytes(data)
        sha, size = archive.store.put_original(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return sha, size, had


def _current(s, item_id: str, media_sha: str, language: str,
             expected: int | None) -> tuple[Item, MediaFile, MediaFile | None]:
    """The item (at the version the change was made from), its audio or video file and that file's ``language``
    captions, if any."""
    item = service.get_item(s, item_id)
    versioning.check(f"item {item.id}", item, expected)
    media = _av_file(item, media_sha)
    return item, media, next((c for c in media.captions if c.language == language), None)


def put_caption(archive: Archive, item_id: str, media_sha: str, language: str, data: bytes, name: str,
                actor: Viewer, *, expected_version: int | None = None) -> int:
    """Attach ``data`` as the ``language`` captions of the item's audio or video file ``media_sha``, replacing the
    file of that language if there is one; returns the item's version now current (unchanged if the same file was
    already there). InvalidRecord naming each bad line of the file; BadParameter for an unknown file or language."""
    require_staff(actor)
    language = _language(archive, language)
    _checked(data, name)
    sha, size, had = _store(archive, data, name)
    try:
        return _attach(archive, item_id, media_sha, language, sha, size, name, actor, expected_version)
    except BaseException:
        if not had:  # stored for this change alone, and the change did not happen
            archive.store.discard(sha)
        raise


def _attach(archive: Archive, item_id: str, media_sha: str, language: str, sha: str, size: int, name: str,
            actor: Viewer, expected: int | None) -> int:
    with unit_of_work(archive) as work:
        s = work.session
        item, media, old = _current(s, item_id, media_sha, language, expected)
        if old is not None and old.sha256 == sha:
            return item.version
        elsewhere = service.media_by_sha(s, [sha]).get(sha)
        if elsewhere is not None:
            raise InvalidRecord([Problem("file", Reason("already_in_archive"))], name)
        seen = item.version
        ensure_first_version(s, item)
        if old is not None:
            service.detach_caption(item, media, old)
        service.attach_caption(item, media, sha256=sha, size=size, name=name, language=language)
        action = "caption_replace" if old is not None else "caption_add"
        number = save_version(s, item, action, actor, expected=seen)
        details = {"version": number, "file": media.original_name, "language": language, "sha256": sha, "name": name}
        if old is not None:
            details["replaced"] = old.sha256
        work.audit(actor, action, f"item:{item_id}", details)
        work.reindex(item_id)
    return number


def remove_caption(archive: Archive, item_id: str, media_sha: str, language: str, actor: Viewer, *,
                   expected_version: int | None = None) -> int:
    """Take the ``language`` captions off the item's file ``media_sha``; returns the new version number."""
    require_staff(actor)
    with unit_of_work(archive) as work:
        s = work.session
        item, media, old = _current(s, item_id, media_sha, language, expected_version)
        if old is None:
            raise NotFound(f"{media.original_name} of item {item_id} has no {language[:35]!r} captions")
        seen = item.version
        ensure_first_version(s, item)
        service.detach_caption(item, media, old)
        s.flush()
        number = save_version(s, item, "caption_remove", actor, expected=seen)
        work.audit(actor, "caption_remove", f"item:{item_id}",
                   {"version": number, "file": media.original_name, "language": language, "sha256": old.sha256,
                    "name": old.original_name})
        work.reindex(item_id)
    return number

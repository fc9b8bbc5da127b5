"""BagIt packages (BagIt 1.0, RFC 8493): ``heritage export-bag`` and ``heritage import-bag``.

One bag per item, the unit that moves between archives and that a preservation system keeps; a collection or the
whole archive is a folder of bags. A bag's payload:

    data/record.json         the item in the record exchange format (PRODUCT.md §3), with its status, embargo and
                             files (their paths in the bag, checksums, captions' languages), as ``service.item_record``
    data/dc.xml              the record as simple Dublin Core (oai_dc, as OAI-PMH serves it)
    data/collections.json    the item's collections, in the format ``import-collections`` reads, so the bag stands alone
    data/media/<n>/<name>    the n-th original, byte for byte, under the name it was ingested with
    data/media/<n>/captions/<name>   its captions and transcripts

with SHA-256 and SHA-512 payload and tag manifests, and bag-info.txt naming the archive and the item. Export is a
server-side command: it exports whatever it is asked for, and the record keeps its access level, status and embargo,
so an import restores them.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from concurrent.futures import Executor
from datetime import date
from pathlib import Path

import bagit
from jsonschema import Draft202012Validator
from lxml import etree
from sqlalchemy import select

from iiif.urls import Urls
from ingest.validate import Limits
from ingest.worker import FileDone, process_file

from . import dublin_core
from .access import STATUSES
from .catalog import service
from .catalog.models import Collection, Item, MediaFile
from .context import Archive
from .errors import ArchiveError, InvalidRecord, NotFound, UnsafePath
from .filestore import safe_join
from .labels import ARCHIVE_NAME
from .processes import worker_pool
from .records import validate_record
from .report import Rejection, Summary
from .uow import unit_of_work

ALGORITHMS = ("sha256", "sha512")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_STRINGS = {"type": "string"}
_CAPTION = {"type": "object", "required": ["path", "sha256", "original_name", "language"],
            "properties": {k: _STRINGS for k in ("path", "sha256", "original_name", "language")}}
# The part of record.json that says which payload file is which (the record itself is checked by validate_record).
_FILES_SCHEMA = Draft202012Validator({"type": "object", "required": ["media"], "properties": {"media": {
    "type": "array", "items": {"type": "object", "required": ["path", "sha256", "original_name", "captions"],
                               "properties": {**{k: _STRINGS for k in ("path", "sha256", "original_name")},
                                              "captions": {"type": "array", "items": _CAPTION}}}}}})


class BagRefused(ArchiveError):
    """A bag (or an item to bag) that cannot be moved, with every reason."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("; ".join(reasons))


# --- export -----------------------------------------------------------------------------------------------------

def export_bags(archive: Archive, dest: Path, item_ids: list[str], *, collection: str | None = None,
                everything: bool = False) -> Summary:
    """Write one bag per item into ``dest`` (``dest/<item id>``); ``summary.new`` lists the items bagged. An existing
    bag is never overwritten."""
    summary = Summary()
    dest.mkdir(parents=True, exist_ok=True)
    with archive.catalog.session() as s:
        wanted = list(item_ids)
        if collection is not None:
            found = s.get(Collection, collection)
            if found is None:
                summary.rejected.append(Rejection(f"--collection {collection}", [f"no collection {collection!r}"]))
            else:
                wanted += sorted(i.id for i in found.items)
        if everything:
            wanted += list(s.scalars(select(Item.id).order_by(Item.id)))
        for item_id in dict.fromkeys(wanted):
            try:
                item = service.get_item(s, item_id)
                target = safe_join(dest, item_id)
                if target.exists():
                    raise BagRefused([f"{target} exists; not overwritten"])
                _write_bag(archive, item, target, group=collection)
                summary.new.append(item_id)
            except (BagRefused, NotFound, UnsafePath) as exc:
                summary.rejected.append(Rejection(item_id, getattr(exc, "reasons", [str(exc)])))
    return summary


def _write_bag(archive: Archive, item: Item, target: Path, group: str | None) -> None:
    """Build the bag in a hidden folder beside ``target`` and rename it into place: a crash leaves no half bag."""
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{item.id}."))
    work.chmod(0o755)  # mkdtemp makes it private to us; a bag is made for others to read
    try:
        copied: dict[str, MediaFile] = {}  # payload path -> the stored original copied there
        media = []
        for n, m in enumerate(item.media, start=1):
            entry = _media_entry(m, _copy(archive, m, work, f"media/{n}", copied))
            entry["captions"] = [{**_media_entry(c, _copy(archive, c, work, f"media/{n}/captions", copied)),
                                  "language": c.language} for c in m.captions]
            media.append(entry)
        record = {k: v for k, v in service.item_record(item).items() if k != "media"}
        record["embargo_until"] = item.embargo_until.isoformat() if item.embargo_until else None
        record["media"] = media
        _write_json(work / "record.json", record)
        _write_json(work / "collections.json", [{"id": c.id, "title": c.title, "description": c.description,
                                                 "community": c.community} for c in item.collections])
        (work / "dc.xml").write_bytes(etree.tostring(_dublin_core(archive, item), xml_declaration=True,
                                                     encoding="UTF-8", pretty_print=True))
        title = item.record.get("title", {})
        info = {"Source-Organization": [ARCHIVE_NAME["vi"], ARCHIVE_NAME["en"]],
                "External-Identifier": item.id,
                "External-Description": title.get("en") or title.get("vi"),
                "Internal-Sender-Identifier": Urls(archive.settings.base_url).page("en", "items", item.id)}
        if group:
            info["Bag-Group-Identifier"] = group
        bagit.make_bag(str(work), info, processes=1, checksums=list(ALGORITHMS))  # adds Bagging-Date, Payload-Oxum
        # bagit-python writes "BagIt-Version: 0.97" whatever it makes; what it makes is also a BagIt 1.0 bag (RFC
        # 8493: UTF-8 tag files, every payload file in every manifest), so say 1.0 and redo the tag manifests.
        (work / "bagit.txt").write_text(BAGIT_TXT, "utf-8")
        bag = bagit.Bag(str(work))
        bag.save()
        # The manifest's SHA-256 was computed afresh from the copies: checking it against the catalog's is a fixity
        # check of every original on its way out.
        bad = [f"{path}: SHA-256 {bag.entries[path]['sha256']} is not the catalog's {m.sha256} (run heritage fixity)"
               for path, m in copied.items() if bag.entries[path]["sha256"] != m.sha256]
        if bad:
            raise BagRefused(bad)
        os.rename(work, target)
    finally:
        if work.exists():
            shutil.rmtree(work)


def _payload_name(name: str, sha: str) -> str:
    """The file's ingested name as a file name (no folders); its checksum when nothing usable is left."""
    name = Path(name).name
    return name if name not in ("", ".", "..") else sha


def _copy(archive: Archive, m: MediaFile, work: Path, folder: str, copied: dict[str, MediaFile]) -> str:
    path = f"{folder}/{_payload_name(m.original_name, m.sha256)}"
    if f"data/{path}" in copied:  # two captions of one file under one name: keep both, the second by checksum
        path = f"{folder}/{m.sha256}"
    (work / folder).mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(archive.store.original_path(m.sha256), work / path)
    except OSError as exc:
        raise BagRefused([f"original {m.sha256} ({m.original_name}) cannot be read from the store: "
                          f"{exc.strerror or exc} (run heritage fixity)"]) from exc
    copied[f"data/{path}"] = m
    return path


def _media_entry(m: MediaFile, path: str) -> dict:
    return {"path": path, "sha256": m.sha256, "kind": m.kind, "mime": m.mime, "size": m.size,
            "original_name": m.original_name, "techmd": m.techmd}


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")


def _dublin_core(archive: Archive, item: Item) -> etree._Element:
    links = dublin_core.item_links(item, Urls(archive.settings.base_url))
    return dublin_core.oai_dc(item.type, item.record, archive.vocab, links, ARCHIVE_NAME)


# --- import -----------------------------------------------------------------------------------------------------

def import_bags(archive: Archive, paths: list[Path]) -> Summary:
    """Validate each bag, then restore its item (same id, same record, same originals); a rejected bag leaves the
    archive as it was and the others still go in."""
    summary = Summary()
    limits = Limits.from_settings(archive.settings)
    with archive.write_lock("import-bag"), worker_pool(archive.settings.workers) as pool:
        archive.store.clear_tmp()
        for path in paths:
            try:
                _import_bag(archive, path, pool, limits, summary)
            except BagRefused as exc:
                summary.rejected.append(Rejection(str(path), exc.reasons))
    return summary


def read_bag(path: Path) -> tuple[bagit.Bag, dict]:
    """The validated bag and its record.json; BagRefused listing every problem bagit (or we) find."""
    try:
        bag = bagit.Bag(str(path))
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        raise BagRefused([str(d) for d in exc.details] or [str(exc)]) from exc
    except bagit.BagError as exc:
        raise BagRefused([f"not a valid bag: {exc}"]) from exc
    # RFC 8493 §3: every payload file is listed in every payload manifest; bagit checks only that each file is in
    # some manifest, so a file dropped from one manifest (and its tag manifest redone) would pass.
    unlisted = [f"{name} is not listed in manifest-{alg}.txt" for name, hashes in sorted(bag.payload_entries().items())
                for alg in bag.algorithms if alg not in hashes]
    if unlisted:
        raise BagRefused(unlisted)
    try:
        record = json.loads((path / "data" / "record.json").read_text("utf-8"))
    except FileNotFoundError as exc:
        raise BagRefused(["data/record.json: missing (not a bag made by heritage export-bag)"]) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BagRefused([f"data/record.json: not a UTF-8 JSON file ({exc})"]) from exc
    shape = [f"data/record.json: {'.'.join(map(str, e.absolute_path)) or 'record'}: {e.message}"
             for e in _FILES_SCHEMA.iter_errors(record)]
    if shape:
        raise BagRefused(shape)
    return bag, record


def _import_bag(archive: Archive, path: Path, pool: Executor, limits: Limits, summary: Summary) -> None:
    bag, doc = read_bag(path)
    files = _payload_files(path, bag, doc)
    with archive.catalog.session() as s:
        known = service.collection_ids(s)
        collections = _new_collections(archive, path, known)
        record = _record(archive, doc, known | {c["id"] for c in collections})
        existing = s.get(Item, doc.get("id"))
        if existing is not None:
            if _state(existing) == _bag_state(doc, record):
                summary.unchanged.append(f"{path} (item {existing.id} is here already, identical)")
                return
            raise BagRefused([f"item {existing.id} exists in this archive and differs from the bag; not overwritten"])
        owners = service.media_by_sha(s, [sha for _, sha in files.values()])
        if owners:
            raise BagRefused([f"{p}: already stored here, in item {owners[sha].item_id}"
                              for p, (_, sha) in files.items() if sha in owners])

    # The ingest's own per-file step (identify, validate, derivatives, store), in worker processes.
    futures = {p: pool.submit(process_file, f, sha, archive.store.root, limits) for p, (f, sha) in files.items()}
    results = {p: future.result() for p, future in futures.items()}
    failed = [r.reason.about(f"data/{p}") for p, r in results.items() if not isinstance(r, FileDone)]
    if failed:
        for r in results.values():
            if isinstance(r, FileDone):
                archive.store.discard(r.sha256)  # checked above: no item of this archive has it
        raise BagRefused(failed)

    with unit_of_work(archive) as work:
        s = work.session
        for entry in collections:
            service.upsert_collection(s, entry)
        s.flush()
        item = service.create_item(s, record, item_id=doc["id"], status=doc["status"])
        item.embargo_until = _embargo(doc)
        for position, m in enumerate(doc["media"]):
            parent = _attach(item, results[m["path"]], m, position)
            for c in m["captions"]:
                _attach(item, results[c["path"]], c, 0, parent=parent, language=c["language"])
        work.reindex(item.id)
    summary.new.append(doc["id"])
    summary.files_stored += len(results)


def _attach(item: Item, r: FileDone, entry: dict, position: int, **caption) -> MediaFile:
    return service.attach_file(item, sha256=r.sha256, size=r.size, mime=r.mime, kind=r.kind,
                               original_name=entry["original_name"], techmd=r.techmd,
                               derivatives=None if caption else r.derivatives, position=position, **caption)


def _payload_files(path: Path, bag: bagit.Bag, doc: dict) -> dict[str, tuple[Path, str]]:
    """Payload path -> (file, SHA-256) for every original and caption record.json names, each checked to be in the
    bag with the checksum the record gives it."""
    files, problems, listed = {}, [], bag.payload_entries()
    for entry in [e for m in doc["media"] for e in (m, *m["captions"])]:
        name = entry["path"]
        try:
            file = safe_join(path / "data", name)
        except UnsafePath:
            problems.append(f"data/record.json: path {name!r} leaves the bag")
            continue
        if f"data/{name}" not in listed:
            problems.append(f"data/{name}: named in record.json but not in the bag")
            continue
        sha = listed[f"data/{name}"].get("sha256")  # bag.validate() has hashed the file against it (read_bag)
        if sha is None:
            problems.append(f"data/{name}: the bag has no SHA-256 manifest")
            continue
        if sha != entry["sha256"]:
            problems.append(f"data/{name}: SHA-256 {sha}, record.json says {entry['sha256']}")
        files[name] = (file, sha)
    if problems:
        raise BagRefused(problems)
    return files


def _new_collections(archive: Archive, path: Path, known: set[str]) -> list[dict]:
    """The bag's collections this archive lacks (those it has are left as they are)."""
    try:
        entries = json.loads((path / "data" / "collections.json").read_text("utf-8"))
    except FileNotFoundError:
        return []
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BagRefused([f"data/collections.json: not a UTF-8 JSON file ({exc})"]) from exc
    new, problems = [], []
    for i, entry in enumerate(entries if isinstance(entries, list) else [None]):
        if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("title"), dict)):
            problems.append(f"data/collections.json[{i}]: needs an id and a title")
        elif entry.get("community") and (reason := archive.vocab.unknown("communities", entry["community"])):
            problems.append(f"data/collections.json[{i}]: {reason}")
        elif entry["id"] not in known:
            new.append(entry)
    if problems:
        raise BagRefused(problems)
    return new


def _record(archive: Archive, doc: dict, collections: set[str]) -> dict:
    """The bag's record, checked as any imported record is; its status and embargo too."""
    data = {k: v for k, v in doc.items() if k not in ("status", "embargo_until", "media")}
    problems = []
    try:
        record = validate_record(data, archive.vocab, collections=collections)
    except InvalidRecord as exc:
        problems += [f"data/record.json: {p}" for p in exc.problems]
    if "id" not in data:
        problems.append("data/record.json: id: missing (a bag restores an item under its own id)")
    if doc.get("status") not in STATUSES:
        problems.append(f"data/record.json: status: {doc.get('status')!r} is not one of {', '.join(STATUSES)}")
    try:
        _embargo(doc)
    except (TypeError, ValueError):
        problems.append(f"data/record.json: embargo_until: {doc['embargo_until']!r} is not an ISO date")
    if problems:
        raise BagRefused(problems)
    return record


def _embargo(doc: dict) -> date | None:
    return date.fromisoformat(doc["embargo_until"]) if doc.get("embargo_until") is not None else None


def _state(item: Item) -> tuple:
    """What a bag restores of an item: to tell an item already here from a different one under the same id."""
    return ({"type": item.type, **item.record}, item.status, item.embargo_until,
            [(m.sha256, m.original_name, sorted((c.sha256, c.language) for c in m.captions)) for m in item.media])


def _bag_state(doc: dict, record: dict) -> tuple:
    return ({k: v for k, v in record.items() if k != "id"}, doc["status"], _embargo(doc),
            [(m["sha256"], m["original_name"], sorted((c["sha256"], c["language"]) for c in m["captions"]))
             for m in doc["media"]])

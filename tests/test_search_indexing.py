"""Store first, then index: import and ingest index what they commit (through the index outbox), `heritage
reindex` rebuilds, `heritage search` prints hits, and a search outage never loses a catalog commit: the changes wait
in the outbox until `heritage reindex --pending` or the next start."""
from __future__ import annotations

import csv
import json
import logging
import re
import socket
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from archive import indexing
from archive.access import EVERYTHING
from archive.catalog.models import Item, MediaFile
from archive.cli import main
from archive.context import Archive
from archive.settings import load_settings
from archive.uow import unit_of_work
from archive.vocabularies import Vocabularies
from search import whoosh_backend
from search.documents import Source, build_document
from search.elasticsearch_backend import ElasticsearchBackend
from search.request import SearchRequest
from search.whoosh_backend import WhooshBackend
from tests.conftest import heritage_subprocess
from tests.media import make_jpeg, make_wav
from tests.catalogs import command_env, database_url

RECORDS = [
    {"id": "ix-lantern", "title": {"vi": "Đèn lồng Nguyên Tiêu", "en": "Lantern Festival lanterns"},
     "community": "hoa", "date": "2020-02"},
    {"id": "ix-boat", "title": {"vi": "Đua ghe ngo", "en": "Ngo boat race"}, "community": "khmer", "date": "2011"},
    {"id": "ix-staff", "title": {"vi": "Nghi lễ kín", "en": "Confidential rite"}, "community": "cham",
     "access": "staff"},
]


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    return path


def ids(archive: Archive, q: str, **options) -> list[str]:
    return [h.id for h in archive.search.search(SearchRequest(q=q, **options)).hits]


def test_import_indexes_what_it_commits_and_updates_replace(tmp_path, heritage, archive):
    assert heritage("import-records", write_jsonl(tmp_path / "r.jsonl", RECORDS)).exit_code == 0
    assert ids(archive, "lantern") == ["ix-lantern"]
    assert ids(archive, "confidential") == [] and ids(archive, "confidential", scope=EVERYTHING) == ["ix-staff"]
    renamed = [{**RECORDS[0], "title": {"vi": "Lồng đèn Trung Thu", "en": "Mid-Autumn lanterns"}}]
    assert heritage("import-records", write_jsonl(tmp_path / "r2.jsonl", renamed)).exit_code == 0
    assert ids(archive, "nguyên tiêu") == []
    assert ids(archive, "trung thu") == ["ix-lantern"]
    assert archive.search.count(SearchRequest(scope=EVERYTHING)) == 3


def test_ingest_indexes_new_items_and_metadata_updates(tmp_path, heritage, archive):
    d = tmp_path / "in"
    make_jpeg(d / "lion.jpg", seed=3)
    row = {"file": "lion.jpg", "title_vi": "Múa lân", "title_en": "Lion dance", "title_zh-Hans": "舞狮",
           "community": "hoa"}
    assert heritage("ingest", "--quiet", d, "--metadata", write_csv(d / "m.csv", [row])).exit_code == 0
    found = archive.search.search(SearchRequest(q="舞獅"))
    assert found.total == 1 and found.hits[0].display["media"]["kind"] == "image"
    row["title_en"] = "Unicorn dance"
    assert heritage("ingest", "--quiet", d, "--metadata", write_csv(d / "m.csv", [row])).exit_code == 0
    assert ids(archive, "unicorn") == [found.hits[0].id] and ids(archive, "lion") == []


def test_reindex_rebuilds_from_the_catalog(tmp_path, heritage, archive):
    assert heritage("import-records", write_jsonl(tmp_path / "r.jsonl", RECORDS)).exit_code == 0
    index_dir = archive.search.path
    archive.search.close()
    for f in index_dir.iterdir():
        f.unlink()
    index_dir.rmdir()
    fresh = Archive(archive.settings)
    assert fresh.search.count(SearchRequest(scope=EVERYTHING)) == 0
    result = heritage("reindex")
    assert result.exit_code == 0 and "reindex: 3 items indexed (whoosh)" in result.output
    assert "3/3" in result.output  # the progress bar
    assert ids(fresh, "boat") == ["ix-boat"]
    fresh.search.close()


SCRIPTS = [
    {"id": "sc-han", "title": {"vi": "Hội quán Tuệ Thành", "zh-Hant": "穗城會館天后宮"}, "community": "hoa"},
    {"id": "sc-khmer", "title": {"vi": "Lễ Chôl Chnăm Thmây", "km": "បុណ្យចូលឆ្នាំថ្មី"}, "community": "khmer",
     "description": {"km": "ទូកប្រណាំង វត្ត ១៩៩៥", "en": "Boat races at the pagodas"}},
    {"id": "sc-cham", "title": {"vi": "Lễ hội Katê", "cjm-Cham": "ꨀꨇꩉ ꨌꩌ"}, "community": "cham",
     "subjects": ["múa", "trống Ghinăng"], "creators": [{"name": "Đàng Năng Thọ"}]},
    {"id": "sc-vi", "title": {"vi": "Đua ghe ngo trên sông", "en": "Ngo boat racing"}, "community": "khmer",
     "description": {"vi": "Mả, má, mà: lễ cúng tổ tiên ở chùa.", "en": "Ancestors' offerings"}, "date": "1975"},
]


def test_parallel_analysis_encodes_the_same_runs_as_serial(tmp_path, heritage, archive):
    records = SCRIPTS + [{**record, "id": f"{record['id']}-{n}"} for n in range(150) for record in SCRIPTS]
    assert heritage("import-records", write_jsonl(tmp_path / "r.jsonl", records)).exit_code == 0
    serial = list(indexing._all_runs(archive, archive.search, 1))
    parallel = list(indexing._all_runs(archive, archive.search, 2))
    assert len(serial) > 1 and sum(count for count, _ in serial) == len(records)  # several runs through the pool
    assert [id_ for _, run in serial for id_, _, _ in run.stored] == sorted(d["id"] for d in records)
    assert parallel == serial
    fields = set(serial[0][1].postings.docnums)
    assert {"title_han", "title_khmer", "title_cham", "title_exact", "title_folded", "all_stem"} <= fields


def test_reindex_shows_count_and_rate_on_stderr_and_quiet_hides_them(tmp_path, data_dir, heritage):
    assert heritage("import-records", write_jsonl(tmp_path / "r.jsonl", SCRIPTS)).exit_code == 0
    shown = heritage_subprocess(data_dir, "reindex", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = shown.communicate(timeout=120)
    assert shown.returncode == 0 and "reindex: 4 items indexed (whoosh)" in out
    final = err.replace("\r", "\n").strip().splitlines()[-1]
    assert "4/4" in final and re.search(r"\d+(\.\d+)?item/s", final), err
    quiet = heritage_subprocess(data_dir, "reindex", "--quiet", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    out, err = quiet.communicate(timeout=120)
    assert quiet.returncode == 0 and "reindex: 4 items indexed (whoosh)" in out and "item/s" not in err


def test_cli_search_prints_the_top_hits(tmp_path, heritage):
    assert heritage("import-records", write_jsonl(tmp_path / "r.jsonl", RECORDS)).exit_code == 0
    result = heritage("search", "ghe ngo")
    assert result.exit_code == 0
    assert result.output.splitlines() == ["1 results", "  1. ix-boat  Đua ghe ngo  [document, khmer, 2011]"]
    assert "Ngo boat race" in heritage("search", "--lang", "en", "boat").output
    assert "ix-staff" not in heritage("search", "confidential").output
    assert "ix-staff" in heritage("search", "--all", "confidential").output
    corrected = heritage("search", "lantren")
    assert "showing results for 'lantern'" in corrected.output and "ix-lantern" in corrected.output
    bad = heritage("search", "date:never")
    assert bad.exit_code == 2 and "'never' is not an EDTF date" in bad.output


def test_a_locked_index_never_loses_the_catalog_commit(tmp_path, heritage, archive, monkeypatch, caplog):
    monkeypatch.setattr(whoosh_backend, "WRITE_TIMEOUT", 0.2)
    holder = archive.search._index().writer()  # another writer holds the lock (the injected fault)
    try:
        with caplog.at_level(logging.ERROR):
            result = heritage("import-records", write_jsonl(tmp_path / "r.jsonl", RECORDS))
    finally:
        holder.cancel()
    assert result.exit_code == 0
    assert "3 item(s) are saved in the catalog but not yet in the search index" in caplog.text
    assert "heritage reindex --pending" in caplog.text
    with archive.catalog.session() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == 3
    assert indexing.pending(archive) == 3  # the changes wait in the outbox
    result = heritage("reindex", "--pending")
    assert result.exit_code == 0 and "reindex: 3 pending items indexed (whoosh)" in result.output
    assert indexing.pending(archive) == 0
    assert ids(archive, "boat") == ["ix-boat"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_elasticsearch_outage_is_repaired_by_reindex(tmp_path, elasticsearch_node):
    data_dir = tmp_path / "var"

    def run(url: str, *args):
        env = command_env(data_dir, HERITAGE_SEARCH_BACKEND="elasticsearch", HERITAGE_ELASTICSEARCH_URL=url)
        return CliRunner().invoke(main, ["--data-dir", str(data_dir), *map(str, args)], env=env,
                                  catch_exceptions=False)

    down = f"http://127.0.0.1:{_closed_port()}"
    assert run(down, "import-records", write_jsonl(tmp_path / "r.jsonl", RECORDS)).exit_code == 0
    failed = run(down, "reindex", "--quiet")
    assert failed.exit_code == 1 and f"Elasticsearch at {down} could not" in failed.output
    assert run(down, "reindex", "--pending").exit_code == 1
    archive = Archive(load_settings(environ={"HERITAGE_SEARCH_BACKEND": "elasticsearch",
                                             "HERITAGE_ELASTICSEARCH_URL": elasticsearch_node.url},
                                    data_dir=str(data_dir), database_url=database_url(data_dir)))
    try:
        assert indexing.pending(archive) == 3
        assert run(elasticsearch_node.url, "reindex", "--pending").exit_code == 0
        assert isinstance(archive.search, ElasticsearchBackend)
        assert ids(archive, "ghe ngo") == ["ix-boat"] and indexing.pending(archive) == 0
        with unit_of_work(archive) as work:  # an item gone from the catalog is removed from the index
            work.session.delete(work.session.get(Item, "ix-boat"))
            work.reindex("ix-boat", "never-in-catalog")
        assert ids(archive, "ghe ngo") == [] and indexing.pending(archive) == 0
    finally:
        archive.search.drop()
        archive.search.close()
        archive.catalog.dispose()


def test_whoosh_posting_blocks_decode_like_whoosh_iterates(tmp_path):
    backend = WhooshBackend(tmp_path / "ix", Vocabularies())
    docs = [build_document(Source(id=f"d{n:04d}", type="image", status="published", access="public",
                                  record={"title": {"vi": f"mục {n} {'chẵn' if n % 2 else 'lẻ'}"},
                                                       "community": "hoa"}), backend.vocab) for n in range(700)]
    backend.rebuild([backend.encode(docs, 0)])
    backend.delete([f"d{n:04d}" for n in range(0, 700, 7)])
    backend.index(docs[:3])  # a second segment
    with backend._lock:
        view = backend._current_view()
        for part in view.parts:
            for token in ("chan", "le", "muc", "5"):
                if ("all_folded", token) not in part.reader:  # "5" is not in the small second segment
                    assert whoosh_backend._decode(part.reader, "all_folded", token).size == 0
                    continue
                matcher = part.reader.postings("all_folded", token)
                matcher = getattr(matcher, "child", matcher)  # with deleted documents, as the view masks them
                matcher.reset()
                expected = []
                while matcher.is_active():
                    expected.append(matcher.id())
                    matcher.next()
                decoded = whoosh_backend._decode(part.reader, "all_folded", token)
                assert decoded.tolist() == expected and np.all(np.diff(decoded) > 0)
    kept = {n for n in range(700) if n % 7} | {0, 1, 2}
    assert backend.count(SearchRequest(q="lẻ")) == sum(1 for n in kept if n % 2 == 0)
    assert backend.count(SearchRequest(q="mục")) == len(kept)


def _postings(backend: WhooshBackend) -> dict:
    """Every term's postings (with their positions) and every stored document of a one-segment index."""
    with backend._index().searcher() as searcher:
        reader = searcher.reader()
        return {"terms": {(field, term): list(reader.postings(field, term).items_as("positions")
                                              if field.endswith(("_pos", "_han")) else
                                              reader.postings(field, term).all_ids())
                          for field, term in reader.all_terms()},
                "stored": list(reader.all_stored_fields())}


def test_whoosh_rebuild_writes_the_index_whoosh_writes_itself(tmp_path):
    """The rebuild writes posting blocks itself (search.whoosh_backend._Postings); Whoosh's own document path is
    the reference: the same terms, document numbers, positions and stored fields, long lists over several blocks."""
    vocab = Vocabularies()
    docs = [build_document(Source(id=f"d{n:04d}", type="image", status="published", access="public",
                                  record={"title": {"vi": f"lễ hội {n} {'chùa' if n % 3 else 'đình'} lễ",
                                                    "zh-Hant": "天后宮" if n % 2 else "元宵節", "en": "Lantern"},
                                          "description": {"en": "a lantern, a boat and a lantern" * (n % 4)},
                                          "community": "hoa"}), vocab) for n in range(800)]
    whoosh_path = WhooshBackend(tmp_path / "whoosh", vocab)
    whoosh_path.index(docs)
    rebuilt = WhooshBackend(tmp_path / "rebuilt", vocab)
    runs = [rebuilt.encode(docs[start:start + 300], start) for start in range(0, 800, 300)]  # as workers make them
    with pytest.raises(ValueError, match="out of order"):
        rebuilt.rebuild(runs[::-1])
    assert rebuilt.count(SearchRequest()) == 0  # nothing written
    rebuilt.rebuild(runs)
    expected = _postings(whoosh_path)
    assert _postings(rebuilt) == expected
    assert max(len(postings) for postings in expected["terms"].values()) == 800  # seven blocks of 128
    assert any(len(set(positions)) > 1 for postings in expected["terms"].values() if isinstance(postings[0], tuple)
               for _, positions in postings)  # a token at several positions in a document
    assert rebuilt.count(SearchRequest(q='"天后宮"')) == 400 and rebuilt.count(SearchRequest(q="dinh")) == 267
    assert rebuilt.count(SearchRequest(q='"boat and a lantern"')) == 600


def test_the_worker_applies_what_waits_in_the_outbox_every_minute(tmp_path, heritage, archive, monkeypatch, caplog):
    from datetime import datetime

    from archive import jobs

    monkeypatch.setattr(whoosh_backend, "WRITE_TIMEOUT", 0.2)
    holder = archive.search._index().writer()  # search is "down" while the records are imported
    try:
        assert heritage("import-records", write_jsonl(tmp_path / "r.jsonl", RECORDS)).exit_code == 0
    finally:
        holder.cancel()
    assert indexing.pending(archive) == 3 and ids(archive, "boat") == []
    huey = jobs.queue(str(archive.settings.data_path))
    assert "index_catch_up" in {task.name for task in huey.read_periodic(datetime.now())}  # due every minute
    huey.index_catch_up.call_local()  # what the worker's consumer runs
    assert indexing.pending(archive) == 0 and ids(archive, "boat") == ["ix-boat"]


def _cue_hits(archive, q: str) -> list[tuple[str, str, float]]:
    return [(hit.id, cue["lang"], cue["locator"]["start"])
            for hit in archive.search.search(SearchRequest(q=q, scope=EVERYTHING)).hits for cue in hit.passages]


def test_captions_follow_the_catalog_through_the_outbox_and_a_reindex(tmp_path, heritage, archive):
    """Ingest stores a caption and queues its item; a caption removed in a unit of work takes its cues out of the
    index; `heritage reindex` (the cues read in its analysis workers) finds them as the outbox did."""
    d = tmp_path / "in"
    make_wav(d / "drum.wav", seconds=3.0)
    (d / "drum.vi.vtt").write_text("WEBVTT\n\n00:01.250 --> 00:02.500\nTiếng trống Paranưng vang lên.\n", "utf-8")
    (d / "drum.en.vtt").write_text("WEBVTT\n\n00:00.500 --> 00:02.000\nThe Paranung drum sounds.\n", "utf-8")
    assert heritage("ingest", "--quiet", d).exit_code == 0
    with archive.catalog.session() as s:
        item_id = s.scalars(select(Item.id)).one()
    assert _cue_hits(archive, "trống vang") == [(item_id, "vi", 1.25)]
    assert _cue_hits(archive, "drum sound") == [(item_id, "en", 0.5)]
    with unit_of_work(archive) as work:
        caption = work.session.scalars(select(MediaFile).where(MediaFile.kind == "caption",
                                                               MediaFile.language == "vi")).one()
        work.session.delete(caption)
        work.reindex(item_id)
    assert _cue_hits(archive, "trống vang") == []
    assert archive.search.facets(SearchRequest(scope=EVERYTHING))["transcript_language"] == [("en", 1)]
    assert heritage("reindex", "--quiet").exit_code == 0
    assert _cue_hits(archive, "drum sound") == [(item_id, "en", 0.5)] and _cue_hits(archive, "trống vang") == []

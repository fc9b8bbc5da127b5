"""Search benchmark: Whoosh and Elasticsearch against SQLite FTS5 and tantivy, measured in the same run.

    python -m tests.bench.bench_search [--sizes 10000 100000] [--repeat 5] [--no-elasticsearch]

For each size, generates that many bilingual records (Vietnamese and English titles and descriptions drawn from
Zipf-weighted word lists, half of them with a Khmer, Chinese or Cham title, controlled terms, EDTF dates; 95 %
public), indexes them into each engine and runs the same queries (top 20 hits with counts for the seven facets:
community, festival, type, place, language, decade, collection; a few with filters or a date range), public items
only. Prints index time, index size and query p50/p95 for each engine, with Whoosh and Elasticsearch as ratios to
FTS5 and to tantivy.

The references get the same text: FTS5 uses ``unicode61 remove_diacritics 2`` with đ folded beforehand, tantivy a
simple tokenizer with lower-casing and ASCII folding; Han characters are spaced out for both (their tokenizers
would otherwise keep a run of Han characters as one word). Their index time is only their own indexing; ours is
what ``heritage reindex`` does: the records are first stored in a SQLite catalog (not timed), and the time is
archive.indexing.reindex into each backend, reading the catalog, analysing (search.analysis, in HERITAGE_WORKERS
forked processes, by default one per core) and writing the index.

Whoosh and Elasticsearch run the archive's whole search path (parse, plan, execute, highlight). Whoosh is measured
twice: the first run of each query (its decoded posting lists not yet cached) and the repeated runs.
"""
from __future__ import annotations

import argparse
import gc
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import regex
import tantivy

from sqlalchemy import insert

from archive.catalog.models import Collection, Item, item_collections
from archive.context import Archive
from archive.indexing import reindex
from archive.records import edtf_bounds
from archive.settings import load_settings
from search.documents import day_number, decades
from search.elasticsearch_backend import ElasticsearchBackend
from search.request import SearchRequest
from search.whoosh_backend import WhooshBackend

VI = ("lễ hội chùa đình miếu đền tết nguyên tiêu đán trung thu người hoa khmer chăm múa lân rồng đèn lồng trống "
      "chiêng kinh sư sãi nhà phố chợ lớn bình tây quận năm cộng đồng văn hóa truyền thống nghi thức cúng tổ tiên "
      "ông bà gia con cháu ghe ngo đua sông nước trăng rằm tháng giêng mùa xuân hạ đông áo dài thổ cẩm dệt vải gốm "
      "tượng phật thánh đường hồi giáo sách chữ viết hán nôm câu đối hoành phi nhang vòng hương khói bánh trái cây "
      "mâm ngũ quả ca hát nhạc cụ đàn sáo kèn phỏng vấn kể chuyện ký ức lịch sử di sản bảo tàng ảnh chụp quay phim "
      "ghi âm thanh niên thiếu nhi già phụ nữ nghệ nhân thợ làng xóm ruộng lúa mạ má mả mã ma tháp lăng mộ quán "
      "tuệ thành nghĩa an ôn quan thiên hậu công đế rước kiệu diễu hành pháo lì xì chúc mừng phúc lộc thọ khang "
      "đồng bào dân tộc sinh hoạt tín ngưỡng lễ vật dâng hương cầu an sức khỏe mùa màng").split()
EN = ("festival temple pagoda mosque lantern dance lion dragon drum music monk prayer offering ancestor new year "
      "moon boat race river village market street family community tradition ceremony ritual procession incense "
      "altar statue painting calligraphy couplet manuscript script weaving brocade pottery costume photograph "
      "recording interview story memory history heritage museum children elders women artisan craft food cake "
      "fruit flower spring autumn night full lunar first month celebration song instrument flute gong theatre "
      "opera puppet mask hall assembly clan tomb worship blessing harvest water light fire paper gold red").split()
HAN = "元宵節花燈天后宮穗城會館義安關帝觀音粵劇書法對聯舞獅龍鼓春聯紅包祖先廟堂中秋月餅香爐平安福祿壽"
KHMER = ("បុណ្យ ចូល ឆ្នាំ ថ្មី វត្ត ព្រះសង្ឃ របាំ ភ្លេង ទូក ប្រណាំង អកអំបុក សែនដូនតា កឋិន ពិធី ខ្មែរ អក្សរ "
         "ល្ខោន ភ្នំ ខ្សាច់ ព្រះខែ").split()
CHAM = ["ꨀꨇꩉ ꨌꩌ", "ꨌꩌ", "ꨆꨓꨬ", "ꨈꨪꨘꩃ"]
COMMUNITIES = ("hoa", "khmer", "cham")
FESTIVALS = {"hoa": ["tet-nguyen-dan", "tet-nguyen-tieu", "via-ba-thien-hau", "trung-thu"],
             "khmer": ["chol-chnam-thmay", "sene-dolta", "ok-om-bok", "kathina"],
             "cham": ["kate", "ramuwan", "ramadan"]}
PLACES = {"hoa": ["tue-thanh-hoi-quan", "nghia-an-hoi-quan", "on-lang-hoi-quan", "ha-chuong-hoi-quan"],
          "khmer": ["chua-chantarangsay"], "cham": ["thanh-duong-trung-tam"]}
LANGUAGES = {"hoa": ["yue", "cmn", "nan", "hak", "vie"], "khmer": ["khm", "vie", "pli"], "cham": ["cjm", "cja", "vie"]}
TYPES = ("image", "image", "image", "audio", "video", "document", "set")
COLLECTIONS = [f"collection-{i:02d}" for i in range(20)]


@lru_cache(maxsize=None)
def bounds(date: str) -> tuple[str, str]:
    """EDTF parsing is slow and the generated dates repeat: parse each once, outside the timed indexing."""
    return edtf_bounds(date)


def _zipf(words: list[str]) -> list[float]:
    return [1 / (rank + 1) for rank in range(len(words))]


def generate(count: int, seed: int = 7) -> list[dict]:
    """Records in the exchange format, with ids and EDTF dates."""
    rng = random.Random(seed)
    vi_weights, en_weights = _zipf(VI), _zipf(EN)

    def words(bank, weights, low, high):
        return " ".join(rng.choices(bank, weights, k=rng.randint(low, high)))

    records = []
    for n in range(count):
        community = rng.choice(COMMUNITIES)
        title = {"vi": words(VI, vi_weights, 4, 8).capitalize(), "en": words(EN, en_weights, 4, 8).capitalize()}
        if rng.random() < 0.5:
            if community == "hoa":
                title["zh-Hant"] = "".join(rng.choices(HAN, k=rng.randint(2, 6)))
            elif community == "khmer":
                title["km"] = "".join(rng.choices(KHMER, k=rng.randint(2, 4)))
            else:
                title["cjm-Cham"] = rng.choice(CHAM)
        year = rng.randint(1900, 2024)
        date = rng.choice([str(year), f"{year}-{rng.randint(1, 12):02d}", f"{year // 10}X", f"{year}~",
                           f"{year}/{min(year + rng.randint(1, 5), 2024)}"])
        record = {"id": f"b{n:07d}", "type": rng.choice(TYPES), "title": title, "community": community,
                  "description": {"vi": words(VI, vi_weights, 20, 40).capitalize() + ".",
                                  "en": words(EN, en_weights, 20, 40).capitalize() + "."},
                  "subjects": rng.sample(EN, 2), "creators": [{"name": f"Nguyễn Văn {rng.choice(VI).title()}"}],
                  "languages": rng.sample(LANGUAGES[community], rng.randint(1, 2)), "date": date,
                  "access": "public" if rng.random() < 0.95 else "staff"}
        if rng.random() < 0.6:
            record["festival"] = rng.choice(FESTIVALS[community])
        if rng.random() < 0.5:
            record["place"] = rng.choice(PLACES[community])
        if rng.random() < 0.3:
            record["collections"] = [rng.choice(COLLECTIONS)]
        bounds(date)
        records.append(record)
    return records


def catalog(root: Path, records: list[dict]) -> Archive:
    """An archive whose SQLite catalog holds the records (their collections too), for ``heritage reindex``."""
    archive = Archive(load_settings({}, data_dir=str(root / "archive")))
    rows, links = [], []
    for record in records:
        start, end = bounds(record["date"])
        rows.append({"id": record["id"], "type": record["type"], "status": "published", "access": record["access"],
                     "community": record["community"], "festival": record.get("festival"),
                     "place": record.get("place"), "date": record["date"], "date_start": start, "date_end": end,
                     "record": {k: v for k, v in record.items() if k not in ("id", "type", "access")}})
        links += [{"item_id": record["id"], "collection_id": c} for c in record.get("collections", [])]
    with archive.catalog.session() as s:
        s.execute(insert(Collection), [{"id": c, "title": {"vi": c, "en": c}} for c in COLLECTIONS])
        s.execute(insert(Item), rows)
        s.execute(insert(item_collections), links)
    return archive


@dataclass
class Query:
    """One query in each engine's language: ours, an FTS5 MATCH expression and a tantivy query (None: no text)."""

    ours: str
    fts: str | None
    tantivy: str | None
    filters: dict = field(default_factory=dict)
    dates: tuple[str, str] | None = None


QUERIES = [
    Query("le hoi", "le hoi", "le hoi"),
    Query("lễ hội", "le hoi", "le hoi"),
    Query("chùa", "chua", "chua"),
    Query("den long", "den long", "den long"),
    Query("múa lân", "mua lan", "mua lan"),
    Query("festival", "festival", "festival"),
    Query("lantern procession", "lantern procession", "lantern procession"),
    Query('"hội quán"', '"hoi quan"', '"hoi quan"'),
    Query("ngu*", "ngu*", "ngu*"),
    Query("nguyen tieu", "nguyen tieu", "nguyen tieu"),
    Query("元宵", '"元 宵"', '"元 宵"'),
    Query("天后宮", '"天 后 宮"', '"天 后 宮"'),
    Query("បុណ្យ", "បុណ្យ", "បុណ្យ"),
    Query("kate", "kate", "kate"),
    Query("mả", "ma", "ma"),
    Query("ghe ngo", "ghe ngo", "ghe ngo"),
    Query("ancestor tomb", "ancestor tomb", "ancestor tomb"),
    Query("drum OR gong", "drum OR gong", "(drum OR gong)"),
    Query("lễ -hội", "le NOT hoi", "le -hoi"),
    Query("title:chua", "title : chua", "title:chua"),
    Query("dance", "dance", "dance", filters={"community": "khmer"}),
    Query("", None, None, filters={"community": "hoa", "type": "image"}),
    Query("le", "le", "le", dates=("1970-01-01", "1979-12-31")),
    Query("", None, None, dates=("1950-01-01", "1959-12-31")),
    Query("thien hau", "thien hau", "thien hau", filters={"place": "tue-thanh-hoi-quan"}),
    Query("pagoda monk", "pagoda monk", "pagoda monk"),
    Query("offering ancestor village", "offering ancestor village", "offering ancestor village"),
    Query("phỏng vấn", "phong van", "phong van"),
]
FACET_COLUMNS = ("community", "festival", "type", "place", "language", "decade", "collection")


def _plain(text: str) -> str:
    """What the references index: đ folded (FTS5 keeps it), Han characters spaced out."""
    return regex.sub(r"(\p{Han})", r" \1 ", text.replace("đ", "d").replace("Đ", "D"))


def _facet_values(record: dict) -> dict[str, list[str]]:
    start, end = (day_number(d) for d in bounds(record["date"]))
    return {"community": [record["community"]], "festival": [record["festival"]] if "festival" in record else [],
            "type": [record["type"]], "place": [record["place"]] if "place" in record else [],
            "language": record["languages"], "decade": decades(start, end),
            "collection": record.get("collections", [])}


def _texts(record: dict) -> tuple[str, str, str]:
    other = " ".join(record["subjects"] + [c["name"] for c in record["creators"]])
    return (_plain(" ".join(record["title"].values())), _plain(" ".join(record["description"].values())),
            _plain(other))


class Fts5:
    name = "FTS5"

    def __init__(self, root: Path):
        self.path = root / "fts5.sqlite"
        self.db = sqlite3.connect(self.path)

    def index(self, records: list[dict]) -> None:
        db = self.db
        db.executescript("""
            CREATE VIRTUAL TABLE fts USING fts5(title, description, other,
                                                tokenize='unicode61 remove_diacritics 2');
            CREATE TABLE items(rowid INTEGER PRIMARY KEY, id TEXT, public INT, date_start INT, date_end INT,
                               community TEXT, type TEXT, place TEXT);
            CREATE TABLE facets(rowid INT, facet TEXT, value TEXT);
        """)
        with db:
            for n, record in enumerate(records, 1):
                db.execute("INSERT INTO fts(rowid, title, description, other) VALUES (?, ?, ?, ?)",
                           (n, *_texts(record)))
                start, end = (day_number(d) for d in bounds(record["date"]))
                db.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (n, record["id"], record["access"] == "public", start, end, record["community"],
                            record["type"], record.get("place")))
                db.executemany("INSERT INTO facets VALUES (?, ?, ?)",
                               [(n, f, v) for f, values in _facet_values(record).items() for v in values])
        db.executescript("CREATE INDEX facets_rowid ON facets(rowid); CREATE TEMP TABLE m(r INTEGER, s REAL);"
                         "INSERT INTO fts(fts) VALUES ('optimize');")

    def size(self) -> int:
        return self.path.stat().st_size

    def query(self, q: Query) -> None:
        where, params = ["i.public = 1"], []
        for column, value in q.filters.items():
            where.append(f"i.{column} = ?")
            params.append(value)
        if q.dates:
            where.append("i.date_start <= ? AND i.date_end >= ?")
            params += [day_number(q.dates[1]), day_number(q.dates[0])]
        if q.fts is None:
            select = f"SELECT i.rowid, 0 FROM items i WHERE {' AND '.join(where)}"
        else:
            select = (f"SELECT fts.rowid, bm25(fts) FROM fts JOIN items i ON i.rowid = fts.rowid "
                      f"WHERE fts MATCH ? AND {' AND '.join(where)}")
            params.insert(0, q.fts)
        self.db.execute("DELETE FROM m")
        self.db.execute(f"INSERT INTO m {select}", params)
        self.db.execute("SELECT i.id FROM m JOIN items i ON i.rowid = m.r ORDER BY m.s, i.id LIMIT 20").fetchall()
        self.db.execute("SELECT facet, value, count(*) FROM facets JOIN m ON facets.rowid = m.r "
                        "GROUP BY facet, value").fetchall()


class Tantivy:
    name = "tantivy"

    def __init__(self, root: Path):
        self.path = root / "tantivy"
        self.path.mkdir()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        for name in ("title", "description", "other"):
            builder.add_text_field(name, tokenizer_name="folding", index_option="position")
        for name in FACET_COLUMNS:
            builder.add_text_field(name, tokenizer_name="raw", fast=True)
        for name in ("public", "date_start", "date_end"):
            builder.add_integer_field(name, indexed=True, fast=True)
        self.index_ = tantivy.Index(builder.build(), path=str(self.path))
        folding = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase()) \
            .filter(tantivy.Filter.ascii_fold()).build()
        self.index_.register_tokenizer("folding", folding)

    def index(self, records: list[dict]) -> None:
        writer = self.index_.writer(heap_size=256 * 1024**2, num_threads=1)
        for record in records:
            title, description, other = _texts(record)
            start, end = (day_number(d) for d in bounds(record["date"]))
            doc = tantivy.Document(id=record["id"], title=title, description=description, other=other,
                                   public=int(record["access"] == "public"), date_start=start, date_end=end)
            for name, values in _facet_values(record).items():
                for value in values:
                    doc.add_text(name, value)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index_.reload()
        self.searcher = self.index_.searcher()

    def size(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def query(self, q: Query) -> None:
        parts = [q.tantivy] if q.tantivy else []
        parts += [f"{column}:{value}" for column, value in q.filters.items()]
        if q.dates:
            parts += [f"date_start:[0 TO {day_number(q.dates[1])}]", f"date_end:[{day_number(q.dates[0])} TO 99999999]"]
        parts.append("public:1")
        query = self.index_.parse_query(" ".join(parts), ["title", "description", "other"],
                                        conjunction_by_default=True)
        for _, address in self.searcher.search(query, 20).hits:
            self.searcher.doc(address)["id"]
        self.searcher.aggregate(query, {name: {"terms": {"field": name, "size": 100}} for name in FACET_COLUMNS})


class Ours:
    def __init__(self, backend, archive: Archive):
        self.backend = backend
        self.archive = archive
        self.name = backend.name

    def index(self, records: list[dict]) -> None:
        indexed = reindex(self.archive, progress=False, backend=self.backend)
        assert indexed == len(records), (indexed, len(records))

    def size(self) -> int:
        return self.backend.size_bytes()

    def query(self, q: Query) -> None:
        filters = {k: (v,) for k, v in q.filters.items()}
        start, end = q.dates or (None, None)
        self.backend.search(SearchRequest(q=q.ours, filters=filters, date_from=start, date_to=end, per_page=20))


def _timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@dataclass
class Figures:
    index_s: float
    size: int
    p50: float = 0.0
    p95: float = 0.0
    first_p50: float = 0.0
    first_p95: float = 0.0


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(engine, records: list[dict], repeat: int) -> Figures:
    gc.collect()
    figures = Figures(index_s=_timed(lambda: engine.index(records)), size=engine.size())
    first = [_timed(lambda q=q: engine.query(q)) for q in QUERIES]
    again = [_timed(lambda q=q: engine.query(q)) for _ in range(repeat) for q in QUERIES]
    figures.first_p50, figures.first_p95 = _percentiles(first)
    figures.p50, figures.p95 = _percentiles(again)
    return figures


def _ratio(ours: float, reference: float) -> str:
    return f"{ours / reference:6.1f}x" if reference else "     -"


def report(size: int, results: dict[str, Figures]) -> None:
    fts, tv = results["FTS5"], results["tantivy"]
    print(f"\n{size:,} records, {len(QUERIES)} queries (top 20 + 7 facet counts, public items only)")
    print(f"{'engine':<22}{'index s':>9}{'/FTS5':>8}{'/tantivy':>9}{'size MB':>9}{'/FTS5':>8}{'/tantivy':>9}"
          f"{'p50 ms':>9}{'/FTS5':>8}{'/tantivy':>9}{'p95 ms':>9}{'/FTS5':>8}{'/tantivy':>9}")
    rows = [(name, f, f.p50, f.p95) for name, f in results.items()]
    rows += [(f"{name} (first runs)", f, f.first_p50, f.first_p95) for name, f in results.items()
             if name == "whoosh"]
    for name, f, p50, p95 in rows:
        print(f"{name:<22}{f.index_s:9.1f}{_ratio(f.index_s, fts.index_s):>8}{_ratio(f.index_s, tv.index_s):>9}"
              f"{f.size / 1e6:9.1f}{_ratio(f.size, fts.size):>8}{_ratio(f.size, tv.size):>9}"
              f"{p50 * 1e3:9.1f}{_ratio(p50, fts.p50):>8}{_ratio(p50, tv.p50):>9}"
              f"{p95 * 1e3:9.1f}{_ratio(p95, fts.p95):>8}{_ratio(p95, tv.p95):>9}", flush=True)


def engines(root: Path, es_url: str | None, archive: Archive) -> Iterator:
    yield Fts5(root)
    yield Tantivy(root)
    yield Ours(WhooshBackend(root / "whoosh", archive.vocab), archive)
    if es_url:
        yield Ours(ElasticsearchBackend(es_url, archive.vocab, index=f"bench-{time.time_ns()}", request_timeout=120),
                   archive)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query after the first")
    parser.add_argument("--no-elasticsearch", action="store_true", help="skip Elasticsearch (no node started)")
    args = parser.parse_args(argv)
    node = None
    if not args.no_elasticsearch:
        from tests.elasticsearch_node import start_node
        node = start_node()
    try:
        for size in args.sizes:
            records = generate(size)
            root = Path(tempfile.mkdtemp(prefix=f"bench-search-{size}-"))
            results = {}
            try:
                archive = catalog(root, records)
                for engine in engines(root, node.url if node else None, archive):
                    results[engine.name] = measure(engine, records, args.repeat)
                    if isinstance(engine, Ours):
                        if isinstance(engine.backend, ElasticsearchBackend):
                            engine.backend.drop()
                        engine.backend.close()
                report(size, results)
                archive.catalog.dispose()
            finally:
                shutil.rmtree(root, ignore_errors=True)
    finally:
        if node:
            node.stop()


if __name__ == "__main__":
    main()

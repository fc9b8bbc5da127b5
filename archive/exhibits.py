"""Exhibits: curated story pages that staff write as Markdown files in DATA_DIR/exhibits/.

One file per language, ``<slug>.<lang>.md`` (lang ``vi`` or ``en``), with YAML front matter::

    ---
    title: Lễ hội Katê              # required
    summary: One or two sentences for lists and link previews.
    cover: file=kate-narration.flac   # an item reference (below), shown on cards
    featured: true                    # listed on the home page
    order: 1                          # lists sort by order, then slug
    community: cham
    festival: kate                    # the festival it tells of (vocabulary festivals): linked from the calendar
    ---

The body is CommonMark (tables too); raw HTML is shown as text and images come only from archive items. A line
holding only ``{{item:REF}}`` or ``{{item:REF | caption}}`` embeds an item, where REF is an item id, ``file=NAME``
(the original file name at ingest, e.g. ``file=kate-narration.flac``) or ``sha256=HEX``. Items the public may not
see are left out of the page.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import nh3
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

from .errors import NotFound
from .labels import SITE_LANGS

log = logging.getLogger(__name__)

FILE_NAME = re.compile(r"^(?P<slug>[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?)\.(?P<lang>vi|en)\.md$")
SHORTCODE = re.compile(r"^\{\{\s*item\s*:\s*(?P<ref>[^|{}]+?)\s*(?:\|\s*(?P<caption>[^{}]*?)\s*)?\}\}\s*$")
REFERENCE = re.compile(r"^(?:(?P<key>file|sha256)=(?P<value>.+)|(?P<id>[A-Za-z0-9_-]{1,64}))$")
FRONT_MATTER = {"title": str, "summary": str, "cover": str, "featured": bool, "order": int, "community": str,
                "festival": str}
ALLOWED_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "em", "strong", "s", "code",
                "pre", "a", "hr", "br", "table", "thead", "tbody", "tr", "th", "td"}
MAX_BYTES = 1_000_000

_markdown = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(["table", "strikethrough"])


class ExhibitError(ValueError):
    """An exhibit file cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class ItemRef:
    key: str  # id | file | sha256
    value: str
    caption: str | None = None

    @property
    def target(self) -> tuple[str, str]:
        return self.key, self.value


@dataclass(frozen=True)
class Block:
    """A stretch of the body: sanitised HTML, or an embedded item."""

    html: Markup | None = None
    item: ItemRef | None = None


@dataclass(frozen=True)
class ExhibitText:
    lang: str
    title: str
    summary: str
    blocks: tuple[Block, ...]
    cover: ItemRef | None
    featured: bool
    order: int
    community: str | None
    festival: str | None = None


@dataclass
class Exhibit:
    slug: str
    texts: dict[str, ExhibitText] = field(default_factory=dict)

    def text(self, lang: str) -> ExhibitText:
        """The text in ``lang``, else in the other language (check ``.lang`` to mark the fallback)."""
        return self.texts.get(lang) or next(t for code in SITE_LANGS if (t := self.texts.get(code)))

    @property
    def featured(self) -> bool:
        return any(t.featured for t in self.texts.values())

    @property
    def order(self) -> int:
        return min(t.order for t in self.texts.values())

    @property
    def community(self) -> str | None:
        return next((t.community for t in self.texts.values() if t.community), None)

    @property
    def festival(self) -> str | None:
        return next((t.festival for t in self.texts.values() if t.festival), None)

    def references(self) -> list[ItemRef]:
        refs = [t.cover for t in self.texts.values() if t.cover]
        refs += [b.item for t in self.texts.values() for b in t.blocks if b.item]
        return refs


def parse_reference(text: str, where: str, caption: str | None = None) -> ItemRef:
    m = REFERENCE.match(text.strip())
    if not m:
        raise ExhibitError(f"{where}: {text!r} is not an item reference (an id, file=NAME or sha256=HEX)")
    if m.group("id"):
        return ItemRef("id", m.group("id"), caption)
    value = m.group("value").strip()
    if m.group("key") == "sha256" and not re.fullmatch(r"[0-9a-f]{64}", value):
        raise ExhibitError(f"{where}: {value!r} is not a SHA-256 checksum (64 lower-case hex digits)")
    return ItemRef(m.group("key"), value, caption)


def render_markdown(text: str) -> Markup:
    """CommonMark to sanitised HTML; body headings start at level 2 (the title is the page's h1)."""
    tokens = _markdown.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
    rendered = _markdown.renderer.render(tokens, _markdown.options, {})
    return Markup(nh3.clean(rendered, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                            url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer"))


def _blocks(body: str, where: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    chunk: list[str] = []

    def flush() -> None:
        if "".join(chunk).strip():
            blocks.append(Block(html=render_markdown("".join(chunk))))
        chunk.clear()

    for number, line in enumerate(body.splitlines(keepends=True), start=1):
        m = SHORTCODE.match(line)
        if m:
            flush()
            blocks.append(Block(item=parse_reference(m.group("ref"), f"{where}, body line {number}",
                                                     m.group("caption") or None)))
        else:
            chunk.append(line)
    flush()
    return tuple(blocks)


def parse_file(path: Path) -> tuple[str, ExhibitText]:
    """The slug and text of one exhibit file; ExhibitError naming the file and the reason."""
    m = FILE_NAME.match(path.name)
    if not m:
        raise ExhibitError(f"{path}: exhibit files are named <slug>.<vi|en>.md, the slug in lower-case letters, "
                           "digits and hyphens")
    if path.stat().st_size > MAX_BYTES:
        raise ExhibitError(f"{path}: larger than {MAX_BYTES} bytes")
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ExhibitError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise ExhibitError(f"{path}: the front matter is not valid YAML ({exc})") from exc
    meta = post.metadata
    for key, value in meta.items():
        if key not in FRONT_MATTER:
            raise ExhibitError(f"{path}: unknown front-matter key {key!r}; known: {', '.join(FRONT_MATTER)}")
        if not isinstance(value, FRONT_MATTER[key]) or (FRONT_MATTER[key] is int and isinstance(value, bool)):
            raise ExhibitError(f"{path}: {key} must be a {FRONT_MATTER[key].__name__}, not {value!r}")
    if not str(meta.get("title", "")).strip():
        raise ExhibitError(f"{path}: the front matter has no title")
    cover = parse_reference(meta["cover"], f"{path}, cover") if meta.get("cover") else None
    return m.group("slug"), ExhibitText(
        lang=m.group("lang"), title=meta["title"].strip(), summary=meta.get("summary", "").strip(),
        blocks=_blocks(post.content, str(path)), cover=cover, featured=meta.get("featured", False),
        order=meta.get("order", 1000), community=meta.get("community"),
        festival=meta.get("festival"))


class Exhibits:
    """The exhibits in a directory, re-read when a file changes. A broken file is left out and logged once."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._parsed: dict[Path, tuple[tuple[int, int], tuple[str, ExhibitText] | ExhibitError]] = {}
        self._lock = threading.Lock()

    @property
    def problems(self) -> list[str]:
        return [str(r) for _, r in self._parsed.values() if isinstance(r, ExhibitError)]

    def stamp(self) -> tuple:
        """What changes when an exhibit file is added, removed or changed (pages showing exhibits are cached on it)."""
        if not self.directory.is_dir():
            return ()
        return tuple((entry.name, entry.stat().st_mtime_ns, entry.stat().st_size)
                     for entry in sorted(os.scandir(self.directory), key=lambda e: e.name) if entry.name.endswith(".md"))

    def all(self) -> list[Exhibit]:
        with self._lock:
            return self._load()

    def _load(self) -> list[Exhibit]:
        exhibits: dict[str, Exhibit] = {}
        paths = sorted(self.directory.glob("*.md")) if self.directory.is_dir() else []
        for stale in set(self._parsed) - set(paths):
            del self._parsed[stale]
        for path in paths:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if path not in self._parsed or self._parsed[path][0] != stamp:
                try:
                    result: tuple[str, ExhibitText] | ExhibitError = parse_file(path)
                except ExhibitError as exc:
                    log.error("exhibit left out: %s", exc)
                    result = exc
                self._parsed[path] = (stamp, result)
            result = self._parsed[path][1]
            if not isinstance(result, ExhibitError):
                slug, text = result
                exhibits.setdefault(slug, Exhibit(slug)).texts[text.lang] = text
        return sorted(exhibits.values(), key=lambda e: (e.order, e.slug))

    def get(self, slug: str) -> Exhibit:
        for exhibit in self.all():
            if exhibit.slug == slug:
                return exhibit
        raise NotFound(f"no exhibit {slug!r}")


def install_samples(source: Path, directory: Path) -> list[str]:
    """Copy the sample exhibit files that the data directory does not have yet; returns their names."""
    directory.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(source.glob("*.md")):
        if not (directory / path.name).exists():
            shutil.copyfile(path, directory / path.name)
            copied.append(path.name)
    return copied

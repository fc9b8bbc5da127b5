"""The Markdown form of exhibits, and the safe Markdown rendering every exhibit's text goes through.

Exhibits live in the catalog (archive.exhibit_store); this format is how the first exhibits were written, how
``heritage import-exhibits`` reads them (once, into the catalog) and how ``heritage export-exhibit`` writes one.

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

import re
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import nh3
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

from .labels import SITE_LANGS

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
    markdown: str = ""  # the source of ``html``


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
            blocks.append(Block(html=render_markdown("".join(chunk)), markdown="".join(chunk)))
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
        order=meta.get("order", 1000), community=meta.get("community"), festival=meta.get("festival"))


def read_directory(directory: Path) -> tuple[dict[str, dict[str, ExhibitText]], list[ExhibitError]]:
    """The exhibit files of a directory by slug and language, and the files that cannot be used."""
    found: dict[str, dict[str, ExhibitText]] = {}
    problems = []
    for path in sorted(directory.glob("*.md")):
        try:
            slug, text = parse_file(path)
        except ExhibitError as exc:
            problems.append(exc)
            continue
        found.setdefault(slug, {})[text.lang] = text
    return found, problems


def _segments(text: ExhibitText) -> tuple[list[str], list[ItemRef]]:
    """The text before, between and after the embedded items (one more than the items), and the items."""
    texts, items, chunk = [], [], []
    for block in text.blocks:
        if block.item:
            texts.append("".join(chunk))
            items.append(block.item)
            chunk = []
        else:
            chunk.append(block.markdown)
    texts.append("".join(chunk))
    return texts, items


def _ref_text(ref: ItemRef) -> str:
    return ref.value if ref.key == "id" else f"{ref.key}={ref.value}"


def content_of(slug: str, texts: dict[str, ExhibitText]) -> dict:
    """One exhibit's files as archive.exhibit_model content: the languages side by side, block by block. The files
    must embed the same items in the same order (their captions may differ); ExhibitError says where they part."""
    segments = {lang: _segments(t) for lang, t in texts.items()}
    sequences = {lang: [r.target for r in items] for lang, (_, items) in segments.items()}
    if len({tuple(v) for v in sequences.values()}) > 1:
        vi, en = sequences.get("vi", []), sequences.get("en", [])
        at = next((n for n, (a, b) in enumerate(zip(vi, en)) if a != b), min(len(vi), len(en)))
        raise ExhibitError(f"{slug}: the vi and en files embed different items (from item {at + 1} on); make them "
                           "embed the same items in the same order")
    _, items = segments["vi" if "vi" in texts else "en"]
    blocks: list[dict] = []
    for n in range(len(items) + 1):
        chunk = {lang: segments[lang][0][n].strip() if lang in segments else "" for lang in SITE_LANGS}
        if any(chunk.values()):
            blocks.append({"type": "text", "text": chunk})
        if n < len(items):
            caption = {lang: (segments[lang][1][n].caption or "") if lang in segments else "" for lang in SITE_LANGS}
            blocks.append({"type": "item", "item": _ref_text(items[n]), "caption": caption})
    cover = next((t.cover for t in texts.values() if t.cover), None)
    return {"title": {lang: texts[lang].title if lang in texts else "" for lang in SITE_LANGS},
            "summary": {lang: texts[lang].summary if lang in texts else "" for lang in SITE_LANGS},
            "community": next((t.community for t in texts.values() if t.community), None),
            "festival": next((t.festival for t in texts.values() if t.festival), None),
            "cover": _ref_text(cover) if cover else None,
            "featured": any(t.featured for t in texts.values()),
            "order": min(t.order for t in texts.values()), "blocks": blocks}


def markdown_of(content: dict, lang: str) -> str | None:
    """The exhibit as a ``<slug>.<lang>.md`` file in the format above (None when it has no title in ``lang``).
    Item blocks keep their reference and caption (a region or clip is kept only in the JSON export); a gallery
    becomes its items one after the other, a quotation a block quote; maps and timelines are left out."""
    if not content["title"].get(lang):
        return None
    meta = {"title": content["title"][lang]}
    for key, value in (("summary", content["summary"].get(lang)), ("cover", content.get("cover")),
                       ("featured", content.get("featured") or None), ("order", content.get("order")),
                       ("community", content.get("community")), ("festival", content.get("festival"))):
        if value is not None and value != "":
            meta[key] = value
    parts = []

    def shortcode(ref: str, caption: dict | None) -> str:
        text = (caption or {}).get(lang)
        return f"{{{{item:{ref} | {text}}}}}" if text else f"{{{{item:{ref}}}}}"

    for block in content["blocks"]:
        if block["type"] == "text" and block["text"].get(lang):
            parts.append(block["text"][lang])
        elif block["type"] == "item":
            parts.append(shortcode(block["item"], block.get("caption")))
        elif block["type"] == "gallery":
            parts += [shortcode(e["item"], e.get("caption")) for e in block["items"]]
        elif block["type"] == "quote" and block["text"].get(lang):
            quoted = block["text"][lang] + (f"\n\n— {block['source']}" if block.get("source") else "")
            parts.append("\n".join(f"> {line}".rstrip() for line in quoted.splitlines()))
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{front}---\n\n" + "\n\n".join(parts) + "\n"

"""What an exhibit is, as the catalog stores it (archive.exhibit_store) and staff edit it: plain JSON-able content,
checked all at once so that every problem is reported together, each naming its block (index and type) and field.

    {"title": {"vi": "…", "en": "…"}, "summary": {"vi": "…", "en": "…"},
     "community": "cham", "festival": "kate", "cover": "file=kate-narration.flac", "featured": true, "order": 1,
     "blocks": [
       {"type": "text", "text": {"vi": "Markdown…", "en": "Markdown…"}},
       {"type": "item", "item": "REF", "caption": {"vi": "…", "en": "…"},
        "region": "x,y,w,h" | "pct:x,y,w,h",          # images: the part shown (IIIF Image API region)
        "start": 12.5, "end": 20},                       # audio and video: the clip played
       {"type": "gallery", "items": [{"item": "REF", "caption": {…}}, …]},
       {"type": "quote", "text": {"vi": "…", "en": "…"}, "source": "…"},
       {"type": "map", "places": ["place-term-id", …]},
       {"type": "timeline", "items": ["REF", …]}]}

REF is an item reference as in the Markdown files (archive.exhibits): an item id, ``file=NAME`` or ``sha256=HEX``.
Text is Markdown, rendered by archive.exhibits.render_markdown. The publication state (draft | published) is kept
beside the content, not in it.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from difflib import SequenceMatcher
from typing import Callable

from .errors import InvalidRecord, Problem
from .exhibits import ExhibitError, parse_reference
from .labels import SITE_LANGS

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
BLOCK_TYPES = ("text", "item", "gallery", "quote", "map", "timeline")
STATUSES = ("draft", "published")
TOP_FIELDS = ("title", "summary", "community", "festival", "cover", "featured", "order", "blocks")
BLOCK_FIELDS = {"text": ("text",), "item": ("item", "caption", "region", "start", "end"),
                "gallery": ("items",), "quote": ("text", "source"), "map": ("places",), "timeline": ("items",)}
MAX_BLOCKS = 200
MAX_TEXT = 100_000
_NUM = r"\d+(?:\.\d+)?"
PIXEL_REGION = re.compile(r"^(\d+),(\d+),(\d+),(\d+)$")
PERCENT_REGION = re.compile(rf"^pct:({_NUM}),({_NUM}),({_NUM}),({_NUM})$")


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _language_map(value, where: str, problems: list[Problem], *, limit: int = MAX_TEXT) -> dict[str, str]:
    """A {vi, en} map of text; missing languages are empty strings."""
    if value is None:
        return {lang: "" for lang in SITE_LANGS}
    if isinstance(value, str):
        problems.append(Problem(where, "give the text per language: {\"vi\": …, \"en\": …}"))
        return {lang: "" for lang in SITE_LANGS}
    if not isinstance(value, dict):
        problems.append(Problem(where, f"must be a map of language to text, not {type(value).__name__}"))
        return {lang: "" for lang in SITE_LANGS}
    for lang in value:
        if lang not in SITE_LANGS:
            problems.append(Problem(f"{where}.{lang}", f"unknown language; allowed: {', '.join(SITE_LANGS)}"))
    result = {}
    for lang in SITE_LANGS:
        text = value.get(lang) or ""
        if not isinstance(text, str):
            problems.append(Problem(f"{where}.{lang}", f"must be text, not {type(text).__name__}"))
            text = ""
        if len(text) > limit:
            problems.append(Problem(f"{where}.{lang}", f"longer than {limit} characters"))
        result[lang] = _nfc(text)
    return result


def _reference(value, where: str, problems: list[Problem]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(where, "give an item reference: an item id, file=NAME or sha256=HEX"))
        return None
    try:
        parse_reference(value, where)
    except ExhibitError as exc:
        problems.append(Problem(where, str(exc).removeprefix(f"{where}: ")))
        return None
    return value.strip()


def parse_region(region: str) -> tuple[str, tuple[float, ...]] | None:
    """``("pixel", (x, y, w, h))`` or ``("percent", (…))``; None when the text is neither form."""
    if m := PIXEL_REGION.match(region):
        return "pixel", tuple(int(g) for g in m.groups())
    if m := PERCENT_REGION.match(region):
        return "percent", tuple(float(g) for g in m.groups())
    return None


def _region(value, where: str, problems: list[Problem]) -> str | None:
    if value is None or value == "":
        return None
    parsed = parse_region(value) if isinstance(value, str) else None
    if parsed is None:
        problems.append(Problem(where, f"{value!r} is not x,y,w,h (pixels) or pct:x,y,w,h (percent)"))
        return None
    kind, (x, y, w, h) = parsed
    if w <= 0 or h <= 0:
        problems.append(Problem(where, "the width and height must be more than 0"))
    elif kind == "percent" and (x + w > 100 or y + h > 100):
        problems.append(Problem(where, "a percent region must lie within the image (x + w and y + h at most 100)"))
    return value


def _seconds(value, where: str, problems: list[Problem]) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        problems.append(Problem(where, f"must be a number of seconds, 0 or more, not {value!r}"))
        return None
    return value


def _caption_items(value, where: str, problems: list[Problem]) -> list[dict]:
    if not isinstance(value, list) or not value:
        problems.append(Problem(where, "give a list of one or more items"))
        return []
    entries = []
    for n, entry in enumerate(value):
        if isinstance(entry, str):
            entry = {"item": entry}
        if not isinstance(entry, dict):
            problems.append(Problem(f"{where}[{n}]", "must be an item reference or {\"item\": REF, \"caption\": …}"))
            continue
        for key in set(entry) - {"item", "caption"}:
            problems.append(Problem(f"{where}[{n}].{key}", "unknown field; known: item, caption"))
        ref = _reference(entry.get("item"), f"{where}[{n}].item", problems)
        caption = _language_map(entry.get("caption"), f"{where}[{n}].caption", problems, limit=2000)
        if ref:
            entries.append({"item": ref, "caption": caption})
    return entries


def _block(block, where: str, problems: list[Problem], vocab) -> dict | None:
    if not isinstance(block, dict):
        problems.append(Problem(where, "must be an object with a type"))
        return None
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        problems.append(Problem(f"{where}.type", f"unknown block type {kind!r}; allowed: {', '.join(BLOCK_TYPES)}"))
        return None
    where = f"{where} ({kind})"
    for key in set(block) - {"type", *BLOCK_FIELDS[kind]}:
        problems.append(Problem(f"{where}.{key}", f"unknown field; known: {', '.join(BLOCK_FIELDS[kind])}"))
    out: dict = {"type": kind}
    if kind in ("text", "quote"):
        out["text"] = _language_map(block.get("text"), f"{where}.text", problems)
        if not any(out["text"].values()):
            problems.append(Problem(f"{where}.text", "write the text in Vietnamese, English or both"))
    if kind == "quote":
        source = block.get("source") or ""
        if not isinstance(source, str) or len(source) > 500:
            problems.append(Problem(f"{where}.source", "must be text of at most 500 characters"))
            source = ""
        out["source"] = _nfc(source)
    elif kind == "item":
        out["item"] = _reference(block.get("item"), f"{where}.item", problems)
        out["caption"] = _language_map(block.get("caption"), f"{where}.caption", problems, limit=2000)
        region = _region(block.get("region"), f"{where}.region", problems)
        start = _seconds(block.get("start"), f"{where}.start", problems)
        end = _seconds(block.get("end"), f"{where}.end", problems)
        if region and (start is not None or end is not None):
            problems.append(Problem(f"{where}.region", "a region is for an image, a clip (start, end) for audio or "
                                                       "video: give one or the other"))
        if start is not None and end is not None and end <= start:
            problems.append(Problem(f"{where}.end", f"must be after the start ({start} s)"))
        out.update({k: v for k, v in (("region", region), ("start", start), ("end", end)) if v is not None})
    elif kind == "gallery":
        out["items"] = _caption_items(block.get("items"), f"{where}.items", problems)
    elif kind == "timeline":
        items = block.get("items")
        if not isinstance(items, list) or not items:
            problems.append(Problem(f"{where}.items", "give a list of one or more item references"))
            items = []
        out["items"] = [r for n, ref in enumerate(items) if (r := _reference(ref, f"{where}.items[{n}]", problems))]
    elif kind == "map":
        places = block.get("places")
        if not isinstance(places, list) or not places:
            problems.append(Problem(f"{where}.places", "give a list of one or more place ids"))
            places = []
        for n, place in enumerate(places):
            reason = vocab.unknown("places", place) if isinstance(place, str) else "must be a place id"
            if reason:
                problems.append(Problem(f"{where}.places[{n}]", reason))
        out["places"] = [p for p in places if isinstance(p, str)]
    return out


def validate_content(content, vocab, *, slug: str | None = None,
                     item_problems: Callable[[dict], list[Problem]] | None = None) -> dict:
    """The content normalised (NFC, both languages present in every text map); InvalidRecord listing every problem,
    each naming the block (``blocks[2] (item).region``) or field. ``item_problems``: the catalog's check of the
    well-formed references (archive.exhibit_store), reported with the others."""
    problems: list[Problem] = []
    if slug is not None and (not isinstance(slug, str) or not SLUG.match(slug)):
        problems.append(Problem("slug", f"{slug!r}: use 1 to 80 lower-case letters, digits and hyphens, not starting "
                                        "or ending with a hyphen"))
    if not isinstance(content, dict):
        raise InvalidRecord([*problems, Problem("", "the exhibit must be a JSON object")], "exhibit")
    for key in set(content) - set(TOP_FIELDS):
        problems.append(Problem(key, f"unknown field; known: {', '.join(TOP_FIELDS)}"))
    out: dict = {"title": _language_map(content.get("title"), "title", problems, limit=300),
                 "summary": _language_map(content.get("summary"), "summary", problems, limit=2000)}
    if not any(out["title"].values()):
        problems.append(Problem("title", "give a title in Vietnamese, English or both"))
    community = content.get("community")
    if community is not None and (reason := vocab.unknown("communities", community) if isinstance(community, str)
                                  else "must be a community id"):
        problems.append(Problem("community", reason))
    out["community"] = community
    festival = content.get("festival")
    if festival is not None and (reason := vocab.unknown("festivals", festival) if isinstance(festival, str)
                                 else "must be a festival id"):
        problems.append(Problem("festival", reason))
    out["festival"] = festival
    out["cover"] = _reference(content["cover"], "cover", problems) if content.get("cover") else None
    featured = content.get("featured", False)
    if not isinstance(featured, bool):
        problems.append(Problem("featured", f"must be true or false, not {featured!r}"))
    out["featured"] = featured is True
    order = content.get("order", 1000)
    if isinstance(order, bool) or not isinstance(order, int):
        problems.append(Problem("order", f"must be a whole number, not {order!r}"))
        order = 1000
    out["order"] = order
    blocks = content.get("blocks", [])
    if not isinstance(blocks, list):
        problems.append(Problem("blocks", "must be a list of blocks"))
        blocks = []
    if len(blocks) > MAX_BLOCKS:
        problems.append(Problem("blocks", f"at most {MAX_BLOCKS} blocks"))
    checked = [_block(block, f"blocks[{n}]", problems, vocab) for n, block in enumerate(blocks)]
    out["blocks"] = [b for b in checked if b]
    if item_problems is not None:  # blocks in their places (None where broken), so the problems name the right one
        problems += item_problems({**out, "blocks": checked})
    if problems:
        raise InvalidRecord(problems, f"exhibit {slug}" if slug else "exhibit")
    return out


def references(content: dict) -> list[tuple[str, str]]:
    """Every item the content points to, as (key, value) targets (the cover first)."""
    refs = [content["cover"]] if content.get("cover") else []
    for block in content["blocks"]:
        if block["type"] == "item":
            refs.append(block["item"])
        elif block["type"] == "gallery":
            refs += [e["item"] for e in block["items"]]
        elif block["type"] == "timeline":
            refs += block["items"]
    return [target(r) for r in refs]


def target(ref: str) -> tuple[str, str]:
    """A validated reference as (key, value): ``("file", "kate-narration.flac")``."""
    return parse_reference(ref, "reference").target


def diff(before: dict, after: dict) -> dict:
    """What changed from one content to another, as plain data: ``fields`` (top-level field → before/after) and
    ``blocks``, each ``added`` (at ``index`` in the later content), ``removed`` (from ``was`` in the earlier) or
    ``changed`` (``was`` → ``index``, with the block fields that differ). Blocks are matched as a sequence, so a block
    inserted in front does not make every later one "changed"."""
    fields = {k: {"before": before.get(k), "after": after.get(k)}
              for k in TOP_FIELDS if k != "blocks" and before.get(k) != after.get(k)}
    old, new = before.get("blocks", []), after.get("blocks", [])
    keys = SequenceMatcher(None, [json.dumps(b, sort_keys=True) for b in old],
                           [json.dumps(b, sort_keys=True) for b in new], autojunk=False)
    blocks: list[dict] = []
    for op, i1, i2, j1, j2 in keys.get_opcodes():
        if op == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            a, b = old[i1 + k], new[j1 + k]
            changed = sorted(key for key in {*a, *b} if a.get(key) != b.get(key))
            blocks.append({"change": "changed", "was": i1 + k, "index": j1 + k, "type": b["type"],
                           "fields": {key: {"before": a.get(key), "after": b.get(key)} for key in changed}})
        blocks += [{"change": "removed", "was": i, "block": old[i]} for i in range(i1 + pairs, i2)]
        blocks += [{"change": "added", "index": j, "block": new[j]} for j in range(j1 + pairs, j2)]
    return {"fields": fields, "blocks": blocks}

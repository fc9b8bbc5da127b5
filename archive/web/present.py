"""Helpers templates call: values of language maps in the page language (marking a fallback), vocabulary labels,
dates, durations, sizes and the URLs of images and media. No catalog access here."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.numbers import format_decimal
from flask import current_app, g, request, url_for
from flask_babel import force_locale, gettext
from markupsafe import Markup, escape

from iiif.urls import Urls
from search.labels import decade_label

from .. import timeline
from ..browse import Card, Picture
from ..timeline import Dating
from ..labels import SITE_LANGS, type_label

LANGUAGE_NAMES = {"vi": {"vi": "tiếng Việt", "en": "Vietnamese"}, "en": {"vi": "tiếng Anh", "en": "English"}}
_EDTF = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_local = Urls("")  # host-relative URLs: pages only ever point at their own host


@dataclass(frozen=True)
class LangValue:
    text: str
    lang: str
    fallback: bool  # shown in another language than the page's

    def __str__(self) -> str:
        return self.text


def other_lang(lang: str) -> str:
    return "en" if lang == "vi" else "vi"


def pick(values: dict | None, lang: str | None = None) -> LangValue | None:
    """The value in the page language, else the other of vi/en, else the first other one."""
    lang = lang or g.lang
    values = values or {}
    for tag in (lang, other_lang(lang), *values):
        if values.get(tag):
            return LangValue(values[tag], tag, tag != lang)
    return None


def originals(values: dict | None) -> list[tuple[str, str]]:
    """The values in languages other than vi and en (original scripts), as (BCP 47 tag, text)."""
    return [(tag, text) for tag, text in (values or {}).items() if tag not in SITE_LANGS and text]


def lm(values: dict | None, lang: str | None = None) -> Markup:
    """A language-map value as HTML: marked with its lang (and as a fallback when not in the page language)."""
    value = pick(values, lang)
    if value is None:
        return Markup("")
    if not value.fallback:
        return escape(value.text)
    name = LANGUAGE_NAMES.get(value.lang, {}).get(g.lang, value.lang)
    note = gettext("(in %(language)s)", language=name)
    return Markup('<span lang="{0}">{1}</span> <span class="fallback">{2}</span>').format(value.lang, value.text, note)


def in_language(lang: str) -> dict[str, str]:
    """The language switch's words, in the language it switches to."""
    with force_locale(lang):
        # Translators: the name of the language of this catalogue, written in that language.
        name = gettext("English")
        # Translators: "View this page in <the language of this catalogue>", written in that language.
        view = gettext("View this page in English")
    return {"name": name, "view": view}


def language_name(tag: str) -> str:
    """The name of a BCP 47 language tag (e.g. a caption's), in the page language."""
    if tag in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[tag][g.lang]
    try:
        return Locale.parse(tag, sep="-").get_display_name(g.lang) or tag
    except (ValueError, UnknownLocaleError):
        found = term("languages", tag.split("-")[0])
        return pick(found["label"]).text if found else tag


def term(vocabulary: str, term_id: str | None) -> dict | None:
    return current_app.config["ARCHIVE"].vocab.get(vocabulary, term_id) if term_id else None


def term_label(vocabulary: str, term_id: str | None) -> Markup:
    found = term(vocabulary, term_id)
    return lm(found["label"]) if found else escape(term_id or "")


def facet_value_label(facet: str, value: str, labels) -> str:
    if facet == "type":
        return type_label(value)[g.lang]
    if facet == "decade":
        return decade_label(value)[g.lang]
    return labels.label(facet, value)[g.lang]


def type_name(type_: str) -> str:
    return type_label(type_)[g.lang]


def edtf_date(value: str | None) -> str:
    """A plain EDTF date in words of the page language (``2019-10`` → "October 2019"); other forms as given."""
    if not value:
        return ""
    m = _EDTF.match(value)
    if not m:
        return value
    year, month, day = m.group(1), m.group(2), m.group(3)
    if not month:
        return year
    if not day:
        return format_skeleton("yMMMM", date(int(year), int(month), 1), locale=g.lang)
    return format_skeleton("yMMMMd", date(int(year), int(month), int(day)), locale=g.lang)


def dating(value: str | None) -> Dating | None:
    """How an EDTF date reads (archive.timeline), or None for text that is not EDTF."""
    try:
        return timeline.dating(value) if value else None
    except ValueError:
        return None


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def iso_duration(seconds: float | None) -> str | None:
    return f"PT{round(seconds)}S" if seconds is not None else None


def file_size(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{format_decimal(size / scale, format='#,##0.#', locale=g.lang)} {unit}"
    return f"{size} B"


def image_url(sha: str, width: int | None = None, height: int | None = None) -> str:
    """A whole image from the Image API: a stored thumbnail when (width, height) is one of its sizes."""
    size = f"{width},{height}" if width and height else "max"
    return f"{_local.image_service(sha)}/full/{size}/0/default.jpg"


def region_url(sha: str, region: str, size: tuple[int, int], wanted: int = 1000) -> str:
    """A part of an image from the Image API (``region`` as IIIF writes it), at most ``wanted`` pixels wide."""
    width = min(size[0], wanted)
    return f"{_local.image_service(sha)}/{region}/{width},/0/default.jpg"


def clip_fragment(start: float | None, end: float | None) -> str:
    """A media fragment (``#t=start,end``, W3C Media Fragments) that makes the player start and stop there."""
    if start is None and end is None:
        return ""
    return f"#t={start or 0:g}" + (f",{end:g}" if end is not None else "")


def srcset(picture: Picture) -> str:
    return ", ".join(f"{image_url(picture.sha256, w, h)} {w}w" for w, h in picture.thumbnails)


def default_src(picture: Picture, wanted: int = 400) -> str:
    """The smallest stored thumbnail at least ``wanted`` wide (else the largest; else the whole image)."""
    fitting = [t for t in picture.thumbnails if t[0] >= wanted] or list(picture.thumbnails[-1:])
    return image_url(picture.sha256, *fitting[0]) if fitting else image_url(picture.sha256)


def media_url(sha: str, name: str) -> str:
    return _local.media(sha, name)


def captions_url(sha: str, language: str) -> str:
    return _local.captions(sha, language)


def original_url(sha: str) -> str:
    return _local.original(sha)


def manifest_url(item_id: str) -> str:
    return _local.manifest(item_id)


def info_url(sha: str) -> str:
    return f"{_local.image_service(sha)}/info.json"


def absolute(path: str) -> str:
    return current_app.config["ARCHIVE"].settings.base_url + path


def card_image(card: Card) -> str | None:
    """The URL of a card's image (for Open Graph and JSON-LD), absolute."""
    if card.picture:
        return absolute(default_src(card.picture, 800))
    if card.poster:
        return absolute(media_url(card.poster[0], "poster.jpg"))
    return None


def switch_url(lang: str) -> str:
    """This page in another language, with the same query."""
    if request.endpoint and request.endpoint.startswith("pages.") and request.view_args is not None:
        return url_for(request.endpoint, **_query(), **request.view_args, lang=lang)
    return url_for("pages.home", lang=lang)


def page_url(lang: str) -> str:
    return absolute(switch_url(lang))


def _query() -> dict[str, list[str]]:
    """The query string's parameters, less any that would stand for a part of the path (``?lang=…`` on a page: the
    path's language wins)."""
    path = {"lang", *(request.view_args or {})}
    return {k: v for k, v in request.args.to_dict(flat=False).items() if k not in path}


def with_query(endpoint: str) -> str:
    """Another page, with the current page's query (e.g. the audit log's filters for its CSV export)."""
    return url_for(endpoint, **_query())


def url_with(**changes) -> str:
    """The current page's URL with query parameters changed (a None value removes the parameter)."""
    args = _query()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    return url_for(request.endpoint, **request.view_args, **args)


def active_values(facet: str) -> list[str]:
    """The values of a search filter in the current query (repeated parameters or comma-separated)."""
    return list(dict.fromkeys(v.strip() for raw in request.args.getlist(facet) for v in raw.split(",") if v.strip()))


def toggle_url(facet: str, value: str) -> str:
    """The current search with ``value`` added to or removed from a filter, back on the first page."""
    values = active_values(facet)
    values = [v for v in values if v != value] if value in values else [*values, value]
    return url_with(**{facet: values or None, "page": None})


def register(app) -> None:
    app.jinja_env.globals.update(
        pick=pick, lm=lm, language_name=language_name, in_language=in_language, originals=originals, term=term, term_label=term_label, type_name=type_name,
        edtf_date=edtf_date, dating=dating, duration=duration, file_size=file_size, image_url=image_url,
        region_url=region_url, clip_fragment=clip_fragment, srcset=srcset,
        default_src=default_src, media_url=media_url, captions_url=captions_url, original_url=original_url,
        manifest_url=manifest_url, info_url=info_url, absolute=absolute, switch_url=switch_url, page_url=page_url,
        url_with=url_with, with_query=with_query, active_values=active_values, toggle_url=toggle_url, facet_value_label=facet_value_label, card_image=card_image, other_lang=other_lang,
        LANGUAGE_NAMES=LANGUAGE_NAMES)

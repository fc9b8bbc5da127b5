"""The public site's pages, under /vi/… and /en/…; / picks the language from Accept-Language.

Views parse the request, call archive.browse, archive.exhibit_store and the search service, and render templates.
"""
from __future__ import annotations

import json
from datetime import date

import nh3
from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.exceptions import NotFound as HTTPNotFound

from search.errors import BadQuery, SearchUnavailable
from search.request import request_from_params

from .. import (browse, citation, exhibit_pages, exhibit_search, exhibit_store, home_curation, ocr_text, open_data,
               places, searching, timeline)
from ..access import Viewer
from ..access import scope as access_scope
from ..calendar import lunar_date_in_year
from ..errors import BadParameter, NotFound
from ..labels import ARCHIVE_NAME, ITEM_TYPES, SITE_LANGS
from ..records import edtf_bounds
from . import seo
from .page_cache import cached
from .params import calendar_year, number_arg, page_number
from .auth import current_viewer
from .present import absolute, pick, term, type_name

TERM_PAGES = {"community": "communities", "festival": "festivals", "place": "places"}
NOT_PAGES = ("api", "iiif", "media", "assets", "static", "open-data", "oai")  # their errors stay JSON (archive/web/errors.py)

bp = Blueprint("pages", __name__, url_prefix=f"/<any({','.join(SITE_LANGS)}):lang>")
root = Blueprint("root", __name__)


@bp.url_value_preprocessor
def _pull_lang(_endpoint, values) -> None:
    g.lang = values.pop("lang")


@bp.url_defaults
def _add_lang(_endpoint, values) -> None:
    if "lang" not in values and g.get("lang"):
        values["lang"] = g.lang


def _archive():
    return current_app.config["ARCHIVE"]


def _exhibit_cards(session, *, featured: bool = False) -> list[exhibit_pages.ExhibitPage]:
    viewer = current_viewer()
    return [exhibit_pages.card(session, e, g.lang, viewer)
            for e in exhibit_store.listing(_archive(), viewer, featured=featured)]


def marked(snippet: str) -> Markup:
    """A search snippet: escaped text whose only markup is <mark> (cleaned again here, as defence in depth)."""
    return Markup(nh3.clean(snippet, tags={"mark"}, attributes={}))


@bp.get("/")
@cached
def home():
    archive, viewer = _archive(), current_viewer()
    with archive.catalog.session() as s:
        chosen, exhibit_slugs, item_ids = home_curation.featured(s, viewer)
        if chosen.exhibits:
            visible = {e.slug: e for e in exhibit_store.listing(archive, viewer)}
            featured = [exhibit_pages.card(s, visible[slug], g.lang, viewer) for slug in exhibit_slugs
                        if slug in visible]
        else:  # nothing chosen: the exhibits marked featured, else all, the first three
            featured = (_exhibit_cards(s, featured=True) or _exhibit_cards(s))[:3]
        cards = browse.cards_by_ids(s, item_ids, viewer=viewer)
        featured_items = [cards[item_id] for item_id in item_ids if item_id in cards]
        recent = browse.recent(s, viewer=viewer)
        communities = browse.counts(s, "community", viewer=viewer)
        festivals = browse.counts(s, "festival", viewer=viewer)
    return render_template("home.html", featured=featured, featured_items=featured_items, recent=recent,
                           community_counts=communities, festival_counts=festivals,
                           communities=archive.vocab.terms("communities"), festivals=archive.vocab.terms("festivals"))


@bp.get("/search")
@cached
def search():
    archive, viewer = _archive(), current_viewer()
    params = {k: v for k, v in request.args.to_dict(flat=False).items() if k != "lang"}
    params["lang"] = [g.lang]
    try:
        search_request = request_from_params(params, scope=access_scope(viewer))
        result = searching.search(archive, search_request)
    except BadQuery as exc:
        return render_template("search.html", error=exc, result=None, cards={}, exhibits=[]), 400
    except SearchUnavailable:
        return render_template("search.html", error=None, unavailable=True, result=None, cards={},
                               exhibits=[]), 503
    first_page = search_request.page == 1 and not (search_request.filters or search_request.date_from
                                                   or search_request.date_to)
    with archive.catalog.session() as s:
        cards = browse.cards_by_ids(s, [hit.id for hit in result.hits], viewer=viewer)
        exhibits = [exhibit_pages.card(s, e, g.lang, viewer)
                    for e in exhibit_search.matching(archive, s, viewer, search_request.q)] if first_page else []
    return render_template("search.html", error=None, result=result, cards=cards, labels=searching.facet_labels(archive),
                           marked=marked, request_=search_request, exhibits=exhibits)


@bp.get("/browse")
@cached
def browse_all():
    archive, viewer = _archive(), current_viewer()
    with archive.catalog.session() as s:
        counts = {facet: browse.counts(s, facet, viewer=viewer) for facet in ("community", "festival", "place", "type")}
        collections = browse.collections(s, viewer=viewer)
    return render_template("browse.html", counts=counts, collections=collections, vocab=archive.vocab,
                           types=list(ITEM_TYPES))


@bp.get("/timeline")
@cached
def timeline_page():
    """The decades with items, or one decade's years (``?decade=1970``, ``?year=1975``) and its items."""
    decade, year = _period_args()
    number = page_number()
    archive, viewer = _archive(), current_viewer()
    with archive.catalog.session() as s:
        if decade is None:
            found = timeline.overview(s, viewer=viewer)
        else:
            found = timeline.decade_view(s, decade, number, year=year, viewer=viewer)
    return render_template("timeline.html", overview=found if decade is None else None,
                           view=found if decade is not None else None)


def _period_args() -> tuple[int | None, int | None]:
    """``?decade=`` (a year ending in 0) and ``?year=`` (within that decade, when both are given); absent or blank:
    None."""
    decade = year = None
    if request.args.get("decade", "").strip():
        reason = _("The decade must be a year ending in 0, from 0 to 9990, such as 1970.")
        decade = number_arg("decade", minimum=timeline.FIRST_DECADE, maximum=timeline.LAST_DECADE, reason=reason)
        if decade % 10:
            raise BadParameter("decade", reason)
    if request.args.get("year", "").strip():
        year = number_arg("year", minimum=1, maximum=9999, reason=_("The year must be a whole number from 1 to 9999."))
        if decade is not None and year // 10 * 10 != decade:
            raise BadParameter("year", _("The year %(year)s is not in the decade %(decade)s.", year=year, decade=decade))
        decade = year // 10 * 10
    return decade, year


def _term_page(facet: str, term_id: str):
    archive = _archive()
    found = archive.vocab.get(TERM_PAGES[facet], term_id)
    if found is None:
        raise NotFound(f"no {facet} {term_id!r}")
    number = page_number()
    with archive.catalog.session() as s:
        page = browse.with_term(s, facet, term_id, number, viewer=current_viewer())
    sources = {src["id"]: src for src in archive.vocab.document(TERM_PAGES[facet]).get("sources", [])}
    upcoming = archive.calendar.next_occurrence(term_id, date.today()) if facet == "festival" else None
    return render_template("term.html", facet=facet, term=found, page=page, upcoming=upcoming, today=date.today(),
                           sources=[sources[i] for i in found.get("sources", []) if i in sources],
                           jsonld=seo.term_jsonld(facet, found, g.lang))


@bp.get("/calendar")
@cached
def calendar():
    """Every festival with its dates in the year asked for (this year by default) and its next occurrence."""
    archive, today = _archive(), date.today()
    year = calendar_year()
    with archive.catalog.session() as s:
        exhibits = _exhibit_cards(s)
    rows = []
    for term in archive.vocab.terms("festivals"):
        rows.append({"term": term, "occurrences": archive.calendar.occurrences(year, term["id"]),
                     "next": archive.calendar.next_occurrence(term["id"], today),
                     "exhibits": [e for e in exhibits if e.festival == term["id"]]})
    rows.sort(key=lambda r: (not r["occurrences"], r["occurrences"][0].start if r["occurrences"] else date.max))
    return render_template("calendar.html", year=year, rows=rows, today=today,
                           sources=archive.calendar.announced["sources"])


@bp.get("/communities/<term_id>")
@cached
def community(term_id: str):
    return _term_page("community", term_id)


@bp.get("/festivals/<term_id>")
@cached
def festival(term_id: str):
    return _term_page("festival", term_id)


@bp.get("/places/<term_id>")
@cached
def place(term_id: str):
    return _term_page("place", term_id)


@bp.get("/map")
@cached
def map_page():
    """Every place with coordinates on a map (markers grouped when close), each with its card; the same cards listed
    below for reading without the map."""
    archive = _archive()
    return render_template("map.html", features=places.place_features(archive.vocab, archive.settings.base_url))


@bp.get("/collections/")
@cached
def collections():
    with _archive().catalog.session() as s:
        found = browse.collections(s, viewer=current_viewer())
    return render_template("collections.html", collections=found)


@bp.get("/collections/<collection_id>")
@cached
def collection(collection_id: str):
    number = page_number()
    with _archive().catalog.session() as s:
        found = browse.collection(s, collection_id)
        page = browse.in_collection(s, collection_id, number, viewer=current_viewer())
    return render_template("collection.html", collection=found, page=page,
                           jsonld=seo.collection_jsonld(found, page, g.lang))


@bp.get("/exhibits/")
@cached
def exhibits():
    with _archive().catalog.session() as s:
        found = _exhibit_cards(s)
    return render_template("exhibits.html", exhibits=found)


@bp.get("/exhibits/<slug>")
@cached
def exhibit(slug: str):
    archive, viewer = _archive(), current_viewer()
    found = exhibit_store.get(archive, slug, viewer)
    with archive.catalog.session() as s:
        shown = exhibit_pages.page(s, found, g.lang, viewer)
    return render_template("exhibit.html", exhibit=shown, jsonld=seo.exhibit_jsonld(shown, g.lang))


@bp.get("/items/<item_id>")
@cached
def item(item_id: str):
    return render_template("item.html", **item_context(_item_page(item_id)))


def _item_page(item_id: str) -> browse.ItemPage:
    """The item as its page shows it; NotFound unless archive.access lets the viewer see it."""
    archive = _archive()
    with archive.catalog.session() as s:
        return browse.item_page(s, item_id, archive.vocab, archive.store, viewer=current_viewer())


def item_context(page: browse.ItemPage) -> dict:
    """What item.html needs besides the page: title, permanent URL, citations, schema.org data."""
    title = _title(page)
    url = absolute(url_for("pages.item", item_id=page.id))
    csl = _csl_item(page)
    return {"item": page, "title": title, "url": url, "lunar_days": _lunar_days(page.record), "jsonld": seo.item_jsonld(page, _archive().vocab, g.lang),
            "citations": {style: Markup(citation.render(csl, style, g.lang)) for style in citation.STYLES},
            "bibtex": citation.bibtex(csl, edtf=page.record.get("date")), "ocr_pages": _ocr_pages(page.id),
            "ocr_missing_names": _ocr_missing_names}


def _ocr_pages(item_id: str) -> list[ocr_text.OcrPageText]:
    archive = _archive()
    with archive.catalog.session() as s:
        return ocr_text.visible_pages(s, item_id, current_viewer())


def _ocr_missing_names(codes) -> str:
    """The languages OCR could not read in the page's language, or the scripts when no language is named."""
    languages = [c for c in codes if c.islower()]
    vocabulary, codes = ("languages", languages) if languages else ("scripts", codes)
    return ", ".join(pick(found["label"]).text if (found := term(vocabulary, c)) else c for c in codes)


def _lunar_days(record: dict) -> tuple[date, date] | None:
    """The Gregorian days of the item's lunar date, when its date names one year."""
    if not record.get("lunar_date") or not record.get("date"):
        return None
    try:
        first, last = edtf_bounds(record["date"])
    except ValueError:
        return None
    return lunar_date_in_year(record["lunar_date"], int(first[:4]) if first[:4] == last[:4] else None)


def _title(page: browse.ItemPage):
    return pick(page.record.get("title")) or pick({"en": page.id})


def _csl_item(page: browse.ItemPage) -> dict:
    title = _title(page)
    return citation.csl_item(page.record, item_id=page.id, item_type=page.type, title=title.text, title_lang=title.lang,
                             url=absolute(url_for("pages.item", item_id=page.id)), kind=type_name(page.type),
                             archive_name=ARCHIVE_NAME[g.lang], accessed=date.today())


CITATION_FILES = {"ris": "application/x-research-info-systems", "bib": "application/x-bibtex",
                  "json": "application/vnd.citationstyles.csl+json"}


@bp.get("/items/<item_id>/cite.<extension>")
def item_citation(item_id: str, extension: str):
    """The item's citation to take away, as RIS, BibTeX or CSL-JSON; answers exactly when the item page does."""
    if extension not in CITATION_FILES:
        raise NotFound(f"no citation format {extension!r} (there are {', '.join(CITATION_FILES)})")
    page = _item_page(item_id)
    csl = _csl_item(page)
    if extension == "ris":
        body = citation.ris(csl)
    elif extension == "bib":
        body = citation.bibtex(csl, edtf=page.record.get("date"))
    else:
        body = json.dumps([csl], ensure_ascii=False, indent=2)
    response = Response(body, content_type=f"{CITATION_FILES[extension]}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{page.id}.{extension}"'
    return response


@bp.get("/about")
def about():
    return render_template("about.html")


@bp.get("/open-data")
def open_data_page():
    return render_template("open_data.html", package=open_data.current(_archive()))


@bp.get("/api")
def api_reference():
    """The JSON API described for people: /api/openapi.json rendered by Swagger UI, vendored from npm."""
    return render_template("api.html")


@bp.get("/<path:rest>")
def unknown(rest: str):
    raise HTTPNotFound()


@root.get("/")
def index():
    lang = request.accept_languages.best_match(SITE_LANGS, default="vi")
    response = redirect(url_for("pages.home", lang=lang), code=302)
    response.vary.add("Accept-Language")
    return response


@root.get("/robots.txt")
def robots():
    body = f"User-agent: *\nDisallow: /api/\nDisallow: /iiif/\nSitemap: {absolute('/sitemap.xml')}\n"
    return Response(body, mimetype="text/plain")


@root.get("/sitemap.xml")
def sitemap():
    archive = _archive()
    with archive.catalog.session() as s:
        entries = browse.sitemap_entries(s)
    pages = [("pages.home", {}, None), ("pages.about", {}, None), ("pages.open_data_page", {}, None), ("pages.browse_all", {}, None),
             ("pages.map_page", {}, None),
             ("pages.collections", {}, None), ("pages.exhibits", {}, None)]
    pages.append(("pages.timeline_page", {}, None))
    pages += [("pages.collection", {"collection_id": c}, when) for c, when in entries["collections"]]
    pages += [("pages.exhibit", {"slug": e.slug}, e.updated_at)
              for e in exhibit_store.listing(archive, Viewer.ANONYMOUS)]
    for facet, vocabulary in TERM_PAGES.items():
        pages += [(f"pages.{facet}", {"term_id": t["id"]}, None) for t in archive.vocab.terms(vocabulary)]
    pages += [("pages.item", {"item_id": i}, when) for i, when in entries["items"]]
    urls = [({lang: absolute(url_for(endpoint, lang=lang, **args)) for lang in SITE_LANGS}, when)
            for endpoint, args, when in pages]
    return Response(render_template("sitemap.xml", urls=urls), mimetype="application/xml")


@root.get("/<path:rest>")
def unknown_root(rest: str):
    if rest.split("/", 1)[0] in NOT_PAGES:
        raise HTTPNotFound()
    g.lang = request.accept_languages.best_match(SITE_LANGS, default="vi")  # the 404 page in the reader's language
    raise HTTPNotFound()

"""Pages for anonymous visitors, kept in each web process and keyed on everything such a page depends on: its URL
(language and query included), the catalog's generation (archive.generation, raised by every change the public can
see and every index update, whichever process or machine made it; exhibits are in the catalog too). A page is kept a minute at
most, so an embargo that ends by the clock alone shows soon even without the worker's minute task.

Signed-in viewers, and visitors whose session holds something of their own (a message to show once), always get a
page made for them; only whole 200 answers that set no cookie are kept.
"""
from __future__ import annotations

import threading
from functools import wraps

from cachetools import TTLCache
from flask import Response, current_app, make_response, request, session

from .. import generation
from .auth import current_viewer

SECONDS = 60


class PageCache:
    def __init__(self, entries: int):
        self._pages: TTLCache = TTLCache(maxsize=entries, ttl=SECONDS)
        self._lock = threading.Lock()  # cachetools caches are not thread-safe

    def get(self, key: tuple):
        with self._lock:
            return self._pages.get(key)

    def put(self, key: tuple, page: tuple) -> None:
        with self._lock:
            self._pages[key] = page


def init_app(app) -> None:
    entries = app.config["ARCHIVE"].settings.page_cache_entries
    app.extensions["page_cache"] = PageCache(entries) if entries else None


def cached(view):
    """Answer the view from the cache when the same page was made for an anonymous visitor since the last change."""
    @wraps(view)
    def answer(*args, **kwargs):
        cache: PageCache | None = current_app.extensions["page_cache"]
        if cache is None or session or current_viewer().user_id is not None:
            return view(*args, **kwargs)
        key = (request.path, request.query_string, generation.current(current_app.config["ARCHIVE"].catalog))
        page = cache.get(key)
        if page is not None:
            body, status, headers = page
            return Response(body, status, headers)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not response.is_streamed and "Set-Cookie" not in response.headers \
                and not session.modified:
            cache.put(key, (response.get_data(), response.status_code, list(response.headers.items())))
        return response
    return answer

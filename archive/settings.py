"""Every setting of the archive, declared once with its default and help.

Settings come from ``HERITAGE_*`` environment variables (and CLI overrides). An unknown ``HERITAGE_`` variable or a
malformed value stops start-up with a message naming it, so a typo never silently falls back to a default.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

PREFIX = "HERITAGE_"


class SettingsError(Exception):
    """One or more settings are unknown or malformed; ``problems`` lists each one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid configuration:\n  " + "\n  ".join(problems))


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be 0 or a positive integer")
    return value


def _internal_path(raw: str) -> str:
    if raw and not re.fullmatch(r"/[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*/", raw):
        raise ValueError("must be empty or a path such as /_stored/ (starting and ending with /)")
    return raw


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return raw
    return parse


def _url(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return raw.rstrip("/")


def _queue_url(raw: str) -> str:
    if raw and not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must be empty (SQLite in the data directory) or a redis:// URL")
    return raw


def _tile_template(raw: str) -> str:
    """An XYZ tile URL template such as https://tiles.example.org/{z}/{x}/{y}.png (one host, so the pages' CSP can
    name it), or empty."""
    if not raw:
        return raw
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or "{" in parts.netloc:
        raise ValueError("must be empty or an http:// or https:// URL template on one host")
    placeholders = set(re.findall(r"\{([^}]*)\}", raw))
    if not {"z", "x", "y"} <= placeholders or not placeholders <= {"z", "x", "y", "r"}:
        raise ValueError("must hold {z}, {x} and {y} (and may hold {r}), no other placeholder")
    return raw


def _domain(raw: str) -> str:
    if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+", raw):
        raise ValueError("must be a domain name such as archive.example.vn")
    return raw


def _email(raw: str) -> str:
    if not re.fullmatch(r"\S+@(\S+\.)+\S+", raw):
        raise ValueError("must be an e-mail address")
    return raw


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "./var", str, "Directory holding the catalog, the file store and the search index."),
    Setting("database_url", "", str, "SQLAlchemy URL of the catalog; empty means SQLite at DATA_DIR/catalog.sqlite."),
    Setting("search_backend", "whoosh", _choice("whoosh", "elasticsearch"), "Search backend."),
    Setting("elasticsearch_url", "http://127.0.0.1:9200", _url, "Elasticsearch URL when SEARCH_BACKEND=elasticsearch."),
    Setting("queue_url", "", _queue_url,
            "Job queue: empty for SQLite in DATA_DIR/jobs.sqlite (one machine), or redis://HOST:PORT/DB (several)."),
    Setting("base_url", "http://127.0.0.1:5000", _url, "Public base URL used in IIIF ids and links."),
    Setting("oai_repository_id", "heritage.localhost", _domain,
            "The archive's domain name in OAI-PMH identifiers (oai:DOMAIN:item-id); set it once, never change it."),
    Setting("admin_email", "archivist@heritage.localhost", _email, "Who harvesters write to (OAI-PMH Identify)."),
    Setting("open_data_licence", "http://creativecommons.org/licenses/by/4.0/", _url,
            "Licence of the open data package (the catalogue's records); a URI of the licences vocabulary."),
    Setting("oai_page_size", 100, _positive_int, "Records per OAI-PMH list response (then a resumption token)."),
    Setting("secret_key", "", str, "Key signing sessions; empty means one generated and kept in DATA_DIR."),
    Setting("workers", os.cpu_count() or 1, _positive_int, "Worker processes for ingest, derivatives and index rebuilds."),
    Setting("max_image_pixels", 150_000_000, _positive_int, "Largest image accepted, in pixels."),
    Setting("max_pixels_per_byte", 2_000, _positive_int,
            "Largest pixels-per-stored-byte ratio before an image counts as a decompression bomb."),
    Setting("max_file_bytes", 8 * 1024**3, _positive_int, "Largest media file accepted, in bytes."),
    Setting("max_upload_bytes", 4 * 1024**3, _positive_int,
            "Largest file accepted through the staff upload page, in bytes (larger ones: `heritage ingest`)."),
    Setting("max_duration_seconds", 4 * 3600, _positive_int, "Longest audio or video accepted, in seconds."),
    Setting("login_failures_per_user", 5, _positive_int,
            "Failed sign-ins for one username within LOGIN_WINDOW_SECONDS before it must wait."),
    Setting("login_failures_per_address", 20, _positive_int,
            "Failed sign-ins from one address within LOGIN_WINDOW_SECONDS before it must wait."),
    Setting("login_window_seconds", 900, _positive_int, "The window in which failed sign-ins are counted."),
    Setting("password_time_cost", 3, _positive_int, "Argon2id passes when hashing a password."),
    Setting("password_memory_kib", 65536, _positive_int, "Argon2id memory per password hash, in KiB."),
    Setting("page_cache_entries", 1000, _count,
            "Pages kept per web process for anonymous visitors, until the catalog changes (0: none)."),
    Setting("accel_redirect", "", _internal_path,
            "Behind nginx: its internal location serving DATA_DIR (e.g. /_stored/); the app then decides who may "
            "have a tile, medium or download and nginx sends the file (X-Accel-Redirect). Empty: the app sends it."),
    Setting("proxies", 0, _count,
            "Reverse proxies in front of the app (behind nginx: 1); the client's address and scheme are then read "
            "from their X-Forwarded-For and X-Forwarded-Proto (sign-in throttling, the audit log, secure cookies)."),
    Setting("map_tiles", "", _tile_template,
            "The maps' base layer: an XYZ tile server's URL template (https://HOST/{z}/{x}/{y}.png) the agency runs; "
            "empty draws the country outlines the archive ships (Natural Earth), with no request to another host."),
    Setting("map_attribution", "", str, "Credit shown on the maps for MAP_TILES' tiles (e.g. © OpenStreetMap "
            "contributors)."),
    Setting("log_level", "INFO", _choice("DEBUG", "INFO", "WARNING", "ERROR"), "Logging level."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class Settings:
    """Resolved settings; attribute names are the lower-case setting names."""

    def __init__(self, values: Mapping[str, Any]):
        self.__dict__.update(values)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def catalog_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'catalog.sqlite'}"

    def __repr__(self) -> str:
        return f"Settings({self.__dict__!r})"


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Resolve settings from ``environ`` (default ``os.environ``) and explicit overrides (e.g. ``--data-dir``)."""
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    values = {s.name: s.default for s in SETTINGS}
    for key, raw in environ.items():
        if not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX):].lower()
        setting = _BY_NAME.get(name)
        if setting is None:
            problems.append(f"{key}: unknown setting (known: {', '.join(PREFIX + n.upper() for n in _BY_NAME)})")
            continue
        try:
            values[name] = setting.parse(raw)
        except ValueError as exc:
            problems.append(f"{key}={raw!r}: {exc}")
    for name, value in overrides.items():
        if name not in _BY_NAME:
            raise KeyError(f"unknown setting override {name!r}")
        if value is not None:
            values[name] = value
    if problems:
        raise SettingsError(problems)
    return Settings(values)


def describe() -> str:
    """Help text listing every setting with its default."""
    return "\n".join(f"{PREFIX}{s.name.upper()} (default {s.default!r}): {s.help}" for s in SETTINGS)

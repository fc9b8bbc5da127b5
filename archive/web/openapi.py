"""The OpenAPI 3.1 document of every public route under /api, /iiif and /media: written once in openapi.yaml beside
this module, read at start, and served at /api/openapi.json with the archive's public base URL as its server."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

SOURCE = Path(__file__).with_name("openapi.yaml")


@cache
def _described() -> dict:
    with open(SOURCE, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def document(base_url: str) -> dict:
    return {**_described(), "servers": [{"url": base_url, "description": "this archive"}]}

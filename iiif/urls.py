"""Every URL IIIF documents point at, built from the public base URL (the ``base_url`` setting)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


def _q(part: str) -> str:
    return quote(part, safe="")


@dataclass(frozen=True)
class Urls:
    base: str  # no trailing slash

    def manifest(self, item_id: str) -> str:
        return f"{self.base}/iiif/3/{_q(item_id)}/manifest"

    def canvas(self, item_id: str, number: int) -> str:
        return f"{self.base}/iiif/3/{_q(item_id)}/canvas/{number}"

    def search(self, item_id: str) -> str:
        """The item's IIIF Content Search service."""
        return f"{self.base}/iiif/3/{_q(item_id)}/search"

    def autocomplete(self, item_id: str) -> str:
        return f"{self.base}/iiif/3/{_q(item_id)}/autocomplete"

    def collection(self, collection_id: str) -> str:
        return f"{self.base}/iiif/3/collection/{_q(collection_id)}"

    def image_service(self, sha: str) -> str:
        return f"{self.base}/iiif/3/image/{sha}"

    def media(self, sha: str, name: str) -> str:
        """A web derivative (audio.mp3, video.mp4, poster.jpg…) of a stored original."""
        return f"{self.base}/media/{sha}/{_q(name)}"

    def original(self, sha: str) -> str:
        return f"{self.base}/media/{sha}/original"

    def captions(self, sha: str, language: str) -> str:
        return f"{self.base}/media/{sha}/captions/{_q(language)}.vtt"

    def record(self, item_id: str) -> str:
        return f"{self.base}/api/items/{_q(item_id)}"

    def page(self, lang: str, *parts: str) -> str:
        """A page of the site in ``lang`` (vi or en), e.g. page("en", "items", id)."""
        return "/".join([self.base, lang, *map(_q, parts)]) + ("" if parts else "/")

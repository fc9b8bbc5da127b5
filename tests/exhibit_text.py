"""The text a reader sees of an exhibit page's article, whitespace normalised (to compare pages rendered two ways)."""
from __future__ import annotations

import re
from html.parser import HTMLParser


class _Article(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in ("br", "hr", "img", "source", "track", "meta", "link", "input")
        elif tag == "article" and "exhibit" in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag not in ("br", "hr", "img", "source", "track", "meta", "link", "input"):
            self.depth -= 1
            self.parts.append(" ")

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def article_text(page: str) -> str:
    parser = _Article()
    parser.feed(page)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()

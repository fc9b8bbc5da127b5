"""Helpers of the staff tests: accounts, a signed-in Flask test client, CSRF tokens read from the pages."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from archive import accounts
from archive.importer import import_records

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def token_in(page: str) -> str:
    found = _TOKEN.search(page)
    assert found, "no CSRF token in the page"
    return html.unescape(found.group(1) or found.group(2))


def add_user(archive, username: str, role: str, password: str = PASSWORD):
    return accounts.create_user(archive, username, password, role, display_name=username.title())


def sign_in(client, username: str, password: str = PASSWORD, lang: str = "vi"):
    """Sign in through the real form; returns the response of the POST (not followed)."""
    page = client.get(f"/{lang}/staff/login").get_data(as_text=True)
    return client.post(f"/{lang}/staff/login", data={"username": username, "password": password,
                                                     "csrf_token": token_in(page)})


def page_token(client, path: str = "/vi/staff/") -> str:
    """A CSRF token for the client's session, read from a staff page."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return token_in(response.get_data(as_text=True))


def import_items(archive, tmp_path: Path, records: list[dict]) -> list[str]:
    """Metadata-only items through the real importer (they are created published; tests change that)."""
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    summary = import_records(archive, path)
    assert not summary.rejected, summary.lines()
    return summary.new

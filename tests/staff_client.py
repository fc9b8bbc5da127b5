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


def describe_form(page: str, item_id: str, lang: str = "vi", **changes) -> dict[str, list[str]]:
    """The describe form of an edit page as the browser would send it (every field as the page shows it), with
    changes (``title__en="…"`` sets the field ``title.en``)."""
    form = re.search(r'<form method="post" action="/%s/staff/items/%s" class="describe".*?</form>' % (lang, item_id),
                     page, re.S).group(0)
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', form):
        data.setdefault(name, []).append(value)
    for name, value in re.findall(r'<textarea[^>]*?name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data.setdefault(name, []).append(value)
    for select_name, options in re.findall(r'<select[^>]*?name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(r'<option value="([^"]*)" selected', options)
        data.setdefault(select_name, []).append(chosen[0] if chosen else "")
    checked = re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]+)" checked', form)
    for name in {n for n, _ in re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]+)"', form)}:
        data[name] = [v for n, v in checked if n == name]
    data = {k: [html.unescape(v) for v in vs] for k, vs in data.items()}
    for key, value in changes.items():
        data[key.replace("__", ".")] = value if isinstance(value, list) else [value]
    return data

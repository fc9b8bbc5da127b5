"""The production deployment the project ships (tests/production_stack.py): nginx with the site file of `heritage
nginx-config` in front of `heritage serve --processes 2`. nginx serves the assets itself, sends stored files only after
the app's access decision, compresses text and keeps public tiles; what the app does not allow never comes out."""
from __future__ import annotations

import configparser
import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from archive.catalog.models import Item, MediaFile
from archive.context import Archive
from tests.catalogs import command_env
from tests.conftest import make_settings
from tests.production_stack import INTERNAL, production_stack
from tests.staff_client import PASSWORD, add_user

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def stack(sample_archive, tmp_path_factory):
    root = tmp_path_factory.mktemp("production")
    data_dir = root / "var"
    shutil.copytree(sample_archive.settings.data_path, data_dir)  # tests here sign in, which changes the catalog
    archive = Archive(make_settings(data_dir))
    add_user(archive, "lan", "editor")
    with production_stack(data_dir, root / "nginx") as running:
        running.archive = archive
        yield running
    archive.catalog.dispose()


def _image(archive: Archive, public: bool) -> tuple[str, dict]:
    """A sample image's sha256 and derivative summary: one the public sees, or one it does not."""
    with archive.catalog.session() as s:
        for media in s.scalars(select(MediaFile).join(Item).where(MediaFile.kind == "image").order_by(MediaFile.sha256)):
            if (media.item.access == "public" and media.item.status == "published") == public:
                return media.sha256, media.derivatives
    raise AssertionError("no such image among the samples")


def _tile_url(stack, sha: str, column: int = 0) -> str:
    """The URL of one of the image's stored full-resolution tiles, as the deep-zoom viewer asks for it."""
    info = requests.get(f"{stack.url}/iiif/3/image/{sha}/info.json", timeout=30).json()
    side = info["tiles"][0]["width"]
    x = column * side
    width, height = min(side, info["width"] - x), min(side, info["height"])
    return f"{stack.url}/iiif/3/image/{sha}/{x},0,{width},{height}/{width},/0/default.jpg"


def test_pages_come_through_nginx_compressed_when_asked(stack):
    plain = requests.get(f"{stack.url}/vi/", headers={"Accept-Encoding": "identity"}, timeout=30)
    zipped = requests.get(f"{stack.url}/vi/", headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True)
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    raw = zipped.raw.read()
    assert gzip.decompress(raw) == plain.content and len(raw) < len(plain.content) / 3
    assert plain.headers["Content-Security-Policy"]  # the app's headers come through


def test_assets_are_served_by_nginx_from_the_package(stack):
    page = requests.get(f"{stack.url}/en/", timeout=30).text
    css = page.split('href="/assets/css/', 1)[1].split('"', 1)[0]
    answer = requests.get(f"{stack.url}/assets/css/{css}", timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/css")
    assert "immutable" in answer.headers["Cache-Control"]  # the URL carries the content hash
    assert answer.content == (REPO / "archive/web/static/css" / css.split("?", 1)[0]).read_bytes()
    assert answer.headers["Server"].startswith("nginx") and "Content-Security-Policy" not in answer.headers


def test_a_public_tile_is_sent_by_nginx_after_the_app_allowed_it(stack):
    sha, _ = _image(stack.archive, public=True)
    url = _tile_url(stack, sha)
    tile = requests.get(url, timeout=30)
    assert tile.status_code == 200 and tile.headers["Content-Type"] == "image/jpeg"
    assert tile.content[:3] == b"\xff\xd8\xff" and len(tile.content) == int(tile.headers["Content-Length"])
    assert "public" in tile.headers["Cache-Control"]
    assert 'rel="canonical"' in tile.headers["Link"]  # the app's headers come with nginx's file
    assert tile.headers["Access-Control-Allow-Origin"] == "*"  # IIIF viewers of other sites may show it
    direct = requests.get(url.replace(stack.url, stack.app_url), timeout=30)  # the app alone: empty, redirected
    assert direct.headers["X-Accel-Redirect"].startswith(INTERNAL) and direct.content == b""


def test_the_stored_files_are_not_reachable_from_outside(stack):
    sha, _ = _image(stack.archive, public=True)
    for path in (f"{INTERNAL}catalog.sqlite", f"{INTERNAL}secret_key",
                 f"{INTERNAL}store/derivatives/{sha[:2]}/{sha}/summary.json"):
        assert requests.get(stack.url + path, timeout=30).status_code == 404, path


def test_a_restricted_image_gives_nothing_to_the_public_and_is_never_kept(stack):
    sha, summary = _image(stack.archive, public=False)
    side = summary["tile_size"]
    url = f"{stack.url}/iiif/3/image/{sha}/0,0,{side},{side}/{side},/0/default.jpg"
    assert requests.get(url, timeout=30).status_code == 404
    staff = requests.Session()
    login = staff.get(f"{stack.url}/en/staff/login", timeout=30).text
    token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert staff.post(f"{stack.url}/en/staff/login", data={"username": "lan", "password": PASSWORD,
                                                           "csrf_token": token},
                      allow_redirects=False, timeout=30).status_code == 302
    seen = staff.get(url, timeout=30)
    assert seen.status_code == 200 and seen.content[:3] == b"\xff\xd8\xff"
    assert "private" in seen.headers["Cache-Control"]
    assert requests.get(url, timeout=30).status_code == 404  # what staff saw was not kept for the public


def test_media_ranges_and_downloads_go_through_nginx(stack):
    with stack.archive.catalog.session() as s:
        audio = s.scalars(select(MediaFile).join(Item).where(MediaFile.kind == "audio", Item.access == "public",
                                                             Item.status == "published")).first()
        sha, mp3 = audio.sha256, audio.derivatives["path"]
    stored = (stack.archive.store.derivative_dir(sha) / mp3).read_bytes()
    part = requests.get(f"{stack.url}/media/{sha}/{mp3}", headers={"Range": "bytes=100-199"}, timeout=30)
    assert part.status_code == 206 and part.content == stored[100:200]
    assert part.headers["Content-Type"] == "audio/mpeg"
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(stored)}"
    original = requests.get(f"{stack.url}/media/{sha}/original", timeout=30)
    assert original.status_code == 200
    assert original.content == stack.archive.store.original_path(sha).read_bytes()
    assert original.headers["Content-Disposition"].startswith("attachment; filename=")


def test_the_client_address_is_the_one_nginx_saw(stack):
    """Sign-in throttling counts per address: behind nginx it must be the client's, and not one it claims."""
    requests.post(f"{stack.url}/en/staff/login", data={"username": "lan", "password": "wrong"},
                  headers={"X-Forwarded-For": "203.0.113.9"}, timeout=30)
    from archive.catalog.models import AuditEntry
    with stack.archive.catalog.session() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(5)))
    addresses = {entry.remote_addr for entry in entries}
    assert "127.0.0.1" in addresses and "203.0.113.9" not in addresses


def test_public_tiles_are_kept_by_nginx_and_the_rest_asks_the_app(stack):
    """Last: it stops the app. A tile asked for before is still answered (nginx kept it); one never asked for is
    not (every tile goes through the app's access decision first)."""
    sha, _ = _image(stack.archive, public=True)
    kept = _tile_url(stack, sha)
    first = requests.get(kept, timeout=30)
    assert first.status_code == 200
    stack.app.terminate()
    stack.app.wait(timeout=60)
    again = requests.get(kept, timeout=30)
    assert again.status_code == 200 and again.content == first.content
    assert requests.get(_tile_url(stack, sha, column=1),
                        timeout=30).status_code == 502
    assert requests.get(f"{stack.url}/vi/", timeout=30).status_code == 502  # pages are the app's


def test_the_systemd_units_run_real_commands():
    """The unit files shipped in deploy/systemd name commands the CLI has, with options it accepts."""
    units = sorted((REPO / "deploy/systemd").glob("*.service"))
    assert {u.name for u in units} >= {"heritage-web.service", "heritage-worker.service"}
    for unit in units:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read(unit)
        command = parser["Service"]["ExecStart"].split()
        if not command[0].endswith("/heritage"):
            continue
        result = subprocess.run([sys.executable, "-m", "archive.cli", *command[1:], "--help"], capture_output=True,
                                text=True, env=command_env(REPO / "var-unused"))
        assert result.returncode == 0, (unit.name, result.stderr)


@pytest.mark.parametrize("tls", [False, True])
def test_the_site_file_is_one_nginx_accepts(tmp_path, tls):
    options = ["--cache-dir", str(tmp_path / "tiles"), "--server-name", "archive.example.vn"]
    if tls:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=archive.example.vn", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
                       check=True, capture_output=True)
        options += ["--listen", "127.0.0.1:8443", "--tls-certificate", tmp_path / "cert.pem", "--tls-key",
                    tmp_path / "key.pem"]
    site = subprocess.run([sys.executable, "-m", "archive.cli", "nginx-config", *map(str, options)], check=True,
                          capture_output=True, text=True, env=command_env(tmp_path / "var")).stdout
    assert ("ssl_certificate" in site) == tls and ("return 301 https://" in site) == tls
    (tmp_path / "heritage.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"events {{}}\nhttp {{\ninclude /etc/nginx/mime.types;\n"
                                         f"include {tmp_path}/heritage.conf;\n}}\n")
    checked = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr

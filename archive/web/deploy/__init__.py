"""Deployment files the archive makes for its own settings: the nginx site (``heritage nginx-config``)."""
from __future__ import annotations

from pathlib import Path

import jinja2

from ...settings import Settings
from ..assets import STATIC

INTERNAL = "/_stored/"  # the default internal location; HERITAGE_ACCEL_REDIRECT names it to the app


def nginx_site(settings: Settings, *, upstream: str, listen: str, server_name: str | None, cache_dir: Path,
               cache_size: str = "2g", tls_certificate: Path | None = None, tls_key: Path | None = None) -> str:
    """The nginx site file: nginx serves /assets/ and, after the app's access decision, the stored files; compresses
    text; keeps public tiles a minute."""
    template = jinja2.Template((Path(__file__).parent / "nginx-site.conf").read_text("utf-8"), trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    return template.render(
        data_dir=settings.data_path, static_dir=STATIC, internal=settings.accel_redirect or INTERNAL,
        upstream=upstream, listen=listen, server_name=server_name, cache_dir=cache_dir, cache_size=cache_size,
        tile_socket=cache_dir.with_name(cache_dir.name + ".sock"),
        max_upload_bytes=settings.max_upload_bytes, base_url=settings.base_url, tls=tls_certificate is not None,
        tls_certificate=tls_certificate, tls_key=tls_key)

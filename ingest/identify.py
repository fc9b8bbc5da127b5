"""Identify a file by its content, and check that its extension tells the same story."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import filetype

from archive.reasons import Reason, Refused

# Accepted media types: MIME type sniffed from the content → (kind, extensions it may carry).
ACCEPTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "image/jpeg": ("image", (".jpg", ".jpeg")),
    "image/png": ("image", (".png",)),
    "image/tiff": ("image", (".tif", ".tiff")),
    "image/webp": ("image", (".webp",)),
    "audio/x-wav": ("audio", (".wav",)),
    "audio/mpeg": ("audio", (".mp3",)),
    "audio/x-flac": ("audio", (".flac",)),
    "audio/ogg": ("audio", (".ogg", ".oga", ".opus")),
    "audio/mp4": ("audio", (".m4a",)),
    "video/mp4": ("video", (".mp4", ".m4v")),
    "video/quicktime": ("video", (".mov",)),
    "video/x-matroska": ("video", (".mkv",)),
    "video/webm": ("video", (".webm",)),
    "video/x-msvideo": ("video", (".avi",)),
    "text/vtt": ("caption", (".vtt",)),
}
# MP4 audio-only files share the video container's signature; ffprobe decides later.
_SHARED_CONTAINERS = {(".m4a", "video/mp4"): "audio/mp4"}


class Unidentified(Refused):
    """The content is not an accepted media type, or the extension disagrees with the content."""


@dataclass(frozen=True)
class Identity:
    mime: str
    kind: str  # image | audio | video | caption


def _is_webvtt(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(16)
    return head.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT") and (
        len(head.removeprefix(b"\xef\xbb\xbf")) == 6 or head.removeprefix(b"\xef\xbb\xbf")[6:7] in (b" ", b"\t", b"\n", b"\r"))


def identify(path: Path) -> Identity:
    if path.stat().st_size == 0:
        raise Unidentified(Reason("empty_file"))
    suffix = path.suffix.lower()
    guess = filetype.guess(str(path))
    if guess is not None:
        mime = _SHARED_CONTAINERS.get((suffix, guess.mime), guess.mime)
    elif _is_webvtt(path):
        mime = "text/vtt"
    else:
        raise Unidentified(Reason("unrecognised"))
    if mime not in ACCEPTED:
        raise Unidentified(Reason("type_not_accepted", mime=mime))
    kind, extensions = ACCEPTED[mime]
    if suffix not in extensions:
        raise Unidentified(Reason("extension_mismatch", extension=suffix or "(none)", mime=mime,
                                  expected=" or ".join(extensions)))
    return Identity(mime, kind)

"""Text normalisation on the way in: NFC everywhere, language maps checked and cleaned."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

# BCP 47 language tag, the subset the archive uses: language, optional script, optional region.
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # what XML 1.0 cannot hold


def clean(text: str) -> str:
    """NFC-normalise, drop control characters (keeping tab and newlines) and trim."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()


def has_control(text: str) -> bool:
    """Whether the text holds a control character (line breaks, tabs, NUL…); format characters such as the
    zero-width joiners of Khmer and Cham text are not controls."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def without_controls(text: str) -> str:
    """The text with each control character replaced by "_" (for a file name in a header, say)."""
    return "".join("_" if unicodedata.category(ch) == "Cc" else ch for ch in text)


def xml_safe(text: str) -> str:
    """The text with each character XML 1.0 cannot hold (most controls, lone surrogates) replaced by U+FFFD: what a
    request sent, echoed in an XML answer."""
    return _NOT_XML.sub("\ufffd", text)


def clean_language_map(value: dict) -> dict[str, str]:
    """Clean every value of a language map and drop empty ones; tags are assumed checked."""
    return {tag: clean(text) for tag, text in value.items() if isinstance(text, str) and clean(text)}


def utc_stamp(moment: datetime) -> str:
    """A moment in UTC written YYYY-MM-DDThh:mm:ssZ (OAI-PMH datestamps, the open data package, backups)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

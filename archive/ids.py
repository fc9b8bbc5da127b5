"""Opaque, URL-safe item identifiers."""
from __future__ import annotations

import re
import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case: no i, l, o, u
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")


def new_id() -> str:
    """A random 60-bit identifier, 12 characters, with no meaning to leak or to be guessed from."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value))

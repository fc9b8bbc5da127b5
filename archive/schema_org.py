"""schema.org terms the archive describes its records with, as plain data (the site's pages in archive.web.seo and
the open data package's JSON-LD in archive.open_data use the same).

Creators are typed from their role alone, as the record keeps nothing else (a name and a MARC relator role; the
archive cannot tell a person's name from an organisation's across Vietnamese, Khmer, Cham and Chinese naming). The roles
that name someone behind or in front of a camera or microphone are a Person's; every other role (creator, contributor,
depositor, transcriber, translator) is in this archive mostly filled by the project, temples, associations and
families, so those creators are typed Organization. Telling them apart better needs a kind on the creator in the
record.
"""
from __future__ import annotations

from babel.core import get_global

CONTEXT = "https://schema.org"
RECORD_TYPES = {"image": "ImageObject", "audio": "AudioObject", "video": "VideoObject", "document": "DigitalDocument",
                "set": "CreativeWork"}
MEDIA_TYPES = {"image": "ImageObject", "audio": "AudioObject", "video": "VideoObject"}
PERSON_ROLES = frozenset({"photographer", "videographer", "recordist", "performer", "narrator", "interviewer",
                          "interviewee"})


def language_tag(code: str) -> str:
    """A language of the vocabulary (ISO 639-3) as a BCP 47 tag: its two-letter code where ISO 639-1 has one
    (CLDR's aliases, through Babel: ``vie`` → ``vi``, ``cmn`` → ``zh``), else the ISO 639-3 code (``cja``, ``yue``)."""
    return get_global("language_aliases").get(code, code)


def agent(creator: dict) -> dict:
    return {"@type": "Person" if creator.get("role") in PERSON_ROLES else "Organization", "name": creator["name"]}

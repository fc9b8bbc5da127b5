"""OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html): the six verbs over the harvest records
(archive.harvest), answered as XML valid against the schemas in ../shared/oai.

``respond`` takes the request's arguments as plain values and returns the response document; protocol errors are
part of the document (HTTP 200), as the protocol asks. Resumption tokens carry the position of the last record sent
(datestamp, item id), never an offset, so a harvest stays correct while the catalog changes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Iterable

from lxml import etree

from iiif.urls import Urls

from . import dublin_core, harvest
from .errors import BadParameter
from .lists import decode_cursor, encode_cursor
from .params import utc_datestamp
from .text import utc_stamp, xml_safe

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = dublin_core.XSI
IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OLAC_ARCHIVE = "http://www.language-archives.org/OLAC/1.1/olac-archive"
LIST_ARGUMENTS = {"metadataPrefix", "from", "until", "set"}
VERBS = {  # verb → (required arguments, optional arguments); a resumptionToken stands alone
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, LIST_ARGUMENTS - {"metadataPrefix"}),
    "ListRecords": ({"metadataPrefix"}, LIST_ARGUMENTS - {"metadataPrefix"}),
}
PAGED = {"ListIdentifiers", "ListRecords", "ListSets"}


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        self.code, self.message = code, message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class Repository:
    """What the answers are built from: the archive, and the repository's names for itself."""

    archive: object
    base_url: str  # the archive's public base URL; the endpoint is BASE/oai
    name: str  # the repository's name (Identify)
    publisher: dict  # the archive's name in each site language (dc:publisher)

    @property
    def endpoint(self) -> str:
        return self.base_url + "/oai"

    def identifier(self, item_id: str) -> str:
        return f"oai:{self.archive.settings.oai_repository_id}:{item_id}"

    def item_id(self, identifier: str) -> str:
        prefix = f"oai:{self.archive.settings.oai_repository_id}:"
        if not identifier.startswith(prefix) or len(identifier) == len(prefix):
            raise OaiError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository "
                                             f"(they look like {prefix}ITEM-ID)")
        return identifier[len(prefix):]


@dataclass(frozen=True)
class Token:
    """Where a list resumes: its selection, the last record sent and how many were sent before."""

    prefix: str
    since: str | None
    until: str | None
    spec: str | None
    after: tuple[str, str]
    cursor: int

    def encode(self) -> str:
        return encode_cursor(self.prefix, self.since or "", self.until or "", self.spec or "", *self.after,
                             str(self.cursor))

    @classmethod
    def decode(cls, raw: str) -> "Token":
        """The token, or badResumptionToken for anything this repository did not give out (the same opaque keyset
        cursor as the JSON API's lists, archive.lists)."""
        try:
            prefix, since, until, spec, stamp, item_id, cursor = decode_cursor(raw, 7) or ()
            if prefix not in dublin_core.SCHEMAS or not cursor.isascii() or not cursor.isdigit():
                raise ValueError
            if stamp:
                datetime.fromisoformat(stamp)
            return cls(prefix, since or None, until or None, spec or None, (stamp, item_id), int(cursor))
        except (BadParameter, ValueError):
            raise OaiError("badResumptionToken", f"{raw[:60]!r} is not a resumption token of this repository") \
                from None


def _element(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    """An element of the envelope; what came from the request (arguments, names in messages) made XML-safe."""
    element = etree.SubElement(parent, f"{{{OAI}}}{tag}", {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def _arguments(pairs: Iterable[tuple[str, list[str]]]) -> tuple[dict[str, str], list[OaiError]]:
    """The request's arguments, and the protocol's complaints about them (every one, not just the first)."""
    args, problems = {}, []
    for key, values in pairs:
        if len(values) > 1:
            problems.append(OaiError("badArgument" if key != "verb" else "badVerb", f"{key} is repeated"))
        args[key] = values[0]
    verb = args.pop("verb", None)
    if problems:
        return {"verb": verb or ""} | args, problems
    if verb not in VERBS:
        return args, [OaiError("badVerb", "verb is missing" if verb is None else f"{verb!r} is not an OAI-PMH verb")]
    required, optional = VERBS[verb]
    if "resumptionToken" in args and verb in PAGED:
        others = sorted(set(args) - {"resumptionToken"})
        problems += [OaiError("badArgument", f"{key} cannot be given with resumptionToken") for key in others]
    else:
        problems += [OaiError("badArgument", f"{key} is required by {verb}") for key in sorted(required - set(args))]
        problems += [OaiError("badArgument", f"{key} is not an argument of {verb}")
                     for key in sorted(set(args) - required - optional)]
    return {"verb": verb} | args, problems


def _selection(since: str | None, until: str | None, spec: str | None) -> harvest.Selection:
    bounds = {}
    for name, raw in (("from", since), ("until", until)):
        if raw is not None:
            try:
                bounds[name] = utc_datestamp(name, raw)
            except BadParameter as exc:
                raise OaiError("badArgument", f"{name}: {exc.reason}") from None
    if len(bounds) == 2:
        if bounds["from"][1] != bounds["until"][1]:
            raise OaiError("badArgument", "from and until must have the same granularity")
        if bounds["from"][0] > bounds["until"][0]:
            raise OaiError("badArgument", "from is later than until")
    start = bounds["from"][0] if "from" in bounds else None
    end = None
    if "until" in bounds:
        moment, whole_day = bounds["until"]
        end = moment + timedelta(days=1, seconds=-1) if whole_day else moment
    return harvest.Selection(start, end, spec)


def _header(parent, repo: Repository, entry: harvest.Entry) -> None:
    header = _element(parent, "header", **({"status": "deleted"} if entry.deleted else {}))
    _element(header, "identifier", repo.identifier(entry.item_id))
    _element(header, "datestamp", utc_stamp(entry.datestamp))
    for spec in entry.sets:
        _element(header, "setSpec", spec)


def _metadata(parent, repo: Repository, entry: harvest.Entry, prefix: str) -> None:
    item = entry.item
    links = dublin_core.item_links(item, Urls(repo.base_url))
    metadata = _element(parent, "metadata")
    metadata.append(dublin_core.FORMATS[prefix](item.type, item.record, repo.archive.vocab, links, repo.publisher))


def _record(parent, repo: Repository, entry: harvest.Entry, prefix: str) -> None:
    record = _element(parent, "record")
    _header(record, repo, entry)
    if not entry.deleted:
        _metadata(record, repo, entry, prefix)


def _format(prefix: str) -> str:
    if prefix not in dublin_core.SCHEMAS:
        raise OaiError("cannotDisseminateFormat", f"{prefix!r} is not a metadata format of this repository "
                                                  f"(try {' or '.join(dublin_core.SCHEMAS)})")
    return prefix


def _identify(parent, repo: Repository, session) -> None:
    identify = _element(parent, "Identify")
    _element(identify, "repositoryName", repo.name)
    _element(identify, "baseURL", repo.endpoint)
    _element(identify, "protocolVersion", "2.0")
    _element(identify, "adminEmail", repo.archive.settings.admin_email)
    _element(identify, "earliestDatestamp", utc_stamp(harvest.earliest(session)))
    _element(identify, "deletedRecord", "persistent")
    _element(identify, "granularity", "YYYY-MM-DDThh:mm:ssZ")
    description = _element(identify, "description")
    ident = etree.SubElement(description, f"{{{IDENTIFIER}}}oai-identifier", nsmap={None: IDENTIFIER, "xsi": XSI})
    ident.set(f"{{{XSI}}}schemaLocation", f"{IDENTIFIER} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd")
    for tag, text in (("scheme", "oai"), ("repositoryIdentifier", repo.archive.settings.oai_repository_id),
                      ("delimiter", ":"), ("sampleIdentifier", repo.identifier("item-id"))):
        etree.SubElement(ident, f"{{{IDENTIFIER}}}{tag}").text = text
    olac = etree.SubElement(_element(identify, "description"), f"{{{OLAC_ARCHIVE}}}olac-archive",
                            nsmap={None: OLAC_ARCHIVE, "xsi": XSI}, type="institutional",
                            currentAsOf=datetime.now(timezone.utc).date().isoformat())
    olac.set(f"{{{XSI}}}schemaLocation",
             f"{OLAC_ARCHIVE} http://www.language-archives.org/OLAC/1.1/olac-archive.xsd")
    for tag, text in (("archiveURL", repo.base_url + "/"),
                      ("participant", None), ("institution", repo.publisher.get("en", repo.name)),
                      ("institutionURL", repo.base_url + "/"), ("shortLocation", "Ho Chi Minh City, Viet Nam"),
                      ("location", "Ho Chi Minh City, Viet Nam"),
                      ("synopsis", "Photographs, recordings, films and documents of the festivals, languages, "
                                   "scripts and historic sites of the Cham, Hoa and Khmer communities of Ho Chi Minh "
                                   "City, described in Vietnamese and English."),
                      ("access", "Public items are open to all; some items are for researchers or staff only."),
                      ("archivalSubmissionPolicy", "Items are deposited by the archive's cultural staff.")):
        child = etree.SubElement(olac, f"{{{OLAC_ARCHIVE}}}{tag}")
        if tag == "participant":
            for key, value in (("name", repo.name), ("role", "Archivist"),
                               ("email", repo.archive.settings.admin_email)):
                child.set(key, value)
        else:
            child.text = text


def _list_formats(parent, repo: Repository, session, identifier: str | None) -> None:
    if identifier is not None and harvest.get(session, repo.item_id(identifier)) is None:
        raise OaiError("idDoesNotExist", f"{identifier!r} is not in this repository")
    formats = _element(parent, "ListMetadataFormats")
    for prefix, (namespace, schema) in dublin_core.SCHEMAS.items():
        entry = _element(formats, "metadataFormat")
        _element(entry, "metadataPrefix", prefix)
        _element(entry, "schema", schema)
        _element(entry, "metadataNamespace", namespace)


def _list_sets(parent, repo: Repository, session) -> None:
    found = harvest.sets(session, repo.archive.vocab)
    if not found:
        raise OaiError("noRecordsMatch", "the repository has no sets yet: it holds no public items")
    listing = _element(parent, "ListSets")
    for one in found:
        entry = _element(listing, "set")
        _element(entry, "setSpec", one.spec)
        _element(entry, "setName", " / ".join(dict.fromkeys(one.names[lang] for lang in ("en", "vi")
                                                              if one.names.get(lang))) or one.spec)


def _get_record(parent, repo: Repository, session, identifier: str, prefix: str) -> None:
    _format(prefix)
    entry = harvest.get(session, repo.item_id(identifier))
    if entry is None:
        raise OaiError("idDoesNotExist", f"{identifier!r} is not in this repository")
    _record(_element(parent, "GetRecord"), repo, entry, prefix)


def _list(parent, repo: Repository, session, verb: str, args: dict[str, str]) -> None:
    if "resumptionToken" in args:
        token = Token.decode(args["resumptionToken"])
    else:
        token = Token(_format(args["metadataPrefix"]), args.get("from"), args.get("until"), args.get("set"),
                      ("", ""), 0)
    selection = _selection(token.since, token.until, token.spec)
    after = (datetime.fromisoformat(token.after[0]), token.after[1]) if token.after[0] else None
    size = repo.archive.settings.oai_page_size
    entries = harvest.page(session, selection, after, size + 1)
    if not entries:
        raise OaiError("noRecordsMatch", "no record matches these arguments")
    listing = _element(parent, verb)
    for entry in entries[:size]:
        if verb == "ListRecords":
            _record(listing, repo, entry, token.prefix)
        else:
            _header(listing, repo, entry)
    if token.cursor == 0 and len(entries) <= size:
        return  # the whole list in one answer: no token
    sent = token.cursor + min(len(entries), size)
    total = str(max(harvest.count(session, selection), sent))
    if len(entries) > size:
        last = entries[size - 1]
        following = replace(token, after=(last.datestamp.isoformat(), last.item_id), cursor=sent)
        _element(listing, "resumptionToken", following.encode(), completeListSize=total, cursor=str(token.cursor))
    else:
        _element(listing, "resumptionToken", "", completeListSize=total, cursor=str(token.cursor))


def respond(repo: Repository, pairs: Iterable[tuple[str, list[str]]]) -> bytes:
    """The response to a request with these (argument, values) pairs."""
    args, problems = _arguments(pairs)
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    _element(root, "responseDate", utc_stamp(datetime.now(timezone.utc)))
    # Arguments are echoed only in a request the repository could read (protocol §3.2).
    request = _element(root, "request", repo.endpoint, **({} if problems else args))
    if not problems:
        verb = args["verb"]
        try:
            with repo.archive.catalog.session() as session:
                if verb == "Identify":
                    _identify(root, repo, session)
                elif verb == "ListMetadataFormats":
                    _list_formats(root, repo, session, args.get("identifier"))
                elif verb == "ListSets":
                    if "resumptionToken" in args:
                        raise OaiError("badResumptionToken", "the list of sets is never split")
                    _list_sets(root, repo, session)
                elif verb == "GetRecord":
                    _get_record(root, repo, session, args["identifier"], args["metadataPrefix"])
                else:
                    _list(root, repo, session, verb, args)
        except OaiError as exc:
            problems = [exc]
            for child in list(root)[2:]:
                root.remove(child)
            if exc.code in ("badArgument", "badVerb"):
                request.attrib.clear()
    for problem in problems:
        _element(root, "error", problem.message, code=problem.code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

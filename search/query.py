"""The query language, parsed once for both backends.

    lễ hội katê              every word (implicit AND)
    katê OR ramưwan          either; NOT / -word excludes; ( ) groups; NOT binds tighter than AND, AND than OR
    "tết nguyên tiêu"        phrase
    nguy*                    prefix (at least two letters before the star)
    title:ma  place:"Tuệ Thành"  festival:kate  community:khmer  type:audio  language:khm  collection:<id>
    subject:…  creator:…  id:…
    date:1975  date:196X  date:1970..1979  date:2001/2005   (EDTF; an item matches when its dates overlap)

The parser is forgiving: an unbalanced quote runs to the end, a stray parenthesis is ignored, an operator with
nothing to act on (a lone NOT, a trailing OR) is searched as a word, an unknown ``field:`` is plain text.
Only what cannot be searched sensibly is refused with BadQuery: an overlong query, too many terms, a bad date.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

from archive.records import edtf_bounds

from .errors import BadQuery

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
TEXT_FIELDS = ("title", "subject", "creator")
TERM_FIELDS = ("community", "festival", "place", "type", "language", "collection", "id")
FIELDS = (*TEXT_FIELDS, *TERM_FIELDS, "date")

_LEXER = regex.compile(r'(?P<phrase>"[^"]*"?)|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+)')
_FIELD = regex.compile(r"^(?P<field>[a-z]+):(?P<rest>.*)$", regex.IGNORECASE)
_INVISIBLE = regex.compile(r"[\p{Cc}\p{Cf}]")
_DATE_RANGE = regex.compile(r"^(?P<start>[^.]+)\.\.(?P<end>[^.]+)$")


@dataclass(frozen=True)
class Text:
    """Words, a phrase or a prefix, anywhere (``field`` None) or in one field."""

    text: str
    field: str | None = None
    phrase: bool = False
    prefix: bool = False

    def __str__(self) -> str:
        body = f'"{self.text}"' if self.phrase else self.text + ("*" if self.prefix else "")
        return f"{self.field}:{body}" if self.field else body


@dataclass(frozen=True)
class DateRange:
    """ISO days; matches items whose EDTF dates overlap [start, end]."""

    start: str
    end: str
    source: str

    def __str__(self) -> str:
        return f"date:{self.source}"


@dataclass(frozen=True)
class And:
    children: tuple

    def __str__(self) -> str:
        return " ".join(_wrap(c, Or) for c in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple

    def __str__(self) -> str:
        return " OR ".join(_wrap(c, And) for c in self.children)


@dataclass(frozen=True)
class Not:
    child: object

    def __str__(self) -> str:
        return f"NOT {_wrap(self.child, And, Or)}"


Node = Text | DateRange | And | Or | Not


def _wrap(node, *kinds) -> str:
    return f"({node})" if isinstance(node, kinds) else str(node)


@dataclass
class _Token:
    kind: str  # word, phrase, open, close, and, or, not
    text: str = ""
    field: str | None = None
    negated: bool = False


def clean_query(text: str) -> str:
    """NFC without control and format characters (whitespace controls become spaces)."""
    text = unicodedata.normalize("NFC", text)
    return _INVISIBLE.sub(lambda m: " " if m.group().isspace() or m.group() == "\u200b" else "", text).strip()


def parse(text: str) -> Node | None:
    """The query's tree, or None when it asks for nothing (an empty query lists everything)."""
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery("q", f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    tokens = _downgrade_operators(_lex(clean_query(text)))
    if sum(t.kind in ("word", "phrase") for t in tokens) > MAX_TERMS:
        raise BadQuery("q", f"the query has more than {MAX_TERMS} terms")
    return _Parser(tokens).or_expr(top=True)


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    field: str | None = None
    negated = False
    for match in _LEXER.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "word":
            if value in ("AND", "OR", "NOT", "&&", "||"):
                tokens.append(_Token({"&&": "and", "||": "or"}.get(value, value.lower()), value))
                continue
            if value[0] in "-+" and field is None:
                negated, value = value[0] == "-", value[1:]
                if not value:
                    continue
            if (m := _FIELD.match(value)) and m["field"].lower() in FIELDS:
                field, value = m["field"].lower(), m["rest"]
                if not value:  # field:"phrase" or field:(group)
                    continue
        elif kind == "phrase":
            value = value.strip('"')
        if kind in ("word", "phrase"):
            tokens.append(_Token(kind, value, field, negated))
        elif kind == "open":
            tokens.append(_Token("open", field=field, negated=negated))
        else:
            tokens.append(_Token("close"))
        field, negated = None, False
    if field is not None:  # "title:" with nothing after it: search the word
        tokens.append(_Token("word", field, None, negated))
    return tokens


_STARTS = ("word", "phrase", "open", "not")


def _downgrade_operators(tokens: list[_Token]) -> list[_Token]:
    """Drop operators that have nothing to act on; a query of nothing but operators searches them as words."""
    out: list[_Token] = []
    dangling: list[_Token] = []
    for i, token in enumerate(tokens):
        after = tokens[i + 1].kind if i + 1 < len(tokens) else None
        before = out[-1].kind if out else None
        if (token.kind == "not" and after not in _STARTS) or (token.kind in ("and", "or") and (
                before not in ("word", "phrase", "close") or after not in _STARTS)):
            dangling.append(_Token("word", token.text))
            continue
        out.append(token)
    if not any(t.kind in ("word", "phrase") for t in out):
        return dangling
    return out


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def or_expr(self, top: bool = False) -> Node | None:
        parts = [self.and_expr(top)]
        while (t := self.peek()) and t.kind == "or":
            self.i += 1
            parts.append(self.and_expr(top))
        return _combine(Or, parts)

    def and_expr(self, top: bool) -> Node | None:
        parts = []
        while (t := self.peek()) and t.kind != "or":
            if t.kind == "close":
                self.i += 1
                if top:
                    continue  # stray ")"
                break
            if t.kind == "and":
                self.i += 1
                continue
            parts.append(self.unary())
        return _combine(And, parts)

    def unary(self) -> Node | None:
        t = self.tokens[self.i]
        if t.kind == "not":
            self.i += 1
            child = self.unary()
            return Not(child) if child is not None else None
        self.i += 1
        if t.kind == "open":
            node = self.or_expr()  # an unclosed "(" closes at the end
            if t.field:
                node = _with_field(node, t.field)
        else:
            node = _leaf(t)
        return Not(node) if t.negated and node is not None else node


def _combine(kind, parts: list) -> Node | None:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else kind(tuple(parts))


def _with_field(node: Node | None, field: str) -> Node | None:
    """``title:(a OR b)``: the field applies to every unfielded term inside."""
    if node is None:
        return None
    if isinstance(node, Text):
        return node if node.field else _leaf(_Token("phrase" if node.phrase else "word",
                                                    node.text + ("*" if node.prefix else ""), field))
    if isinstance(node, Not):
        return Not(_with_field(node.child, field))
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_with_field(c, field) for c in node.children))
    return node


def _leaf(token: _Token) -> Node | None:
    if token.field == "date":
        return _date(token.text)
    if token.kind == "phrase":
        return Text(token.text, token.field, phrase=True) if token.text.strip() else None
    text = token.text
    prefix = text.endswith("*")
    text = text.rstrip("*")
    return Text(text, token.field, prefix=prefix) if text else None


def _date(value: str) -> DateRange:
    value = value.strip()
    match = _DATE_RANGE.match(value)
    try:
        if match:
            start, end = edtf_bounds(match["start"])[0], edtf_bounds(match["end"])[1]
        else:
            start, end = edtf_bounds(value)
    except ValueError as exc:
        raise BadQuery("q", f"date:{value}: {exc}") from None
    if start > end:
        raise BadQuery("q", f"date:{value}: the range ends before it starts")
    return DateRange(start, end, value)


def date_bound(parameter: str, value: str, end: bool) -> str:
    """The first (or, for ``end``, last) ISO day of an EDTF value given as a request parameter."""
    try:
        bounds = edtf_bounds(clean_query(value))
    except ValueError as exc:
        raise BadQuery(parameter, str(exc)) from None
    return bounds[1] if end else bounds[0]


def words(node: Node | None) -> list[Text]:
    """The positive text terms of a query (those not under NOT), in order."""
    if node is None or isinstance(node, (DateRange, Not)):
        return []
    if isinstance(node, Text):
        return [node]
    return [w for child in node.children for w in words(child)]


def replace_text(node: Node | None, old: Text, new: Text) -> Node | None:
    """The query with one text term replaced (for "did you mean")."""
    if node is None or isinstance(node, DateRange):
        return node
    if isinstance(node, Text):
        return new if node is old else node
    if isinstance(node, Not):
        return Not(replace_text(node.child, old, new))
    return type(node)(tuple(replace_text(c, old, new) for c in node.children))

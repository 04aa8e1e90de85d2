"""The search query language, parsed once and compiled by each backend.

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*        juxtaposition means AND
    unary   := ("NOT" | "-") unary | atom
    atom    := WORD | "a quoted phrase" | "(" or ")"

Field filters (``source:``, ``lang:``, ``tlp:``, ``member:``, ``entity:``, ``place:``,
``from:``, ``to:``) are taken out first by ``split_filters`` and apply to the whole query.

``oil prices`` finds documents with both words; ``"oil prices"`` the phrase;
``oil OR gas``, ``oil -gas``, ``oil NOT (gas OR coal)``. Operators are upper case so
that the words "or" and "not" can still be searched for in lower case. NOT narrows
what is found, so it cannot stand alone or as one side of an OR (``gas OR -coal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from jic.errors import QueryError


@dataclass(frozen=True, slots=True)
class Term:
    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Node


Node = Term | Phrase | And | Or | Not

_TOKEN = re.compile(r'\s*(?:(")(.*?)(?:"|$)|(\()|(\))|(-)(?=\S)|([^\s()"]+))', re.S)
_MAX_QUERY = 1000


def _tokens(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        quote, phrase, lpar, rpar, minus, word = match.groups()
        if quote:
            if phrase.strip():
                tokens.append(("phrase", phrase.strip()))
        elif lpar:
            tokens.append(("(", lpar))
        elif rpar:
            tokens.append((")", rpar))
        elif minus:
            tokens.append(("not", minus))
        elif word in ("AND", "OR", "NOT"):
            tokens.append((word.lower(), word))
        elif word:
            tokens.append(("word", word))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek() == "or":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_unary()]
        while self.peek() not in (None, "or", ")"):
            if self.peek() == "and":
                self.take()
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self) -> Node:
        if self.peek() == "not":
            self.take()
            return Not(self.parse_unary())
        return self.parse_atom()

    def parse_atom(self) -> Node:
        kind = self.peek()
        if kind is None:
            raise QueryError("the query ends where a word was expected", "finish the query")
        token_kind, value = self.take()
        if token_kind == "word":
            return Term(value)
        if token_kind == "phrase":
            return Phrase(value)
        if token_kind == "(":
            node = self.parse_or()
            if self.peek() != ")":
                raise QueryError("a bracket is not closed", "add the missing ')'")
            self.take()
            return node
        raise QueryError(f"unexpected {value!r} in the query", "put a word or phrase there")


def parse(query: str) -> Node:
    """Parse a user's query; raise QueryError with a hint when it cannot be used."""
    if len(query) > _MAX_QUERY:
        raise QueryError(
            f"the query is {len(query)} characters long", f"keep it under {_MAX_QUERY}"
        )
    tokens = _tokens(query)
    if not tokens:
        raise QueryError("the query is empty", "give at least one word to look for")
    parser = _Parser(tokens)
    node = parser.parse_or()
    if parser.peek() is not None:
        raise QueryError(f"unexpected {parser.take()[1]!r} in the query", "remove it")
    if not has_positive(node):
        raise QueryError(
            "the query only excludes words", "add at least one word the documents must contain"
        )
    _check_each_part_finds_something(node)
    return node


def _check_each_part_finds_something(node: Node) -> None:
    """Refuse a part that only excludes, such as ``gas OR -coal`` or ``oil (-gas -coal)``.

    "Anything without coal" is not something SQLite's index can list, so rather than
    one backend answering and the other failing, neither accepts it.
    ``(oil -coal) OR gas`` and ``oil NOT (gas OR coal)`` are fine.
    """
    if isinstance(node, Not):
        node = node.part
    if isinstance(node, Or) and any(isinstance(part, Not) for part in node.parts):
        raise QueryError(
            "NOT cannot be one side of an OR",
            "move the exclusion out of the brackets: `oil (gas OR coal) -shale`",
        )
    if not has_positive(node):
        raise QueryError(
            "part of the query only excludes words",
            "give each bracket and each NOT a word to look for: `oil NOT (gas OR coal)`",
        )
    if not isinstance(node, Term | Phrase | Not):  # has_positive() is False for a Not
        for part in node.parts:
            _check_each_part_finds_something(part)


def has_positive(node: Node) -> bool:
    """Whether the query asks for something, not only against something."""
    if isinstance(node, Term | Phrase):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(has_positive(part) for part in node.parts)
    return all(has_positive(part) for part in node.parts)


def terms(node: Node) -> list[str]:
    """The positive words and phrases, for highlighting."""
    if isinstance(node, Term | Phrase):
        return [node.text]
    if isinstance(node, Not):
        return []
    found: list[str] = []
    for part in node.parts:
        found.extend(terms(part))
    return found


def to_fts5(node: Node) -> str:
    """Compile to an SQLite FTS5 MATCH expression; every word is quoted, so user
    text can never be read as FTS5 syntax."""
    if isinstance(node, Term | Phrase):
        return '"' + node.text.replace('"', '""') + '"'
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(part) for part in node.parts) + ")"
    if isinstance(node, Not):
        # FTS5 has only binary NOT; a lone NOT is rewritten by the And branch.
        raise QueryError("NOT needs something to exclude from", "write `oil NOT gas`")
    positive = [part for part in node.parts if not isinstance(part, Not)]
    negative = [part.part for part in node.parts if isinstance(part, Not)]
    if not positive:
        raise QueryError("the query only excludes words", "add a word to look for")
    expression = "(" + " AND ".join(to_fts5(part) for part in positive) + ")"
    for part in negative:
        expression = f"({expression} NOT {to_fts5(part)})"
    return expression


# --- field filters -------------------------------------------------------------------

FIELDS = ("source", "lang", "tlp", "member", "entity", "place", "from", "to")
_FILTER = re.compile(
    r'(?<!\S)(source|lang|tlp|member|entity|place|from|to):(?:"([^"]*)"|(\S+))', re.I
)


@dataclass(frozen=True, slots=True)
class Filters:
    """Field filters, applied to the whole query: ``source:"UN News" lang:en tlp:GREEN
    member:"Org A" entity:Peskov place:Baghdad from:2026-11-01 to:2026-11-30`` (``to``
    is inclusive of that day).

    A document has one source, language, TLP and member, so repeating one of those
    fields means any of its values. A document names many entities and places, so
    repeating ``entity:`` or ``place:`` means all of them: ``entity:Putin
    entity:Erdogan`` finds the documents that name both."""

    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    tlps: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()  # names or aliases, each one required
    places: tuple[str, ...] = ()  # place names or keys (gn:98182), each one required
    since: datetime | None = None
    until: datetime | None = None  # exclusive

    @property
    def empty(self) -> bool:
        return self == Filters()


def split_filters(query: str) -> tuple[str, Filters]:
    """The query's words without its field filters, and the filters."""
    values: dict[str, list[str]] = {name: [] for name in FIELDS}
    for match in _FILTER.finditer(query):
        name = match.group(1).lower()
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if not value.strip():
            raise QueryError(
                f"the filter {name}: has no value", f'write {name}:VALUE or {name}:"two words"'
            )
        values[name].append(value.strip())
    rest = " ".join(_FILTER.sub(" ", query).split())
    return rest, Filters(
        sources=tuple(values["source"]),
        languages=tuple(v.lower() for v in values["lang"]),
        tlps=tuple(_tlp(v) for v in values["tlp"]),
        members=tuple(values["member"]),
        entities=tuple(values["entity"]),
        places=tuple(values["place"]),
        since=_day(values["from"], "from", end=False),
        until=_day(values["to"], "to", end=True),
    )


def _tlp(value: str) -> str:
    from jic.domain import TLP

    try:
        return TLP.parse(value).value
    except ValueError as error:
        raise QueryError(
            str(error), "tlp: takes CLEAR, GREEN, AMBER, AMBER+STRICT or RED"
        ) from None


def _day(values: list[str], name: str, *, end: bool) -> datetime | None:
    if not values:
        return None
    if len(values) > 1:
        raise QueryError(f"{name}: is given twice", f"give one {name}: date")
    try:
        day = date.fromisoformat(values[0][:10])
    except ValueError:
        raise QueryError(
            f"cannot read {values[0]!r} as a date", f"write {name}:2026-11-29"
        ) from None
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start + timedelta(days=1) if end else start

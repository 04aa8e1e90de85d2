"""The records of event coding: spans, hints, actors, events, options.

Split from events.py (the coder) so that the modules reading roles and places from
the parse (event_roles.py) can share them without importing the coder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jic.process.plover import PloverType, Sense, wordset

if TYPE_CHECKING:
    from spacy.tokens import Token


@dataclass(frozen=True, slots=True)
class TextSpan:
    """A stretch of the document's text, by character offsets into the whole document."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """What an earlier stage knows about a span: a linked entity or a geocoded place."""

    start: int
    end: int
    country: str | None = None  # ISO-3166 alpha-3 when the entity is a state or its organ
    entity_id: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """A source or target of an event, as written, with its state when it is one."""

    span: TextSpan
    country: str | None = None
    entity_id: str | None = None
    armed: bool = False  # named as an armed force ("Russian forces", "police")
    state: bool = False  # the state itself or one of its organs ("Iraq", "the Iraqi government")


@dataclass(slots=True)
class Event:
    """One PLOVER event and the text it was coded from."""

    type: PloverType
    trigger: TextSpan
    sentence: TextSpan
    sources: list[Actor] = field(default_factory=list)
    targets: list[Actor] = field(default_factory=list)
    place: TextSpan | None = None
    place_id: str | None = None
    date: TextSpan | None = None
    mode: str = ""
    context: str = ""
    negated: bool = False
    intended: PloverType | None = None  # AGREE/THREATEN coded from an intended action


@dataclass(frozen=True, slots=True)
class EventOptions:
    """Limits and switches of the event coder."""

    max_tokens: int = 120  # longer sentences are skipped, not parsed: parse cost grows fast
    keep_negated: bool = False  # keep "did not attack" as an event flagged negated
    keep_hypothetical: bool = False  # keep acts named only as a condition ("unless X attacks")
    max_events_per_sentence: int = 8


@dataclass(slots=True)
class DocEvents:
    """The events of one document and the sentences the coder had to skip."""

    events: list[Event]
    skipped: list[TextSpan]


SUBJECTS = frozenset({"nsubj", "csubj"})
PASSIVE_SUBJECTS = frozenset({"nsubjpass", "csubjpass"})
OBJECTS = frozenset({"dobj", "dative", "attr", "oprd"})
TARGET_PREPS = wordset("against on upon at with to toward towards into from over for of between")
PLACE_PREPS = wordset("in at near outside inside across throughout around into")
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
ACTOR_LABELS = frozenset({"GPE", "NORP", "ORG", "PERSON"})
COMPLEMENTS = frozenset({"xcomp", "ccomp", "pcomp", "advcl", "acl", "relcl", "conj"})
FRAME_COMPLEMENTS = frozenset({"xcomp", "ccomp", "pcomp", "pobj", "prep", "dobj", "advcl"})
PRONOUNS = wordset("it they its their he she his her we our them him itself themselves")


@dataclass(slots=True)
class Candidate:
    """A trigger found in the sentence, before its roles are read from the parse."""

    sense: Sense
    head: Token  # the token the event hangs on: the verb, or the event noun
    trigger: list[Token]  # the words that name the event
    noun: Token | None = None  # the event noun, when the verb takes its meaning from it
    intended: PloverType | None = None
    negated: bool = False
    hypothetical: bool = False
    absorbed: set[int] = field(default_factory=set)  # token ids of triggers folded into this

"""Who acts on whom, where and when: reading an event's roles from the parse.

Given a trigger (a ``Candidate``) in a parsed sentence, find its source actors (the
subject, or the "by" agent of a passive), its targets (objects, datives, "against",
"on", "with" phrases), conjoined actors, the place and the date.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from jic.process import plover as lex
from jic.process.event_records import (
    OBJECTS,
    PASSIVE_SUBJECTS,
    PLACE_LABELS,
    PLACE_PREPS,
    PRONOUNS,
    SUBJECTS,
    TARGET_PREPS,
    Candidate,
    Mention,
    TextSpan,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


# --- roles: who acts on whom --------------------------------------------------------------


def role_heads(cand: Candidate) -> tuple[list[Token], list[list[Token]]]:
    """Head words of the source actors, and groups of candidate target heads, best first."""
    head = cand.head
    if head.pos_ in ("NOUN", "PROPN") and cand.noun is None:
        sources, targets = _noun_roles(head)
        groups = [targets]
    elif cand.noun is not None and cand.noun.dep_ in SUBJECTS:
        # "A roadside bombing killed two soldiers": the bombers are the bombing's modifiers.
        sources, _ = _noun_roles(cand.noun)
        groups = _object_heads(head, cand)
    elif _is_passive(head) and head.lemma_.lower() not in lex.INTENT_ADJECTIVES:
        sources = [obj for c in head.children if c.dep_ == "agent" for obj in c.children]
        groups = [
            [c for c in head.children if c.dep_ in PASSIVE_SUBJECTS and not _is(c, cand.noun)]
        ]
        groups += _object_heads(head, cand)[1:]
    else:
        sources = _subject_heads(head)
        groups = _object_heads(head, cand)
    return _with_conjuncts(sources), [_with_conjuncts(g) for g in groups]


def _is(token: Token, other: Token | None) -> bool:
    return other is not None and token.i == other.i


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in PASSIVE_SUBJECTS or c.dep_ == "auxpass" for c in verb.children)


def _with_conjuncts(heads: list[Token]) -> list[Token]:
    out: list[Token] = []
    for head in heads:
        for token in (head, *head.conjuncts):
            if token not in out and token.pos_ in ("NOUN", "PROPN", "PRON", "ADJ", "NUM"):
                out.append(token)
    return out


def _subject_heads(verb: Token) -> list[Token]:
    """The subject, looking through control ("agreed to withdraw") and coordination."""
    token = verb
    for _ in range(8):
        subject = next((c for c in token.children if c.dep_ in SUBJECTS), None)
        if subject is not None:
            if subject.lower_ in ("who", "which", "that") and token.dep_ == "relcl":
                return [token.head]
            if subject.lower_ in PRONOUNS:
                return [_resolve_pronoun(subject, token)]
            return [subject]
        if token.dep_ in ("relcl", "acl") and token.head.pos_ in ("NOUN", "PROPN"):
            return [token.head]
        if token.dep_ not in ("xcomp", "conj", "advcl", "acomp") or token.head.i == token.i:
            break
        if token.dep_ == "advcl" and _is_passive(token.head):
            return [o for c in token.head.children if c.dep_ == "agent" for o in c.children]
        token = token.head
    return []


def _resolve_pronoun(pronoun: Token, verb: Token) -> Token:
    """ "Nigeria announced that it will withdraw": "it" is the subject of a verb above."""
    token = verb
    while token.head.i != token.i:
        token = token.head
        for child in token.children:
            if child.dep_ in SUBJECTS and child.lower_ not in PRONOUNS:
                return child
    return pronoun


def _object_heads(verb: Token, cand: Candidate) -> list[list[Token]]:
    """Objects, then "against/on/with/to ..." phrases, then a framed clause's subject."""
    objects = [c for c in verb.children if c.dep_ in OBJECTS and not _is(c, cand.noun)]
    holders = [verb] if cand.noun is None else [verb, cand.noun]
    preps = [
        obj
        for holder in holders
        for prep in holder.children
        if prep.dep_ in ("prep", "dative") and prep.lower_ in TARGET_PREPS
        for obj in prep.children
        if obj.dep_ == "pobj"
    ]
    framed = [
        subject
        for clause in verb.children
        if clause.dep_ in ("ccomp", "xcomp")
        for subject in clause.children
        if subject.dep_ in SUBJECTS | PASSIVE_SUBJECTS
    ]
    if cand.sense.type in lex.FRAME_TYPES:  # "demanded that the US cancel": the US
        return [objects, framed, preps, _complement_targets(verb)]
    return [objects, preps, framed]


def _complement_targets(verb: Token) -> list[Token]:
    """ "threatened to break relations with Armenia": the framed act's own target."""
    out: list[Token] = []
    for clause in verb.children:
        if clause.dep_ not in ("xcomp", "ccomp"):
            continue
        holders = [clause, *(c for c in clause.children if c.dep_ == "dobj")]
        out.extend(c for c in clause.children if c.dep_ == "dobj")
        for holder in holders:
            for prep in holder.children:
                if prep.dep_ == "prep" and prep.lower_ in TARGET_PREPS:
                    out.extend(o for o in prep.children if o.dep_ == "pobj")
    return out


def _noun_roles(noun: Token) -> tuple[list[Token], list[Token]]:
    """ "Israeli airstrikes on Gaza", "Russia's invasion of Ukraine", "protesters"."""
    if noun.lemma_.lower() in lex.ACTOR_EVENT_NOUNS:
        sources = [noun]
    else:
        sources = [c for c in noun.children if c.dep_ in ("poss", "compound", "amod", "nmod")]
    targets = []
    for prep in noun.children:
        if prep.dep_ != "prep":
            continue
        objs = [o for o in prep.children if o.dep_ == "pobj"]
        if prep.lower_ == "by":
            sources.extend(objs)
        elif prep.lower_ in ("on", "against", "at", "with", "to", "of", "between"):
            targets.extend(objs)
    if not sources and noun.dep_ in ("dobj", "pobj"):
        verb = noun.head if noun.dep_ == "dobj" else noun.head.head
        if verb.pos_ in ("VERB", "AUX"):
            sources = _subject_heads(verb)
    return sources, targets


def phrase_of(head: Token) -> list[Token]:
    """The words naming an actor: its head and modifiers, without clauses or conjuncts."""
    keep = {head.i: head}
    for child in head.children:
        if child.dep_ in ("det", "amod", "compound", "poss", "nummod", "quantmod", "nmod", "case"):
            for token in child.subtree:
                keep[token.i] = token
    tokens = sorted(keep.values(), key=lambda t: t.i)
    doc = head.doc
    return [doc[i] for i in range(tokens[0].i, tokens[-1].i + 1)]


def words_of(phrase: list[Token], start: int, end: int) -> Span:
    return phrase[0].doc[phrase[start].i : phrase[end - 1].i + 1]


def hint_for(span: Span, hints: Sequence[Mention]) -> Mention | None:
    for hint in hints:
        if hint.start < span.end_char and span.start_char < hint.end:
            return hint
    return None


def text_span(span: Span, offset: int) -> TextSpan:
    return TextSpan(span.start_char + offset, span.end_char + offset, span.text)


# --- where and when -------------------------------------------------------------------------


def place_of(
    cand: Candidate, sent: Span, hints: Sequence[Mention], used: set[int], offset: int
) -> tuple[TextSpan | None, str | None]:
    """The place of the event: a given place hint, else a place name after "in/at/near"."""
    region = {t.i for t in cand.head.subtree}
    text = sent.doc.text
    inside = [h for h in hints if sent.start_char <= h.start and h.end <= sent.end_char]
    free = [h for h in inside if not any(sent.doc[i].idx in range(h.start, h.end) for i in used)]
    if free:
        return TextSpan(
            free[0].start + offset, free[0].end + offset, text[free[0].start : free[0].end]
        ), free[0].entity_id
    options = [
        ent
        for ent in sent.ents
        if ent.label_ in PLACE_LABELS
        and not any(t.i in used for t in ent)
        and ent.root.head.lower_ in PLACE_PREPS
    ]
    options.sort(key=lambda ent: ent.root.i not in region)
    return (text_span(options[0], offset), None) if options else (None, None)


def date_of(cand: Candidate, sent: Span, offset: int) -> TextSpan | None:
    region = {t.i for t in cand.head.subtree}
    dates = [ent for ent in sent.ents if ent.label_ in ("DATE", "TIME")]
    dates.sort(key=lambda ent: ent.root.i not in region)
    return text_span(dates[0], offset) if dates else None

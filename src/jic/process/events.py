"""Code reported actions into PLOVER events: who did what to whom, where and when.

    TextSpan, Mention       character spans in the document; hints passed in by earlier stages
    Actor, Event            the records this module produces
    EventOptions            limits and switches
    code_events()           one parsed sentence (or a parsed Doc) -> events
    EventCoder              a whole Doc: parses only the sentences that may hold an event

How a sentence is coded: every token is looked up in the PLOVER lexicon (jic.process.plover):
verbs with their particles and objects ("open fire", "lift the blockade"), and event nouns
("airstrike", "protesters"). The dependency parse then gives each trigger its source actors
(subject, or the "by" agent of a passive), target actors (object, dative, "against/on/with"
phrases), conjoined actors ("Russia, Iran, Iraq and Syria" are four sources of one event),
negation, and intent ("will", "offered to", "is willing to": intended cooperation is AGREE,
announced hostility THREATEN). Triggers inside the complement of a framing event ("threatened
to break relations", "accused X of shelling") are absorbed into it, so one statement is one
event. Events are returned main event first: the one nearest the root of its sentence.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from jic.errors import InputError
from jic.process import plover as lex
from jic.process.event_records import (
    ACTOR_LABELS,
    PRONOUNS,
    SUBJECTS,
    Actor,
    Candidate,
    DocEvents,
    Event,
    EventOptions,
    Mention,
    TextSpan,
)
from jic.process.event_roles import (
    date_of,
    hint_for,
    phrase_of,
    place_of,
    role_heads,
    text_span,
    words_of,
)
from jic.process.plover import CountryTable, Sense

__all__ = [
    "Actor",
    "DocEvents",
    "Event",
    "EventCoder",
    "EventOptions",
    "Mention",
    "TextSpan",
    "code_events",
    "main_event",
]

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token


def code_events(
    sentence: Span | Doc,
    *,
    actors: Sequence[Mention] = (),
    places: Sequence[Mention] = (),
    date: TextSpan | None = None,
    countries: CountryTable | None = None,
    options: EventOptions | None = None,
) -> list[Event]:
    """PLOVER events of a parsed sentence (or every sentence of a parsed Doc).

    ``actors`` and ``places`` are what earlier stages found (linked entities with their
    country, geocoded places), by character offsets into the Doc; they take precedence
    over the coder's own country lookup. ``date`` is used when the sentence names none.
    Pass ``countries`` when coding many sentences: loading the table takes about 0.1 s.
    """
    from spacy.tokens import Doc

    doc = sentence if isinstance(sentence, Doc) else sentence.doc
    if not doc.has_annotation("DEP"):
        raise InputError(
            "code_events needs a dependency parse",
            "run the sentence through a spaCy pipeline with the parser, or use EventCoder",
        )
    coder = _SentenceCoder(countries or CountryTable.load(), options or EventOptions())
    spans = list(sentence.sents) if isinstance(sentence, Doc) else [sentence]
    events: list[Event] = []
    for sent in spans:
        events.extend(coder.code(sent, actors=actors, places=places, date=date, offset=0))
    return events


class EventCoder:
    """Codes the events of whole documents, parsing only sentences that may hold one.

    ``nlp`` is an English spaCy pipeline with a parser (en_core_web_sm or similar), loaded
    once by the caller. Documents may come with sentences and entities only (the cheap
    NER + senter pass): sentences that contain a lexicon word are re-parsed on their own.
    """

    def __init__(
        self,
        nlp: Language,
        *,
        countries: CountryTable | None = None,
        options: EventOptions | None = None,
        parse_many: Callable[[Sequence[Span]], list[Doc]] | None = None,
    ) -> None:
        # ``parse_many`` parses many sentences in one batch (claims.SentenceParser does,
        # reusing the NER pass's tok2vec output); without it, each sentence is parsed
        # by ``nlp`` on its own.
        self._parse_many = parse_many
        if parse_many is None and "parser" not in nlp.pipe_names:
            raise InputError(
                "the spaCy pipeline given to EventCoder has no parser",
                "load the model with the parser enabled (it runs only on candidate sentences)",
            )
        self.nlp = nlp
        self.options = options or EventOptions()
        self._coder = _SentenceCoder(countries or CountryTable.load(), self.options)
        self._words = _TriggerTest(lex.trigger_words(_lemmatizer_forms(nlp)))
        # Entities come from the document when it has them: re-running NER would be waste.
        self._parse_only = [p for p in nlp.pipe_names if p not in ("ner", "senter")]

    def may_hold_event(self, sent: Span) -> bool:
        """Cheap test before parsing: could the coder find a trigger among its words?"""
        return self._words.passes([token.lower for token in sent])

    def code_doc(
        self,
        doc: Doc,
        *,
        actors: Sequence[Mention] = (),
        places: Sequence[Mention] = (),
        date: TextSpan | None = None,
    ) -> DocEvents:
        """Events of every sentence of ``doc``, with the sentences skipped as too long."""
        actors_in, places_in = _MentionIndex(actors), _MentionIndex(places)
        if self._parse_many is not None and not doc.has_annotation("DEP"):
            return self._code_batched(doc, actors_in, places_in, date)
        result = DocEvents([], [])
        parsed = doc.has_annotation("DEP")
        for sent in doc.sents:
            if len(sent) > self.options.max_tokens:
                result.skipped.append(TextSpan(sent.start_char, sent.end_char, sent.text))
                continue
            if not self.may_hold_event(sent):
                continue
            # Only the mentions inside this sentence: a long document with thousands of
            # mentions must not cost sentences x mentions.
            here = actors_in.within(sent.start_char, sent.end_char)
            there = places_in.within(sent.start_char, sent.end_char)
            if parsed:
                events = self._coder.code(sent, actors=here, places=there, date=date, offset=0)
            else:
                events = self._code_unparsed(sent, here, there, date)
            result.events.extend(events)
        return result

    def code_docs(
        self,
        docs: Sequence[Doc],
        *,
        actors: Sequence[Sequence[Mention]],
        places: Sequence[Sequence[Mention]],
    ) -> list[DocEvents]:
        """``code_doc`` for many documents, their candidate sentences parsed in one batch
        (the parser is faster on full batches); ``actors[i]`` and ``places[i]`` belong
        to ``docs[i]``."""
        if self._parse_many is None:
            return [
                self.code_doc(doc, actors=a, places=p)
                for doc, a, p in zip(docs, actors, places, strict=True)
            ]
        results = [DocEvents([], []) for _ in docs]
        chosen = [
            [] if doc.has_annotation("DEP") else self._candidates(doc, result.skipped)
            for doc, result in zip(docs, results, strict=True)
        ]
        parses = iter(self._parse_many([sent for sents in chosen for sent in sents]))
        for i, doc in enumerate(docs):
            if doc.has_annotation("DEP"):
                results[i] = self.code_doc(doc, actors=actors[i], places=places[i])
                continue
            parsed = [(sent, next(parses)) for sent in chosen[i]]
            self._code_parsed(
                parsed, _MentionIndex(actors[i]), _MentionIndex(places[i]), None, results[i]
            )
        return results

    def _code_batched(
        self,
        doc: Doc,
        actors_in: _MentionIndex,
        places_in: _MentionIndex,
        date: TextSpan | None,
    ) -> DocEvents:
        """Candidate sentences parsed in one batch, then coded one by one."""
        assert self._parse_many is not None
        result = DocEvents([], [])
        candidates = self._candidates(doc, result.skipped)
        parsed = list(zip(candidates, self._parse_many(candidates), strict=True))
        self._code_parsed(parsed, actors_in, places_in, date, result)
        return result

    def _code_parsed(
        self,
        parsed: Sequence[tuple[Span, Doc]],
        actors_in: _MentionIndex,
        places_in: _MentionIndex,
        date: TextSpan | None,
        result: DocEvents,
    ) -> None:
        """Code candidate sentences, each beside its parse as a Doc of its own."""
        for sent, sub in parsed:
            offset = sent.start_char
            here = [_shift(m, -offset) for m in actors_in.within(offset, sent.end_char)]
            there = [_shift(m, -offset) for m in places_in.within(offset, sent.end_char)]
            result.events.extend(
                self._coder.code(sub[:], actors=here, places=there, date=date, offset=offset)
            )

    def candidates(self, doc: Doc) -> list[Span]:
        """The sentences of ``doc`` that would be parsed."""
        return self._candidates(doc, [])

    def _candidates(self, doc: Doc, skipped: list[TextSpan]) -> list[Span]:
        from spacy.attrs import LOWER

        lowers = doc.to_array([LOWER]).tolist()  # the document's words once, not per sentence
        found = []
        for sent in _lines(doc):
            if len(sent) > self.options.max_tokens:
                skipped.append(TextSpan(sent.start_char, sent.end_char, sent.text))
            elif self._words.passes(lowers[sent.start : sent.end]):
                found.append(sent)
        return found

    def _code_unparsed(
        self,
        sent: Span,
        actors: Sequence[Mention],
        places: Sequence[Mention],
        date: TextSpan | None,
    ) -> list[Event]:
        offset = sent.start_char
        with self.nlp.select_pipes(enable=self._parse_only):
            sub = self.nlp(sent.text)
        if sent.doc.has_annotation("ENT_IOB"):
            ents = []
            for ent in sent.ents:
                span = sub.char_span(ent.start_char - offset, ent.end_char - offset, ent.label_)
                if span is not None:
                    ents.append(span)
            sub.ents = ents
        shifted_actors = [_shift(m, -offset) for m in actors]
        shifted_places = [_shift(m, -offset) for m in places]
        events = []
        for sub_sent in [sub[:]]:
            events.extend(
                self._coder.code(
                    sub_sent, actors=shifted_actors, places=shifted_places, date=date, offset=offset
                )
            )
        return events


def _lines(doc: Doc) -> Iterator[Span]:
    """Sentences, cut again at line breaks: the sentence splitter often glues a
    headline or dateline to the first sentence after it."""
    for sent in doc.sents:
        if "\n" not in sent.text.strip():
            yield sent
            continue
        start = sent.start_char
        for piece in sent.text.split("\n"):
            end = start + len(piece)
            span = doc.char_span(start, end, alignment_mode="contract") if piece.strip() else None
            if span is not None and len(span):
                yield span
            start = end + 1


def _lemmatizer_forms(nlp: Language) -> Callable[[str], set[str]] | None:
    """The forms spaCy's rule lemmatizer turns into a lemma: its exceptions read
    backwards ("undertaken" -> "undertake") and its suffix rules run in reverse."""
    if "lemmatizer" not in nlp.component_names:
        return None
    lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    if not lookups.has_table("lemma_rules") or not lookups.has_table("lemma_exc"):
        return None
    classes = ("noun", "verb", "adj", "adv")
    rules = [rule for c in classes for rule in lookups.get_table("lemma_rules").get(c, [])]
    inverse: dict[str, set[str]] = {}
    for word_class in classes:
        for form, lemmas in lookups.get_table("lemma_exc").get(word_class, {}).items():
            for lemma in lemmas:
                inverse.setdefault(lemma, set()).add(form)

    def forms(lemma: str) -> set[str]:
        found = set(inverse.get(lemma, ()))
        for ending, replacement in rules:
            if lemma.endswith(replacement):
                found.add(lemma[: len(lemma) - len(replacement)] + ending)
        return found

    return forms


class _TriggerTest:
    """``plover.TriggerWords`` as spaCy string ids, tested against a sentence's words."""

    def __init__(self, words: lex.TriggerWords) -> None:
        from spacy.strings import get_string_id

        self.surface = frozenset(get_string_id(w) for w in words.surface)
        self.alone = frozenset(get_string_id(w) for w in words.alone)
        self.partners = {
            get_string_id(w): frozenset(get_string_id(o) for o in others)
            for w, others in words.partners.items()
        }

    def passes(self, lowers: Iterable[int]) -> bool:
        """Whether a sentence with these lower-case word ids may hold an event."""
        present = set(lowers)
        if present.isdisjoint(self.surface):
            return False
        if not present.isdisjoint(self.alone):
            return True
        return any(
            not present.isdisjoint(self.partners[word]) for word in present & self.partners.keys()
        )


class _MentionIndex:
    """Mentions sorted by start, to pick those inside a span in logarithmic time."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.starts = [m.start for m in self.mentions]

    def within(self, start: int, end: int) -> list[Mention]:
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        return [m for m in self.mentions[first:last] if m.end <= end]


def _shift(mention: Mention, by: int) -> Mention:
    return replace(mention, start=mention.start + by, end=mention.end + by)


def main_event(events: Sequence[Event]) -> Event | None:
    """The event a one-line summary of the sentence would name: the first coded."""
    return events[0] if events else None


class _SentenceCoder:
    """Codes one parsed sentence at a time; holds the country table and options."""

    def __init__(self, countries: CountryTable, options: EventOptions) -> None:
        self.countries = countries
        self.options = options

    def code(
        self,
        sent: Span,
        *,
        actors: Sequence[Mention],
        places: Sequence[Mention],
        date: TextSpan | None,
        offset: int,
    ) -> list[Event]:
        """Events of one sentence; ``offset`` maps this Doc's offsets to the document's."""
        if len(sent) > self.options.max_tokens:
            return []
        candidates = _merge_instruments(_find_candidates(sent))
        for cand in candidates:
            _apply_modality(cand)
        kept = [
            c
            for c in _drop_absorbed(candidates)
            if self.options.keep_hypothetical or not c.hypothetical
        ]
        kept.sort(key=lambda c: (_depth(c.head), c.head.i))
        events = []
        for cand in kept[: self.options.max_events_per_sentence]:
            event = self._event(cand, sent, actors, places, date, offset)
            if event.negated and not self.options.keep_negated:
                continue
            events.append(event)
        return events

    def _event(
        self,
        cand: Candidate,
        sent: Span,
        actors: Sequence[Mention],
        places: Sequence[Mention],
        date: TextSpan | None,
        offset: int,
    ) -> Event:
        source_heads, target_groups = role_heads(cand)
        sources = self._actors(source_heads, actors, offset)
        targets, target_heads = self._targets(target_groups, actors, offset)
        sense = _refine(_adjust_for_actors(cand.sense, sources), cand)
        used = {t.i for h in [*source_heads, *target_heads] for t in phrase_of(h)}
        place, place_id = place_of(cand, sent, places, used, offset)
        if not targets and place is not None:
            targets = self._place_as_target(place, places, offset)
        first, last = min(t.i for t in cand.trigger), max(t.i for t in cand.trigger)
        doc = sent.doc
        return Event(
            type=sense.type,
            trigger=text_span(doc[first : last + 1], offset),
            sentence=text_span(sent, offset),
            sources=sources,
            targets=targets,
            place=place,
            place_id=place_id,
            date=date_of(cand, sent, offset) or date,
            mode=sense.mode,
            context=sense.context,
            negated=cand.negated,
            intended=cand.intended,
        )

    def _targets(
        self, groups: list[list[Token]], hints: Sequence[Mention], offset: int
    ) -> tuple[list[Actor], list[Token]]:
        """The first group of target heads that names a state, else the first that names anyone.

        Groups come best first: objects, then "against/on/with" phrases, then a framed clause.
        """
        fallback: tuple[list[Actor], list[Token]] = ([], [])
        for group in groups:
            targets = self._actors(group, hints, offset)
            if any(a.country for a in targets):
                return targets, group
            if targets and not fallback[0]:
                fallback = (targets, group)
        return fallback

    def _place_as_target(
        self, place: TextSpan, hints: Sequence[Mention], offset: int
    ) -> list[Actor]:
        """No target named: the state where it happens is the target (PLOVER practice for
        domestic events: a protest in Serbia is directed at Serbia)."""
        hint = next((h for h in hints if h.start + offset == place.start), None)
        country = hint.country if hint is not None else None
        if country is None:
            found = self.countries.lookup(place.text.split())
            country = found[-1][2] if found else None
        return [Actor(place, country, None, False, True)] if country else []

    def _actors(self, heads: Iterable[Token], hints: Sequence[Mention], offset: int) -> list[Actor]:
        out: list[Actor] = []
        seen: set[tuple[int, int]] = set()
        for head in heads:
            for actor in self._actors_of(_counted(head), hints, offset):
                key = (actor.span.start, actor.span.end)
                if key not in seen:
                    seen.add(key)
                    out.append(actor)
        return out

    def _actors_of(self, head: Token, hints: Sequence[Mention], offset: int) -> list[Actor]:
        """One actor, or several when the phrase joins countries ("US and British forces")."""
        phrase = phrase_of(head)
        span = head.doc[phrase[0].i : phrase[-1].i + 1]
        armed = any(t.lower_ in lex.MILITARY_WORDS for t in phrase if t.i >= head.i - 2)
        found = self.countries.lookup([t.text for t in phrase])
        hint = hint_for(span, hints)
        if hint is not None:
            state = hint.country is not None and _names_state(head, phrase, found)
            return [Actor(text_span(span, offset), hint.country, hint.entity_id, armed, state)]
        if not found and not _actor_like(head):
            return []
        state = _names_state(head, phrase, found)
        if len({m[2] for m in found}) > 1 and any(t.dep_ == "cc" for t in phrase):
            return [
                Actor(text_span(words_of(phrase, a, b), offset), code, None, armed, names)
                for a, b, code, names in found
            ]
        country = found[0][2] if found else self._country_nearby(head)
        return [Actor(text_span(span, offset), country, None, armed, state and bool(country))]

    def _country_nearby(self, head: Token) -> str | None:
        """The state of "rebels in the Ivory Coast", "the president of Armenia"."""
        for child in head.children:
            if child.dep_ in ("prep", "appos") and child.lower_ in ("in", "of", "from"):
                for obj in child.children:
                    found = self.countries.lookup([t.text for t in phrase_of(obj)])
                    if found:
                        return found[0][2]
        return None


def _counted(head: Token) -> Token:
    """ "thousands of protesters" is the protesters; "tons of food aid" the aid."""
    if head.lemma_.lower() in lex.QUANTITY_NOUNS or head.pos_ == "NUM":
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        return obj
    return head


def _names_state(head: Token, phrase: list[Token], found: list[tuple[int, int, str, bool]]) -> bool:
    """The head is a state ("Iraq", "Baghdad") or an organ of one ("the Iraqi government")."""
    if head.lemma_.lower() in lex.STATE_ORGANS and found:
        return True
    return any(names and phrase[b - 1].i == head.i for _, b, _, names in found)


def _actor_like(head: Token) -> bool:
    """Whether a word can name someone who acts: a name, a people, an organ, a group."""
    if head.ent_type_ in ("DATE", "TIME", "MONEY", "CARDINAL", "ORDINAL", "PERCENT", "QUANTITY"):
        return False
    lemma = head.lemma_.lower()
    return (
        head.ent_type_ in ACTOR_LABELS
        or head.pos_ in ("PROPN", "PRON")
        or lemma in lex.PEOPLE_NOUNS
        or lemma in lex.STATE_ORGANS
        or head.lower_ in lex.MILITARY_WORDS
        or lemma in lex.ACTOR_EVENT_NOUNS
    )


# --- finding triggers -------------------------------------------------------------------


def _find_candidates(sent: Span) -> list[Candidate]:
    """Every lexicon trigger of the sentence; a light verb's object is not counted twice."""
    found: list[Candidate] = []
    consumed: set[int] = set()
    for token in sent:
        if token.pos_ in ("VERB", "AUX") and token.dep_ not in ("aux", "auxpass"):
            cand = _verb_candidate(token)
            if cand is not None:
                found.append(cand)
                if cand.noun is not None:
                    consumed.add(cand.noun.i)
        obligation = _obligation(token)
        if obligation is not None:
            found.append(obligation)
    for token in sent:
        if token.pos_ in ("NOUN", "PROPN") and token.i not in consumed:
            sense = _noun_sense(token)
            if sense is not None:
                found.append(Candidate(sense, token, _noun_trigger(token)))
    return found


def _obligation(verb: Token) -> Candidate | None:
    """ "The Red Cross said US forces must ensure security": a DEMAND on the forces."""
    aux = next(
        (c for c in verb.children if c.dep_ == "aux" and c.lower_ in lex.OBLIGATION_AUXILIARIES),
        None,
    )
    reporter = verb.head
    if aux is None or verb.dep_ != "ccomp" or reporter.lemma_.lower() not in lex.REPORTING_VERBS:
        return None
    subject = next((c for c in verb.children if c.dep_ in SUBJECTS), None)
    if subject is None or subject.lower_ in PRONOUNS:
        return None  # "we must ..." is a resolve, not a demand on another
    return Candidate(Sense(lex.T.DEMAND), reporter, [aux, verb])


def _verb_candidate(verb: Token) -> Candidate | None:
    lemma = verb.lemma_.lower()
    for child in verb.children:
        if child.dep_ in ("prt", "prep") and (lemma, child.lower_) in lex.PHRASAL:
            sense = lex.PHRASAL[(lemma, child.lower_)]
            trigger = [verb, child] if child.dep_ == "prt" else [verb]
            return Candidate(sense, verb, trigger)
    obj = _object_of(verb)
    if obj is not None:
        cand = _light_candidate(verb, lemma, obj)
        if cand is not None or (
            obj.lemma_.lower() in lex.EMPTY_OBJECTS and lemma not in lex.LIGHT_VERBS
        ):
            return cand
    if lemma in lex.VERBS and lemma not in lex.REPORTING_VERBS:
        return Candidate(lex.VERBS[lemma], verb, [verb])
    return None


def _object_of(verb: Token) -> Token | None:
    """The direct object (or, in the passive, the subject) that a light verb takes meaning from."""
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass"):
            return _counted(child)
    for child in verb.children:
        # "went on strike", "called for talks": the object sits behind a preposition.
        if child.dep_ == "prep" and child.lower_ in ("on", "into"):
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    return None


def _light_candidate(verb: Token, lemma: str, obj: Token) -> Candidate | None:
    """A verb whose object decides the event: "open fire", "lift the blockade", "hold talks"."""
    noun = obj.lemma_.lower()
    if (lemma, noun) in lex.LIGHT:
        return Candidate(lex.LIGHT[(lemma, noun)], verb, [verb, obj], noun=obj)
    noun_sense = _noun_sense(obj)
    modifiers = {c.lemma_.lower() for c in obj.children if c.dep_ in ("compound", "amod")}
    if lemma in lex.REVERSING_VERBS and noun_sense and noun_sense.type in lex.REVERSED_TYPES:
        kind = lex.T.CONCEDE if noun in lex.CONCEDED_NOUNS else lex.T.RETREAT
        return Candidate(Sense(kind, noun_sense.mode), verb, [verb, obj], noun=obj)
    if lemma in lex.CUTTING_VERBS and (
        (noun_sense is not None and noun_sense.type in lex.CUT_TYPES)
        or noun in lex.WITHDRAWN_NOUNS
        or noun in ("relation", "tie")
        or modifiers & lex.WITHDRAWN_NOUNS
    ):
        return Candidate(Sense(lex.T.SANCTION, "withdraw"), verb, [verb, obj], noun=obj)
    if noun_sense is not None and (lemma in lex.LIGHT_VERBS or lemma not in lex.VERBS):
        if lemma in lex.REPORTING_VERBS and lemma not in lex.LIGHT_VERBS:
            return None
        return Candidate(noun_sense, verb, [verb, obj], noun=obj)
    return None


def _noun_sense(noun: Token) -> Sense | None:
    lemma = noun.lemma_.lower()
    for child in noun.children:
        if child.dep_ in ("compound", "amod", "nmod"):
            pair = (child.lemma_.lower(), lemma)
            if pair in lex.COMPOUND_NOUNS:
                return lex.COMPOUND_NOUNS[pair]
    if lemma in lex.ACTOR_EVENT_NOUNS:
        return lex.ACTOR_EVENT_NOUNS[lemma]
    sense = lex.NOUNS.get(lemma) or lex.NOUNS.get(noun.lower_)
    if sense is None or noun.dep_ == "compound":
        return None  # "peace talks" counts once, at its head
    return sense


def _noun_trigger(noun: Token) -> list[Token]:
    parts = [c for c in noun.children if c.dep_ == "compound" and c.i == noun.i - 1]
    return [*parts, noun]


def _merge_instruments(cands: list[Candidate]) -> list[Candidate]:
    """ "A roadside bombing killed ...": the event noun in subject position names the act."""
    by_head = {c.head.i: c for c in cands}
    out = []
    for cand in cands:
        subject = next((c for c in cand.head.children if c.dep_ in SUBJECTS), None)
        inner = by_head.get(subject.i) if subject is not None else None
        if (
            inner is not None
            and cand.sense.type in lex.VIOLENT_TYPES
            and inner.sense.type in lex.VIOLENT_TYPES
        ):
            cand.sense = inner.sense
            cand.trigger = inner.trigger  # one span: the words that name the act
            cand.noun = inner.head
            cand.absorbed.add(inner.head.i)
        out.append(cand)
    merged = {i for c in out for i in c.absorbed}
    return [c for c in out if c.head.i not in merged]


# --- modality and framing -----------------------------------------------------------------


def _apply_modality(cand: Candidate) -> None:
    """Negation, and intent: intended cooperation is AGREE, announced hostility THREATEN."""
    head = cand.head
    cand.negated = _is_negated(head)
    cand.hypothetical = _is_condition(head)
    governor = _governor(head)
    kind = cand.sense.type
    if governor is not None and governor.lemma_.lower() in lex.PREPARING_VERBS:
        if kind in lex.VIOLENT_TYPES:
            cand.sense = Sense(lex.T.MOBILIZE, cand.sense.mode, "military")
            cand.absorbed.add(governor.i)
        return
    intent_governor = governor if governor is not None and _is_intent_word(governor) else None
    intended = intent_governor is not None or _has_future_aux(head)
    if intended and kind in lex.COOPERATIVE_TYPES and kind is not lex.T.AGREE:
        cand.sense = Sense(lex.T.AGREE, cand.sense.mode, cand.sense.context)
        cand.intended = kind
    elif (intended or _is_conditional(head)) and kind in lex.HOSTILE_TYPES:
        cand.sense = Sense(lex.T.THREATEN, cand.sense.mode, cand.sense.context)
        cand.intended = kind
    if intent_governor is not None:
        cand.absorbed.add(intent_governor.i)
        cand.negated = cand.negated or _is_negated(intent_governor)


def _governor(head: Token) -> Token | None:
    """The verb a trigger is the complement of, looking through "resume", "continue"."""
    token = head
    while token.dep_ in ("dobj", "xcomp") and token.head.lemma_.lower() in lex.ASPECTUAL_VERBS:
        token = token.head
    # The parser often labels "sworn to fight" an adverbial clause: "to" says it is not.
    infinitive = token.dep_ == "advcl" and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in token.children
    )
    if (
        token.dep_ in ("xcomp", "ccomp")
        or infinitive
        or (token.dep_ == "dobj" and token.i != head.i)
    ):
        return token.head
    return None


def _is_intent_word(token: Token) -> bool:
    lemma = token.lemma_.lower()
    return lemma in lex.INTENT_VERBS or lemma in lex.INTENT_ADJECTIVES


def _has_future_aux(verb: Token) -> bool:
    for child in verb.children:
        if child.dep_ == "aux" and child.lower_ in lex.INTENT_AUXILIARIES:
            return True
    # "is going to withdraw"
    return verb.dep_ == "xcomp" and verb.head.lower_ == "going"


def _is_conditional(verb: Token) -> bool:
    """ "... unless Baghdad accepts", "... if Hamas runs": a condition makes an act a threat."""
    for child in verb.children:
        if child.dep_ == "advcl" and any(
            m.dep_ == "mark" and m.lower_ in ("unless", "if") for m in child.children
        ):
            return _has_future_aux(verb) or verb.tag_ in ("VB", "MD")
    return False


def _is_condition(token: Token) -> bool:
    """Whether the act is only the condition of another ("unless Baghdad accepts")."""
    while token.head.i != token.i:
        if token.dep_ == "advcl" and any(
            m.dep_ == "mark" and m.lower_ in ("unless", "if") for m in token.children
        ):
            return True
        token = token.head
    return False


def _is_negated(token: Token) -> bool:
    for child in token.children:
        if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
            return True
    return False


def _drop_absorbed(cands: list[Candidate]) -> list[Candidate]:
    """Fold triggers that sit inside a framing event, or inside another event's phrase."""
    absorbed = {i for c in cands for i in c.absorbed}
    kept = [c for c in cands if c.head.i not in absorbed]
    out = []
    for cand in kept:
        if not any(_folds(other, cand) for other in kept if other is not cand):
            out.append(cand)
    return out


def _folds(outer: Candidate, inner: Candidate) -> bool:
    """Whether ``inner`` is part of ``outer``'s statement rather than an event of its own."""
    if not _dominates(outer.head, inner.head):
        return False
    if inner.head.pos_ in ("NOUN", "PROPN"):
        return True  # an event noun inside another event's phrase describes it
    return outer.sense.type in lex.FRAME_TYPES


def _dominates(outer: Token, inner: Token) -> bool:
    token = inner
    while token.head.i != token.i:
        token = token.head
        if token.i == outer.i:
            return True
    return False


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i:
        token = token.head
        depth += 1
    return depth


def _refine(sense: Sense, cand: Candidate) -> Sense:
    """Sending peacekeepers is AID (protection), not MOBILIZE (a show of force)."""
    if sense.type is lex.T.MOBILIZE and any(
        t.lemma_.lower().startswith("peacekeep") for t in cand.head.subtree
    ):
        return Sense(lex.T.AID, "peacekeeping", "military")
    return sense


def _adjust_for_actors(sense: Sense, sources: list[Actor]) -> Sense:
    """PLOVER tells force from violence, and protest from disapproval, by who acts."""
    if sense.type in lex.ARMED_SOURCE_TYPES and not sense.mode and any(a.armed for a in sources):
        return replace(sense, type=lex.ARMED_SOURCE_TYPES[sense.type], context="military")
    if sense.type in lex.STATE_SOURCE_TYPES and any(a.state for a in sources):
        return replace(sense, type=lex.STATE_SOURCE_TYPES[sense.type])
    return sense

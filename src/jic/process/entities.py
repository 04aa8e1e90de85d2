"""Named entities linked to canonical entities: one entity for all its names.

    EntityMention     one span of text naming an entity, with the entity's key
    Entity            a canonical entity of one document: key, name, type, aliases, count
    LinkedEntities    what linking one document gives: its entities and mentions
    RussianNer        natasha's NER and lemmas for Russian documents (load once, pass in)
    EntityLinker      NER spans + alias matches -> linked mentions, for en / ru / other
    merge_entities    sums per-document entities into cross-document totals by key

How a document is linked: candidate spans come from NER (spaCy for English, natasha
for Russian; none for Arabic, Persian and the rest) and from the alias table's names
found in the text. Each candidate is looked up in the table; capitals stand for their
state only as the subject of a speech verb ("Moscow said"); organisations named after
a state ("Russian Defence Ministry") get its country. Inside the document, names are
joined by the patterns news uses ("Islamic State (IS, formerly ISIL/ISIS)", "Daesh
[Islamic State]", "X, also known as Y") and surnames are joined to the full name they
abbreviate ("Peskov" -> "Dmitry Peskov").

Keys are stable across documents so the store can merge counts: the table's id
(``state:RUS``, ``armed_group:islamic-state``) or ``type:slug-of-preferred-name``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from jic.process.aliases import (
    Actor,
    AliasMatcher,
    AliasTable,
    EntityType,
    MatchedForm,
    fold,
    is_word,
    normalise_name,
    slug,
    tokenise,
)

__all__ = [
    "Entity",
    "EntityLinker",
    "EntityMention",
    "EntityType",
    "LinkedEntities",
    "NerSpan",
    "RussianNer",
    "merge_entities",
]


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A span of the document naming an entity; ``label`` is the NER-style label."""

    text: str
    start: int
    end: int
    label: str
    key: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical entity: all its names in a document (or, merged, in many)."""

    key: str
    name: str
    type: EntityType
    aliases: tuple[str, ...]
    country: str | None
    count: int


@dataclass(slots=True)
class LinkedEntities:
    """The entities of one document, most mentioned first, and every mention in order."""

    entities: list[Entity]
    mentions: list[EntityMention]

    def by_key(self) -> dict[str, Entity]:
        return {entity.key: entity for entity in self.entities}


@dataclass(frozen=True, slots=True)
class NerSpan:
    """A span from any NER tagger, with a spaCy-style label (PERSON, ORG, GPE, LOC, ...)."""

    start: int
    end: int
    label: str


class SpacyDocLike(Protocol):
    """What the linker reads from a spaCy Doc."""

    @property
    def text(self) -> str: ...

    @property
    def ents(self) -> Sequence[Any]: ...


def _word_set(words: str) -> frozenset[str]:
    """Word lists are written as one string so they read like the prose they match."""
    return frozenset(words.split())


# spaCy labels that name entities (the rest are dates, numbers and amounts).
ENTITY_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
)
_LABEL_TYPES = {
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.ORGANISATION,
    "GPE": EntityType.PLACE,
    "LOC": EntityType.PLACE,
    "FAC": EntityType.PLACE,
    "NORP": EntityType.GROUP,
}
_TYPE_LABELS = {
    EntityType.STATE: "GPE",
    EntityType.PLACE: "GPE",
    EntityType.PERSON: "PERSON",
    EntityType.GROUP: "NORP",
}
_NATASHA_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}

_HONORIFICS = _word_set(
    "mr mrs ms miss dr prof president minister premier sheikh ayatollah general gen col "
    "colonel lt sir lord king queen prince emir pope spokesman spokeswoman"
)
_ORGAN_WORDS = _word_set(
    "ministry army government military forces navy police parliament cabinet presidency "
    "embassy defence defense foreign interior intelligence guard guards office council "
    "министерство минобороны мид армия правительство посольство"
)
_SPEECH_EN = re.compile(
    r"\s+(?:(?:has|have|had|will|would|also|again|quickly|swiftly|officially|later|on\s+\w+day)"
    r"\s+){0,2}(?:said|says|warned|warns|denied|denies|accused|accuses|announced|announces"
    r"|insisted|insists|rejected|rejects|condemned|condemns|claimed|claims|responded|responds"
    r"|urged|urges|demanded|demands|confirmed|confirms|dismissed|dismisses|vowed|vows"
    r"|threatened|threatens|blamed|blames|protested|replied|retorted|countered|maintained"
    r"|maintains|argued|argues|signalled|signaled|called\s+on|hit\s+back|denounced|welcomed)\b"
)
_SPEECH_RU = re.compile(
    r"\s+(?:(?:также|вновь|уже)\s+)?(?:заявил[аио]?|заявляет|сообщил[аио]?|отверг(?:ла|ли)?"
    r"|обвинил[аио]?|обвиняет|предупредил[аио]?|ответил[аио]?|потребовал[аио]?|требует"
    r"|настаивает|осудил[аио]?|призвал[аио]?|опроверг(?:ла|ли)?)(?!\w)"
)
_PLACE_PREPOSITIONS = _word_set(
    "in at from to near of into for via outside around across toward towards between over "
    "by through visit visited visiting в во из на под около возле"
)
_PAREN = re.compile(r"\s*[(\[]\s*([^()\[\]\n]{1,80}?)\s*[)\]]")
_AKA = re.compile(
    r",?\s+(?:(?:formerly|previously|also|now|better)\s+)?(?:known|called|named)\s+as\s+"
    r"|,?\s+(?:a\.k\.a\.|aka|formerly)\s+"
)
_ALIAS_SPLIT = re.compile(
    r"\s*(?:,|/|;|\bor\b|\bformerly\b|\bpreviously\b|\balso\s+known\s+as\b|\baka\b"
    r"|\bknown\s+as\b|\ba\.k\.a\.)\s*"
)


class RussianNer:
    """natasha's segmenter, NER tagger and lemmatiser; load once (~1 s) and pass in."""

    def __init__(self) -> None:
        from natasha import MorphVocab, NewsEmbedding, NewsNERTagger, Segmenter

        self._segmenter = Segmenter()
        self._tagger = NewsNERTagger(NewsEmbedding())
        self._vocab = MorphVocab()
        self._cache: dict[str, tuple[str, ...]] = {}

    def spans(self, text: str) -> list[NerSpan]:
        """PER/ORG/LOC spans of a Russian text, with spaCy-style labels."""
        from natasha import Doc

        doc = Doc(text)
        doc.segment(self._segmenter)
        doc.tag_ner(self._tagger)
        return [NerSpan(s.start, s.stop, _NATASHA_LABELS.get(s.type, s.type)) for s in doc.spans]

    def lemmas(self, word: str) -> tuple[str, ...]:
        """The normal forms a word may have (most likely first), lower-cased."""
        if word not in self._cache:
            forms = [parse.normal_form for parse in self._vocab.parse(word)[:3]]
            self._cache[word] = tuple(dict.fromkeys([*forms, word.casefold()]))
        return self._cache[word]


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    text: str
    label: str
    actor: Actor | None = None
    weak: bool = False
    country: str | None = None
    type: EntityType | None = None
    local_key: str = ""
    lemma_key: str = ""


class EntityLinker:
    """Links the entity mentions of a document to canonical entities.

    ``table`` is the alias table (``AliasTable.default()``); ``russian`` is a loaded
    ``RussianNer`` for Russian documents (without it Russian gets alias matching only).
    Build once and reuse: the constructor indexes the table (~0.2 s).
    """

    def __init__(self, table: AliasTable, *, russian: RussianNer | None = None) -> None:
        self.table = table
        self.russian = russian
        forms = [*table.surface_forms()]
        forms += [(c, "capital:" + s, "name") for s in table.capitals for c in _capital_forms(s)]
        self._matcher = AliasMatcher(forms)
        self._lemma_index: dict[str, str] = {}
        self._surnames = _surname_index(table)
        if russian is not None:
            self._index_russian_lemmas(russian)

    def link_doc(self, doc: SpacyDocLike) -> LinkedEntities:
        """Link an English spaCy Doc (its ``ents``), plus table names NER missed."""
        spans = [
            NerSpan(ent.start_char, ent.end_char, ent.label_)
            for ent in doc.ents
            if ent.label_ in ENTITY_LABELS
        ]
        return self.link_spans(doc.text, spans, lang="en")

    def link_text(self, text: str, lang: str) -> LinkedEntities:
        """Link a document without a spaCy Doc: natasha for Russian, else the table only."""
        spans: list[NerSpan] = []
        if lang == "ru" and self.russian is not None:
            spans = self.russian.spans(text)
        return self.link_spans(text, spans, lang=lang)

    def link_spans(self, text: str, spans: Sequence[NerSpan], lang: str) -> LinkedEntities:
        """Link NER ``spans`` of ``text`` (from any tagger) together with table matches."""
        candidates = self._candidates(text, spans, lang)
        groups = _UnionFind(len(candidates))
        self._join_written_aliases(text, candidates, groups)
        self._join_surnames(candidates, groups, lang)
        _join_same_names(candidates, groups)
        kept = _drop_unsupported_weak(candidates, groups)
        return _assemble(candidates, groups, kept)

    # -- candidates ---------------------------------------------------------------

    def _candidates(self, text: str, spans: Sequence[NerSpan], lang: str) -> list[_Candidate]:
        hits = self._matcher.find(text)
        hit_ends = [end for _, end, _ in hits]
        covered: set[int] = set()
        found: list[_Candidate] = []
        for span in spans:
            start, end = _trim(text, span.start, span.end)
            if start >= end:
                continue
            # Hits are sorted and do not overlap: the ones touching this span are a run.
            touching: list[int] = []
            for i in range(bisect.bisect_right(hit_ends, start), len(hits)):
                if hits[i][0] >= end:
                    break
                touching.append(i)
            covered.update(touching)
            near = [hits[i] for i in touching]
            found.append(self._from_ner(text, (start, end, span.label), near, lang))
        found += [self._from_hit(text, *hit) for i, hit in enumerate(hits) if i not in covered]
        found.sort(key=lambda c: c.start)
        for candidate in found:
            self._resolve_capital(text, candidate, lang)
        return found

    def _from_ner(
        self,
        text: str,
        span: tuple[int, int, str],
        hits: list[tuple[int, int, MatchedForm]],
        lang: str,
    ) -> _Candidate:
        start, end, label = span
        candidate = _Candidate(start, end, text[start:end], label)
        candidate.actor = self._lookup(candidate.text, label, lang)
        # A weak name ("Wagner", "IS") needs support even when NER calls it an organisation.
        weak_id = self.table.weak.get(candidate.text)
        candidate.weak = weak_id is not None and getattr(candidate.actor, "id", None) == weak_id
        for h_start, h_end, form in hits:
            containing = h_start <= start and h_end >= end
            if form.actor_id.startswith("capital:") or not containing or candidate.actor:
                continue
            if (h_start, h_end) != (start, end) and form.kind != "weak":
                # NER cut a table name short ("Islamic State" of "... of Iraq and the Levant").
                candidate.start, candidate.end = h_start, h_end
                candidate.text = text[h_start:h_end]
            candidate.actor = self.table.actors[form.actor_id]
        if lang == "ru" and self.russian is not None:
            candidate.lemma_key = self._russian_key(candidate.text)
            if candidate.actor is None:
                candidate.actor = self._lookup_lemmas(candidate.text)
        if candidate.actor is None:
            _infer_organ(candidate, self.table)
        elif (candidate.actor.type == EntityType.PERSON) != (label == "PERSON"):
            # NER took "Hayat Tahrir al-Sham" for a person; the table knows better.
            candidate.label = _TYPE_LABELS.get(candidate.actor.type, "ORG")
        return candidate

    def _lookup(self, text: str, label: str, lang: str) -> Actor | None:
        actor = self.table.lookup(_strip_honorific(text))
        if actor is None and label == "ORG" and text.strip() in self.table.weak:
            actor = self.table.actors[self.table.weak[text.strip()]]
        if actor is None:
            adjective = self.table.by_adjective.get(normalise_name(text))
            actor = self.table.actors[adjective] if adjective else None
        # A person called "Chad" or "Jordan" is not a state.
        if actor is not None and label == "PERSON" and actor.type != EntityType.PERSON:
            return None
        return actor

    def _from_hit(self, text: str, start: int, end: int, form: MatchedForm) -> _Candidate:
        if form.actor_id.startswith("capital:"):
            return _Candidate(start, end, text[start:end], "GPE")
        actor = self.table.actors[form.actor_id]
        label = "NORP" if form.kind == "adjective" else _TYPE_LABELS.get(actor.type, "ORG")
        return _Candidate(start, end, text[start:end], label, actor, weak=form.kind == "weak")

    def _resolve_capital(self, text: str, candidate: _Candidate, lang: str) -> None:
        """A capital stands for its state only as the subject of a speech verb."""
        state_id = self.table.capitals.get(normalise_name(candidate.text))
        if state_id is None or candidate.label not in ("GPE", "LOC") or candidate.actor:
            return
        speech = _SPEECH_RU if lang == "ru" else _SPEECH_EN
        before = text[max(0, candidate.start - 30) : candidate.start].split()
        after_preposition = bool(before) and before[-1].casefold() in _PLACE_PREPOSITIONS
        if speech.match(text, candidate.end) and not after_preposition:
            candidate.actor = self.table.actors[state_id]

    # -- Russian lemmas -----------------------------------------------------------

    def _index_russian_lemmas(self, russian: RussianNer) -> None:
        for actor in self.table.actors.values():
            for name in (*actor.names, *actor.adjectives):
                if re.search("[а-яё]", name, re.I):
                    words = [t for t, _, _ in tokenise(name) if is_word(t)]
                    key = " ".join(russian.lemmas(w)[0] for w in words)
                    self._lemma_index.setdefault(key, actor.id)

    def _russian_key(self, text: str) -> str:
        assert self.russian is not None
        words = [t for t, _, _ in tokenise(text) if is_word(t)]
        return " ".join(self.russian.lemmas(w)[0] for w in words)

    def _lookup_lemmas(self, text: str) -> Actor | None:
        assert self.russian is not None
        words = [t for t, _, _ in tokenise(text) if is_word(t)]
        options = [self.russian.lemmas(w) for w in words]
        for combination in itertools.islice(itertools.product(*options), 27):
            actor_id = self._lemma_index.get(" ".join(combination))
            if actor_id:
                return self.table.actors[actor_id]
        return None

    # -- joining names within the document ----------------------------------------

    def _join_written_aliases(
        self, text: str, candidates: list[_Candidate], groups: _UnionFind
    ) -> None:
        """ "Islamic State (IS, formerly ISIL)", "Daesh [Islamic State]", "X, also known as Y"."""
        local: dict[str, int] = {}
        for index, candidate in enumerate(candidates):
            paren = _PAREN.match(text, candidate.end)
            if paren:
                for name in _ALIAS_SPLIT.split(paren.group(1)):
                    self._join_alias(
                        name,
                        index,
                        candidates=candidates,
                        groups=groups,
                        local=local,
                        region=paren.span(1),
                    )
                continue
            aka = _AKA.match(text, candidate.end)
            if aka:
                follower = _candidate_at(candidates, aka.end())
                if follower is not None:
                    self._join_alias(
                        follower.text,
                        index,
                        candidates=candidates,
                        groups=groups,
                        local=local,
                        region=None,
                    )
        if local:
            self._join_local_repeats(text, candidates, groups, local)

    def _join_alias(
        self,
        name: str,
        index: int,
        *,
        candidates: list[_Candidate],
        groups: _UnionFind,
        local: dict[str, int],
        region: tuple[int, int] | None,
    ) -> None:
        name = name.strip(" \"'“”")
        if not _looks_like_name(name):
            return
        owner = candidates[index]
        inside = [
            i
            for i, c in enumerate(candidates)
            if normalise_name(c.text) == normalise_name(name)
            and (region is None or region[0] <= c.start < region[1])
        ]
        other = candidates[inside[0]] if inside else None
        alias_actor = other.actor if other else self.table.lookup(name)
        if not _may_be_aliases(owner, alias_actor):
            return
        local.setdefault(name, index)
        for i in inside:
            if candidates[i].actor is None or candidates[i].weak:
                candidates[i].actor = owner.actor
                candidates[i].weak = False
            groups.union(index, i)

    def _join_local_repeats(
        self, text: str, candidates: list[_Candidate], groups: _UnionFind, local: dict[str, int]
    ) -> None:
        """Later uses of an alias the document itself introduced ("... (HTS) ... HTS")."""
        matcher = AliasMatcher((name, str(i), "acronym") for name, i in local.items())
        by_span = {(c.start, c.end): i for i, c in enumerate(candidates)}
        for start, end, form in matcher.find(text):
            owner = int(form.actor_id)
            if (start, end) in by_span:
                groups.union(owner, by_span[(start, end)])
            elif not any(c.start < end and start < c.end for c in candidates):
                base = candidates[owner]
                candidates.append(replace(base, start=start, end=end, text=text[start:end]))
                groups.grow()
                groups.union(owner, len(candidates) - 1)

    def _join_surnames(self, candidates: list[_Candidate], groups: _UnionFind, lang: str) -> None:
        """ "Peskov" is the "Dmitry Peskov" of the same document (nearest earlier one)."""
        words = [self._person_words(c, lang) for c in candidates]
        full = [i for i, c in enumerate(candidates) if c.label == "PERSON" and len(words[i]) > 1]
        for i, candidate in enumerate(candidates):
            if len(words[i]) != 1 or candidate.label not in ("PERSON", "ORG", "GPE"):
                continue
            if candidate.label != "PERSON" and candidate.actor is not None:
                continue
            matches = [j for j in full if words[j][-1:] == words[i]]
            if matches:
                earlier = [j for j in matches if j < i]
                groups.union(i, earlier[-1] if earlier else matches[0])
                candidate.label = "PERSON"
            elif candidate.label == "PERSON" and candidate.actor is None:
                candidate.actor = self._table_person(words[i][0])

    def _person_words(self, candidate: _Candidate, lang: str) -> tuple[str, ...]:
        words = [t for t, _, _ in tokenise(_strip_honorific(candidate.text)) if is_word(t)]
        if lang == "ru" and self.russian is not None:
            return tuple(self.russian.lemmas(w)[0] for w in words)
        return tuple(fold(w) for w in words)

    def _table_person(self, surname: str) -> Actor | None:
        """A bare surname names a public figure of the table when only one has it."""
        found = self._surnames.get(surname, set())
        return self.table.actors[next(iter(found))] if len(found) == 1 else None


def _surname_index(table: AliasTable) -> dict[str, set[str]]:
    """Last word of every public figure's names -> the figures that have it."""
    index: dict[str, set[str]] = {}
    for actor in table.actors.values():
        if actor.type == EntityType.PERSON:
            for name in actor.names:
                words = [t for t, _, _ in tokenise(name) if is_word(t)]
                if words:
                    index.setdefault(fold(words[-1]), set()).add(actor.id)
    return index


def _capital_forms(normalised: str) -> list[str]:
    return [normalised.title(), normalised.capitalize()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the" and quotes and a trailing "'s" from an NER span."""
    span = text[start:end]
    lead = re.match(r"(?:[Tt]he\s+|[\"'“‘«]\s*)+", span)
    if lead:
        start += lead.end()
    tail = re.search(r"(?:['’]s|['’\"”»])+$", text[start:end])
    if tail:
        end = start + tail.start()
    while start < end and text[end - 1] in " ,.;:":
        end -= 1
    return start, end


def _strip_honorific(text: str) -> str:
    words = text.split()
    while len(words) > 1 and words[0].rstrip(".").casefold() in _HONORIFICS:
        words = words[1:]
    return " ".join(words)


def _infer_organ(candidate: _Candidate, table: AliasTable) -> None:
    """ "Russian Defence Ministry", "Iraqi army": an organ of the state named first."""
    if candidate.label != "ORG":
        return
    words = [fold(t) for t, _, _ in tokenise(candidate.text) if is_word(t)]
    if len(words) < 2 or not _ORGAN_WORDS.intersection(words[1:]):
        return
    for size in (3, 2, 1):
        head = " ".join(words[:size])
        state_id = table.by_adjective.get(head) or table.by_name.get(head)
        if state_id and table.actors[state_id].type == EntityType.STATE:
            candidate.country = table.actors[state_id].country
            candidate.type = EntityType.ORGAN
            return


def _looks_like_name(name: str) -> bool:
    words = name.split()
    if not words or len(words) > 8 or len(name) < 2:
        return False
    first = name[0]
    return first.isupper() or (first.isalpha() and not first.islower())


def _may_be_aliases(owner: _Candidate, alias: Actor | None) -> bool:
    """Never join places ("Mosul (Iraq)"), sources ("(Reuters)") or two table actors."""
    blocked = {EntityType.STATE, EntityType.PLACE, EntityType.MEDIA}
    if owner.label in ("GPE", "LOC", "FAC") or (owner.actor and owner.actor.type in blocked):
        return False
    if alias is None:
        return True
    if alias.type in blocked:
        return False
    return owner.actor is None or owner.actor.id == alias.id


def _candidate_at(candidates: list[_Candidate], position: int) -> _Candidate | None:
    for candidate in candidates:
        if position <= candidate.start <= position + 4:
            return candidate
    return None


def _join_same_names(candidates: list[_Candidate], groups: _UnionFind) -> None:
    """Mentions with the same table actor, or the same normalised name, are one entity."""
    first: dict[str, int] = {}
    for i, candidate in enumerate(candidates):
        key = _provisional_key(candidate)
        if key in first:
            groups.union(first[key], i)
        else:
            first[key] = i


def _provisional_key(candidate: _Candidate) -> str:
    if candidate.actor is not None:
        return candidate.actor.id
    name = candidate.lemma_key or _strip_honorific(candidate.text)
    return f"{_candidate_type(candidate).value}:{slug(name)}"


def _candidate_type(candidate: _Candidate) -> EntityType:
    if candidate.actor is not None:
        return candidate.actor.type
    if candidate.type is not None:
        return candidate.type
    return _LABEL_TYPES.get(candidate.label, EntityType.OTHER)


def _drop_unsupported_weak(candidates: list[_Candidate], groups: _UnionFind) -> list[int]:
    """Keep a weak match ("IS", "AP") only when its group has a strong mention too."""
    strong = {groups.find(i) for i, c in enumerate(candidates) if not c.weak}
    return [i for i, c in enumerate(candidates) if not c.weak or groups.find(i) in strong]


def _assemble(candidates: list[_Candidate], groups: _UnionFind, kept: list[int]) -> LinkedEntities:
    members: dict[int, list[int]] = {}
    for i in kept:
        members.setdefault(groups.find(i), []).append(i)
    key_of: dict[int, str] = {}
    entities: list[Entity] = []
    for root, indexes in members.items():
        entity = _entity(indexes, candidates)
        key_of[root] = entity.key
        entities.append(entity)
    mentions = [
        EntityMention(c.text, c.start, c.end, c.label, key_of[groups.find(i)])
        for i, c in ((i, candidates[i]) for i in sorted(kept, key=lambda i: candidates[i].start))
    ]
    entities = _merge_same_keys(entities)
    entities.sort(key=lambda e: (-e.count, e.key))
    return LinkedEntities(entities, mentions)


def _entity(indexes: list[int], candidates: list[_Candidate]) -> Entity:
    group = [candidates[i] for i in indexes]
    actor = next((c.actor for c in group if c.actor is not None), None)
    names = list(dict.fromkeys(_strip_honorific(c.text) for c in group))
    if actor is not None:
        return Entity(actor.id, actor.name, actor.type, tuple(names), actor.country, len(group))
    best = max(group, key=lambda c: (_is_full_name(c), len(c.text.split()), -c.start))
    type_ = _candidate_type(best)
    name = _strip_honorific(best.text)
    country = next((c.country for c in group if c.country), None)
    key = f"{type_.value}:{slug(best.lemma_key or name)}"
    return Entity(key, name, type_, tuple(names), country, len(group))


def _is_full_name(candidate: _Candidate) -> bool:
    return candidate.label == "PERSON" and len(candidate.text.split()) > 1


def _merge_same_keys(entities: list[Entity]) -> list[Entity]:
    merged: dict[str, Entity] = {}
    for entity in entities:
        known = merged.get(entity.key)
        if known is None:
            merged[entity.key] = entity
        else:
            aliases = tuple(dict.fromkeys([*known.aliases, *entity.aliases]))
            merged[entity.key] = replace(known, aliases=aliases, count=known.count + entity.count)
    return list(merged.values())


def merge_entities(documents: Iterable[Iterable[Entity]]) -> dict[str, Entity]:
    """Cross-document totals: entities with the same key summed (counts, aliases)."""
    merged: dict[str, Entity] = {}
    for entities in documents:
        for entity in entities:
            known = merged.get(entity.key)
            if known is None:
                merged[entity.key] = entity
                continue
            aliases = tuple(dict.fromkeys([*known.aliases, *entity.aliases]))
            merged[entity.key] = replace(known, aliases=aliases, count=known.count + entity.count)
    return merged


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def grow(self) -> None:
        self.parent.append(len(self.parent))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            # The earlier mention stays the root so a group's identity is its first name.
            low, high = sorted((root_a, root_b))
            self.parent[high] = low

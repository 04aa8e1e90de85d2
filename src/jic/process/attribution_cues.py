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
SPEECH_VERBS = lexicon(
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
    """.replace(".", "")
)

# Nouns that signal attribution without a verb ("in a statement", "a spokesman").
CUE_NOUNS = lexicon(
    """
    statement statements interview interviews spokesman spokeswoman spokesperson
    announcement press briefing communique communiqué remarks comments tweet tweets
    report reports claim claims allegation allegations testimony source sources
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
_IRREGULAR = lexicon(
    "said told wrote written thought felt knew known saw seen found shown read swore sworn "
    "sang sung"
)


def _verb_forms() -> list[str]:
    forms: set[str] = set(_IRREGULAR)
    for lemma in SPEECH_VERBS:
        for suffix in _INFLECTIONS:
            forms.add(lemma + suffix)
        if lemma.endswith("e"):
            forms.update({lemma[:-1] + "ing", lemma + "d"})
        if lemma.endswith("y"):
            forms.update({lemma[:-1] + "ies", lemma[:-1] + "ied"})
        # doubled final consonant: "admitted", "referring"
        forms.update({lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"})
    return sorted(forms, key=len, reverse=True)


_CUE_RE = re.compile(
    r"\b(?:"
    + "|".join(re.escape(f) for f in [*_verb_forms(), *sorted(CUE_NOUNS)])
    + r")\b|\baccording\s+to\b|[\"“”«»„]|''|``|^[^:\n]{1,60}:\s",
    re.IGNORECASE,
)


def sentence_has_cue(text: str) -> bool:
    """True when a sentence may carry an attribution and so is worth parsing.

    Cheap on purpose (one regular expression, no model): it errs towards saying yes,
    since a sentence it rejects can never yield a claim.
    """
    return _CUE_RE.search(text) is not None

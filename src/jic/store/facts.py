"""Processed facts as rows: entities, places, events and claims per document.

The pipeline keeps each stage's output as one JSON value (``stage_outputs``); search
filters and facets, the claims ledger, maps, graphs and timelines need the same facts
as rows they can join to the sharing policy and count. ``rewrite`` replaces a
document's rows from its merged stage outputs; the pipeline calls it in the
transaction that saves the outputs, so rows and outputs never disagree.

Keys: an entity keeps the linker's key ("ORG:islamic-state"), the same across
documents; a place is ``gn:<GeoNames id>``, or ``name:<name>`` for a place known
only by its name (an approximate match). Every name and alias of an entity goes into
``entity_names`` lower-cased, so that ``entity:Daesh`` finds the Islamic State.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from jic.store.schema import (
    doc_claims,
    doc_entities,
    doc_events,
    doc_places,
    documents,
    entity_names,
    stage_outputs,
)
from jic.store.times import parse_iso

# The stages whose outputs become rows; a document whose run touched any of them has
# its rows rewritten.
FACT_STAGES = frozenset({"dedup", "entities", "places", "dates", "claims", "events"})
_CHUNK = 500


def place_key(geonames_id: int | str | None, name: str) -> str:
    """The key a place is known by across documents."""
    if geonames_id not in (None, "", 0, "0"):
        return f"gn:{int(geonames_id)}"
    return f"name:{name.strip().lower()}"


def name_key(name: str) -> str:
    """How an entity name is looked up: trimmed, lower-cased, inner spaces collapsed."""
    return " ".join(name.lower().split())


def rewrite(connection: Connection, fields_by_document: Mapping[int, Mapping[str, Any]]) -> None:
    """Replace the fact rows of these documents with those in their outputs."""
    ids = list(fields_by_document)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for table in (doc_entities, doc_places, doc_events, doc_claims):
            connection.execute(delete(table).where(table.c.document_id.in_(chunk)))
    entities: list[dict[str, Any]] = []
    names: dict[tuple[str, str], None] = {}
    places: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for document_id, fields in fields_by_document.items():
        for row, aliases in _entities(document_id, fields):
            entities.append(row)
            for name in (row["name"], *aliases):
                key = name_key(name)
                if key:
                    names[(row["entity_key"], key[:500])] = None
        places.extend(_places(document_id, fields))
        events.extend(_events(document_id, fields))
        claims.extend(_claims(document_id, fields))
    for table, rows in (
        (doc_entities, entities),
        (doc_places, places),
        (doc_events, events),
        (doc_claims, claims),
    ):
        for start in range(0, len(rows), _CHUNK):
            connection.execute(table.insert(), rows[start : start + _CHUNK])
    _add_names(connection, [{"entity_key": k, "name": n} for k, n in names])
    _set_duplicates(connection, fields_by_document)


def _set_duplicates(
    connection: Connection, fields_by_document: Mapping[int, Mapping[str, Any]]
) -> None:
    by_original: dict[int | None, list[int]] = {}
    for document_id, fields in fields_by_document.items():
        if "duplicate_of" in fields:
            original = fields["duplicate_of"]
            by_original.setdefault(int(original) if original else None, []).append(document_id)
    for original, ids in by_original.items():
        for start in range(0, len(ids), _CHUNK):
            connection.execute(
                update(documents)
                .where(documents.c.id.in_(ids[start : start + _CHUNK]))
                .values(duplicate_of=original)
            )


def backfill(connection: Connection) -> int:
    """Rows for every document whose fact stages ran before rows existed (an upgrade)."""
    stages = select(stage_outputs.c.document_id).where(stage_outputs.c.stage.in_(FACT_STAGES))
    have = select(doc_entities.c.document_id).union(
        select(doc_places.c.document_id),
        select(doc_events.c.document_id),
        select(doc_claims.c.document_id),
    )
    pending = sorted(
        set(connection.execute(stages.distinct()).scalars())
        - set(connection.execute(have).scalars())
    )
    done = 0
    for start in range(0, len(pending), _CHUNK):
        chunk = pending[start : start + _CHUNK]
        fields: dict[int, dict[str, Any]] = {doc: {} for doc in chunk}
        rows = connection.execute(
            select(stage_outputs.c.document_id, stage_outputs.c.data).where(
                stage_outputs.c.document_id.in_(chunk)
            )
        )
        for document_id, data in rows:
            fields[document_id].update(data or {})
        rewrite(connection, fields)
        done += len(chunk)
    return done


def entity_keys(connection: Connection, name: str) -> list[str]:
    """Keys of the entities known by this name or alias (case-insensitive)."""
    query = select(entity_names.c.entity_key).where(entity_names.c.name == name_key(name))
    return sorted(set(connection.execute(query).scalars()))


def _add_names(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = connection.dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    for start in range(0, len(rows), _CHUNK):
        statement = module.insert(entity_names).on_conflict_do_nothing()
        connection.execute(statement, rows[start : start + _CHUNK])


def _entities(
    document_id: int, fields: Mapping[str, Any]
) -> Iterable[tuple[dict[str, Any], list[str]]]:
    for entity in fields.get("entities") or []:
        yield (
            {
                "document_id": document_id,
                "entity_key": str(entity["id"])[:300],
                "name": str(entity["name"])[:500],
                "type": str(entity["type"])[:32],
                "country": entity.get("country"),
                "mentions": int(entity.get("mentions") or 0),
            },
            [str(alias) for alias in entity.get("aliases") or []],
        )


def _places(document_id: int, fields: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for place in fields.get("places") or []:
        key = place_key(place.get("geonames_id"), str(place["name"]))[:300]
        mentions = len(place.get("mentions") or [])
        if key in seen:  # two spellings resolved to one record
            seen[key]["mentions"] += mentions
            continue
        seen[key] = {
            "document_id": document_id,
            "place_key": key,
            "geonames_id": int(place["geonames_id"]) if place.get("geonames_id") else None,
            "name": str(place["name"])[:500],
            "lat": place.get("lat"),
            "lon": place.get("lon"),
            "country": place.get("country") or None,
            "admin1": (place.get("admin1") or None),
            "feature_class": place.get("feature_class") or None,
            "mentions": mentions,
        }
    return seen.values()


def _events(document_id: int, fields: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    dates = {d["start"]: d.get("date") for d in fields.get("dates") or []}
    names = {
        place_key(p.get("geonames_id"), str(p["name"])): str(p["name"])
        for p in fields.get("places") or []
    }
    for position, event in enumerate(fields.get("events") or []):
        place_id = event.get("place_id")
        key = None
        if place_id:
            key = place_key(place_id, "") if str(place_id).isdigit() else place_key(None, place_id)
        date_span = event.get("date")
        yield {
            "document_id": document_id,
            "position": position,
            "type": str(event["type"]),
            "trigger": event["trigger"]["text"],
            "trigger_start": event["trigger"]["start"],
            "trigger_end": event["trigger"]["end"],
            "sentence_start": event["sentence"]["start"],
            "sentence_end": event["sentence"]["end"],
            "sources": [_actor(a) for a in event.get("sources") or []],
            "targets": [_actor(a) for a in event.get("targets") or []],
            "place_key": key[:300] if key else None,
            "place_name": names.get(key or "")
            or (event["place"]["text"] if event.get("place") else None),
            "date": parse_iso(dates.get(date_span["start"])) if date_span else None,
        }


def _actor(actor: Mapping[str, Any]) -> dict[str, Any]:
    span = actor.get("span") or {}
    return {
        "text": span.get("text"),
        "start": span.get("start"),
        "end": span.get("end"),
        "entity_id": actor.get("entity_id"),
        "country": actor.get("country"),
    }


def _claims(document_id: int, fields: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    for position, claim in enumerate(fields.get("claims") or []):
        claimant = claim.get("claimant") or {}
        cue = claim["cue"]
        yield {
            "document_id": document_id,
            "position": position,
            "claimant": claimant.get("text"),
            "claimant_kind": claimant.get("kind"),
            "claimant_entity": claimant.get("entity_id"),
            "cue": cue["text"],
            "cue_lemma": str(cue.get("lemma") or cue["text"])[:64],
            "stance": str(claim["stance"]),
            "content": claim["content"]["text"],
            "content_start": claim["content"]["start"],
            "content_end": claim["content"]["end"],
            "sentence_start": claim["sentence"]["start"],
            "sentence_end": claim["sentence"]["end"],
            "channel": claim.get("channel"),
            "refers_to": claim.get("refers_to"),
            "claim_date": parse_iso(claim.get("claim_date")),
            "proposition_id": None,
        }

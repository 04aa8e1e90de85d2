"""Map data: the places documents mention, as GeoJSON, as one reader may see them.

One Point feature per place with coordinates (GeoJSON order: longitude, latitude),
with the number of documents that mention it, its events by type and the newest
few documents. Places known only by a name have no point; the collection says how
many there were (``unlocated``), so nothing drops off the map unseen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from jic.store import views as view_repo
from jic.store.times import iso
from jic.store.visibility import Reader

DOCUMENTS_PER_PLACE = 5


def places_geojson(
    connection: Connection,
    reader: Reader,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    story: int | None = None,
    query: str | None = None,
    limit: int = 500,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the places in the documents ``reader`` may see,
    published in ``[since, until)``, most documents first, at most ``limit``."""
    if not 1 <= limit <= 10_000:
        raise view_repo.ViewInputError(f"limit {limit} is out of range", "give 1 to 10000")
    view_repo.check_period(since, until)
    scope = view_repo.Scope(story=story, query=query)
    where = view_repo.clauses(connection, reader, scope)
    rows = view_repo.places(connection, where, since, until, limit)
    keys = [row["place_key"] for row in rows]
    events: dict[str, dict[str, int]] = {}
    for key, kind, n in view_repo.place_events(connection, where, since, until, keys):
        events.setdefault(key, {})[kind] = n
    newest = view_repo.place_documents(connection, where, since, until, keys, DOCUMENTS_PER_PLACE)
    features = [_feature(row, events.get(row["place_key"], {}), newest) for row in rows]
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "since": iso(since) if since else None,
            "until": iso(until) if until else None,
            "places": len(features),
            "unlocated": view_repo.unlocated_places(connection, where, since, until),
        },
    }


def _feature(row: dict[str, Any], events: dict[str, int], newest: dict[str, list[int]]) -> Any:
    return {
        "type": "Feature",
        "id": row["place_key"],
        "geometry": {
            "type": "Point",
            "coordinates": [round(float(row["lon"]), 5), round(float(row["lat"]), 5)],
        },
        "properties": {
            "key": row["place_key"],
            "name": row["name"],
            "geonames_id": row["geonames_id"],
            "country": row["country"],
            "feature_class": row["feature_class"],
            "documents": int(row["documents"]),
            "mentions": int(row["mentions"] or 0),
            "events": dict(sorted(events.items(), key=lambda item: (-item[1], item[0]))),
            "event_count": sum(events.values()),
            "document_ids": newest.get(row["place_key"], []),
        },
    }

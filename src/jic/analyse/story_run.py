"""Stories over the stored documents: assign new documents online, and read stories
back as each reader may see them.

``assign_stories`` offers every processed document that has no story yet to the
online clusterer (analyse/stories.py), oldest first, one at a time, and saves both
the assignments and the clusterer's state in the same transaction, batch by batch.
Copies found by the dedup stage join their original's story.

A story as a reader sees it rests only on the documents that reader may see: its
documents, title, time span, places and entities are all computed from those, so a
story reveals nothing that rests only on hidden documents (and a story whose
documents are all hidden does not exist for that reader).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jic.analyse.stories import OnlineStoryClusterer, StoryDoc, StoryOptions
from jic.analyse.story_features import number_key
from jic.store import audit, processing
from jic.store import documents as document_repo
from jic.store import stories as story_repo
from jic.store.database import Store
from jic.store.times import iso
from jic.store.visibility import OPERATOR, Reader

_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
READ_LIMIT = 50_000  # numbers are read from the head of very long documents only
AFTER_STAGE = "dates"  # the last stage whose output stories read
BATCH = 200
# The last 200 documents stay movable: each arrival regroups its 3 nearest stories by
# average linkage; chosen on ECB+ train (bench/stories.py --tune-revision, docs/stories.md).
OPTIONS = StoryOptions(revision_window=200, revision_stories=3, link_threshold=1.35)


def _story_doc(
    doc_id: int, title: str | None, published: datetime | None, found: dict[str, Any]
) -> StoryDoc:
    entities = tuple(key for _s, _e, key, _label in found.get("entity_mentions", []))
    places = tuple(
        str(place.get("geonames_id") or place["name"])
        for place in found.get("places", [])
        for _mention in place.get("mentions", [None])
    )
    # As the benchmark keys them (bench/stories.py): the year and the year-month of
    # each resolved date, and the value of each number written in the text.
    dates = tuple(
        key
        for d in found.get("dates", [])
        if d.get("date")
        for key in (d["date"][:4], d["date"][:7])
    )
    text = found.get("clean_text", "")
    numbers = tuple(
        key for match in _NUMBER.finditer(text[:READ_LIMIT]) if (key := number_key(match.group()))
    )
    original = found.get("duplicate_of")
    return StoryDoc(
        id=str(doc_id),
        text=found.get("clean_text", ""),
        title=title or "",
        published=published,
        entities=entities,
        places=places,
        dates=dates,
        numbers=numbers,
        duplicate_of=str(original) if original else None,
    )


def assign_stories(store: Store, *, options: StoryOptions = OPTIONS, batch: int = BATCH) -> int:
    """Give every processed document without a story its story; returns how many.

    A revision of young stories may move documents recorded in earlier batches: their
    rows are updated in the same transaction as the state that moved them."""
    assigned = 0
    while True:
        with store.write() as connection:
            story_repo.lock(connection)
            ids = story_repo.pending(connection, AFTER_STAGE, batch)
            if not ids:
                break
            state = story_repo.load_state(connection)
            clusterer = (
                OnlineStoryClusterer.from_state(state, options)
                if state
                else OnlineStoryClusterer(options)
            )
            outputs = processing.outputs(connection, ids)
            docs = {d.id: d for d in document_repo.get_many(connection, ids)}
            rows: list[dict[str, Any]] = []
            in_batch: dict[int, dict[str, Any]] = {}
            moved: dict[int, int] = {}
            for doc_id in ids:
                found: dict[str, Any] = {}
                for output in outputs.get(doc_id, {}).values():
                    found.update(output)
                doc = docs[doc_id]
                placed = clusterer.assign(_story_doc(doc_id, doc.title, doc.published, found))
                row = {
                    "document_id": doc_id,
                    "story_id": placed.story_id,
                    "is_copy": placed.is_copy,
                    "similarity": round(placed.similarity, 4),
                }
                rows.append(row)
                in_batch[doc_id] = row
                for other, story_id in placed.moved:  # a revision regrouped young stories
                    if int(other) in in_batch:
                        in_batch[int(other)]["story_id"] = story_id
                    else:
                        moved[int(other)] = story_id
            story_repo.record(connection, rows)
            story_repo.move(connection, moved)
            story_repo.save_state(connection, clusterer.to_state())
            audit.append(
                connection,
                audit.Actor(),
                "stories.assign",
                object_type="stories",
                detail={
                    "documents": len(rows),
                    "first": ids[0],
                    "last": ids[-1],
                    "moved": len(moved),
                },
            )
            assigned += len(rows)
    return assigned


@dataclass(slots=True)
class StoryView:
    id: int
    title: str
    start: datetime | None
    end: datetime | None
    documents: list[int]
    copies: list[int] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "start": iso(self.start) if self.start else None,
            "end": iso(self.end) if self.end else None,
            "places": self.places,
            "entities": self.entities,
            "documents": self.documents,
            "copies": self.copies,
        }


def stories(store: Store, reader: Reader = OPERATOR, *, top: int = 5) -> list[StoryView]:
    """Every story the reader may see, built from the documents it may see."""
    with store.read() as connection:
        membership = story_repo.members_of(connection, reader)
        ids = [doc_id for members in membership.values() for doc_id, _ in members]
        docs = {d.id: d for d in document_repo.get_many(connection, ids, reader)}
        outputs = processing.outputs(connection, ids, ["places", "entities"])
    views = []
    for story_id, members in sorted(membership.items()):
        ordered = [doc_id for doc_id, _ in members]
        times = [t for t in (docs[d].published for d in ordered) if t is not None]
        places: Counter[str] = Counter()
        entities: Counter[str] = Counter()
        for doc_id in ordered:
            for place in outputs.get(doc_id, {}).get("places", {}).get("places", []):
                places[place["name"]] += len(place["mentions"])
            for entity in outputs.get(doc_id, {}).get("entities", {}).get("entities", []):
                entities[entity["name"]] += entity["mentions"]
        first = docs[ordered[0]]
        views.append(
            StoryView(
                id=story_id,
                title=first.title or first.text[:80],
                start=min(times) if times else None,
                end=max(times) if times else None,
                documents=ordered,
                copies=[doc_id for doc_id, copy in members if copy],
                places=[name for name, _ in places.most_common(top)],
                entities=[name for name, _ in entities.most_common(top)],
            )
        )
    return views

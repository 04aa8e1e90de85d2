"""The story clusterer's state as plain data (JSON-ready), and back.

    dump(clusterer)                  -> dict, version 3
    load(cls, state, options=None)   -> clusterer; versions 1 to 3 are read

Version 3 keeps each story's core (the summed unit vectors of its frozen members) and
the movable documents of the revision window. Versions 1 and 2 kept a centroid (the sum
of members' unit tf vectors) and representative members instead: each old story becomes
a core whose every member is taken to point along its centroid, channel by channel, so
a document's mean similarity to it is its cosine to the centroid (the part of the old
score that rested on the centroid). Their documents are all frozen: nothing saved by an
older version ever moves.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jic.analyse.story_revision import RecentDoc

if TYPE_CHECKING:
    from jic.analyse.stories import OnlineStoryClusterer, StoryOptions

STATE_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)


def dump(clusterer: OnlineStoryClusterer) -> dict[str, Any]:
    """Everything the clusterer knows, as JSON-ready plain data."""
    return {
        "version": STATE_VERSION,
        "options": asdict(clusterer.options),
        "n": clusterer._n,
        "df": dict(clusterer._df),
        "next_id": clusterer._next_id,
        "open": list(clusterer._open),
        "postings": clusterer._postings,
        "stories": [_story_state(story) for story in clusterer._stories.values()],
        "recent": [_recent_state(doc) for doc in clusterer._recent.values()],
        "copies": {
            original: [_member_state(m) for m in members]
            for original, members in clusterer._copies.items()
        },
    }


def load(
    cls: type[OnlineStoryClusterer],
    state: Mapping[str, Any],
    options: StoryOptions | None = None,
) -> OnlineStoryClusterer:
    """Rebuild a clusterer saved with ``dump``; ``options`` overrides the saved ones."""
    from jic.analyse.stories import StoryOptions, StoryStateError

    version = state.get("version")
    if version not in READABLE_VERSIONS:
        raise StoryStateError(
            f"story clusterer state version {version!r} is not one of {READABLE_VERSIONS}",
            "re-run story clustering over the documents to rebuild the state",
        )
    known = {f.name for f in fields(StoryOptions)}
    saved = {key: value for key, value in state["options"].items() if key in known}
    clusterer = cls(options or StoryOptions(**saved))
    clusterer._n = int(state["n"])
    clusterer._df = Counter(state["df"])
    clusterer._next_id = int(state["next_id"])
    clusterer._postings = {key: list(ids) for key, ids in state["postings"].items()}
    for item in state["stories"]:
        story = _story_from_state(item) if version == STATE_VERSION else _old_story(clusterer, item)
        clusterer._stories[story.id] = story
        for member in story.members:
            clusterer._doc_story[member.doc_id] = story.id
        for doc_id in story.young:
            clusterer._doc_story[doc_id] = story.id
    clusterer._open = OrderedDict((int(story_id), None) for story_id in state["open"])
    if version == STATE_VERSION:
        for item in state["recent"]:
            doc = _recent_from_state(item)
            clusterer._recent[doc.doc_id] = doc
        for original, members in state["copies"].items():
            copies = [_member_from_state(m) for m in members]
            clusterer._copies[original] = copies
            for copy in copies:
                clusterer._doc_story[copy.doc_id] = clusterer._doc_story[original]
    return clusterer


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def _member_state(member: Any) -> list[Any]:
    return [member.doc_id, _iso(member.published), member.is_copy, member.original]


def _member_from_state(item: list[Any]) -> Any:
    from jic.analyse.stories import _Member

    # Version 1 saved members as [id, published, is_copy], without the original.
    return _Member(item[0], _parse_iso(item[1]), bool(item[2]), *item[3:4])


def _story_state(story: Any) -> dict[str, Any]:
    return {
        "id": story.id,
        "open": story.open,
        "core": story.core,
        "core_size": story.core_size,
        "core_channels": dict(story.core_channels),
        "members": [_member_state(m) for m in story.members],
        "young": story.young,
        "entities": dict(story.entities),
        "places": dict(story.places),
        "first": _iso(story.first),
        "last": _iso(story.last),
        "title": story.title,
    }


def _story_from_state(item: Mapping[str, Any]) -> Any:
    from jic.analyse.stories import _Story

    return _Story(
        id=int(item["id"]),
        core=dict(item["core"]),
        core_size=int(item["core_size"]),
        core_channels=Counter(item["core_channels"]),
        members=[_member_from_state(m) for m in item["members"]],
        young=list(item["young"]),
        entities=Counter(item["entities"]),
        places=Counter(item["places"]),
        first=_parse_iso(item["first"]),
        last=_parse_iso(item["last"]),
        title=item["title"],
        open=bool(item["open"]),
    )


def _old_story(clusterer: OnlineStoryClusterer, item: Mapping[str, Any]) -> Any:
    """A version 1 or 2 story as a core: each member along the centroid, per channel."""
    from jic.analyse.stories import _Story

    members = [_member_from_state(m) for m in item["members"]]
    size = sum(1 for m in members if not m.is_copy)
    centroid: Mapping[str, float] = item["centroid"]
    weighted = {key: value * clusterer._idf(key) for key, value in centroid.items()}
    lengths: dict[str, float] = {}
    for key, value in weighted.items():
        lengths[key[:2]] = lengths.get(key[:2], 0.0) + value * value
    core = {key: size * value / math.sqrt(lengths[key[:2]]) for key, value in weighted.items()}
    reps = item["representatives"]
    return _Story(
        id=int(item["id"]),
        core=core if item["open"] else {},
        core_size=size,
        core_channels=Counter(dict.fromkeys(lengths, size)),
        members=members,
        entities=Counter(item["entities"]),
        places=Counter(item["places"]),
        first=_parse_iso(item["first"]),
        last=_parse_iso(item["last"]),
        title=reps[0]["title"] if reps else "",
        open=bool(item["open"]),
    )


def _recent_state(doc: RecentDoc) -> dict[str, Any]:
    return {
        **asdict(doc),
        "published": _iso(doc.published),
        "entities": list(doc.entities),
        "places": list(doc.places),
    }


def _recent_from_state(item: Mapping[str, Any]) -> RecentDoc:
    return RecentDoc(
        doc_id=item["doc_id"],
        arrival=int(item["arrival"]),
        counts=dict(item["counts"]),
        title=item["title"],
        published=_parse_iso(item["published"]),
        entities=tuple(item["entities"]),
        places=tuple(item["places"]),
        similarities=dict(item["similarities"]),
        similarities_n=int(item["similarities_n"]),
        lengths=dict(item["lengths"]),
        lengths_n=int(item["lengths_n"]),
    )

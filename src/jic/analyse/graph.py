"""The entity graph: entities linked by what the documents say, with the evidence.

Nodes are the entities the documents in scope mention most (``count``: how many
documents). Edges, each with a kind, a weight and its evidence (documents and spans):

* ``story``: two entities mentioned in the same story (a document without a story
  counts as a story of its own); weight = the number of stories, evidence = the
  documents of each story that mention either;
* ``event``: an event whose source is one entity and whose target is another,
  directed actor -> target; weight = the number of events, evidence = the document,
  the trigger and the sentence;
* ``claim``: a claim whose claimant is one entity and whose content mentions another,
  directed claimant -> entity; weight = the number of claims, evidence = the document
  and the content span.

Everything rests only on the documents the reader may see. Only edges between the
nodes shown are kept, so ``limit`` bounds the graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from typing import Any

from sqlalchemy import Connection

from jic.store import views as view_repo
from jic.store.visibility import Reader

EVIDENCE_PER_EDGE = 10  # evidence items kept per edge (the weight counts all)
ROWS_MAX = 20_000  # events and claims read per graph, newest first


@dataclass(slots=True)
class Node:
    key: str
    name: str
    type: str
    count: int  # documents mentioning it

    def record(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "type": self.type, "count": self.count}


@dataclass(slots=True)
class Evidence:
    document_id: int
    span: tuple[int, int] | None = None
    note: str | None = None  # the event type, the claim's stance, the story

    def record(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "span": list(self.span) if self.span else None,
            "note": self.note,
        }


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    kind: str  # "story", "event" or "claim"
    weight: int = 0
    directed: bool = False
    evidence: list[Evidence] = field(default_factory=list)

    def add(self, evidence: Iterable[Evidence]) -> None:
        self.weight += 1
        for item in evidence:
            if len(self.evidence) < EVIDENCE_PER_EDGE:
                self.evidence.append(item)

    def record(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "kind": self.kind,
            "weight": self.weight,
            "directed": self.directed,
            "evidence": [e.record() for e in self.evidence],
        }


@dataclass(slots=True)
class Graph:
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool  # more events or claims were in scope than were read

    def record(self) -> dict[str, Any]:
        return {
            "nodes": [n.record() for n in self.nodes],
            "edges": [e.record() for e in self.edges],
            "truncated": self.truncated,
        }


def entity_graph(
    connection: Connection,
    reader: Reader,
    *,
    story: int | None = None,
    entity: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> Graph:
    """The entities in the documents ``reader`` may see (in a story, around an entity,
    published in ``[since, until)``) and the edges between them."""
    if not 1 <= limit <= 1000:
        raise view_repo.ViewInputError(f"limit {limit} is out of range", "give 1 to 1000")
    view_repo.check_period(since, until)
    where = view_repo.clauses(connection, reader, view_repo.Scope(story=story, entity=entity))
    centre = view_repo.entity_keys(connection, entity) if entity else []
    rows = view_repo.top_entities(connection, where, since, until, limit, must=centre)
    nodes = [Node(r["entity_key"], r["name"], r["type"], int(r["documents"])) for r in rows]
    keys = {n.key for n in nodes}
    edges: dict[tuple[str, str, str], Edge] = {}
    _story_edges(edges, view_repo.entity_documents(connection, where, since, until, sorted(keys)))
    events = view_repo.events_with_actors(connection, where, since, until, ROWS_MAX)
    _event_edges(edges, events, keys)
    claims = view_repo.claims_by_claimants(connection, where, since, until, sorted(keys), ROWS_MAX)
    mentions = view_repo.entity_mentions(connection, {c["document_id"] for c in claims})
    _claim_edges(edges, claims, mentions, keys)
    ordered = sorted(edges.values(), key=lambda e: (-e.weight, e.kind, e.source, e.target))
    return Graph(nodes, ordered, truncated=len(events) >= ROWS_MAX or len(claims) >= ROWS_MAX)


def _edge(
    edges: dict[tuple[str, str, str], Edge], kind: str, a: str, b: str, directed: bool
) -> Edge:
    if not directed and b < a:
        a, b = b, a
    found = edges.get((kind, a, b))
    if found is None:
        found = edges[(kind, a, b)] = Edge(a, b, kind, directed=directed)
    return found


def _story_edges(
    edges: dict[tuple[str, str, str], Edge], rows: list[tuple[str, int, int | None]]
) -> None:
    # A story (or a document without one) -> entity -> the documents mentioning it.
    groups: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for key, document_id, story_id in rows:
        group = ("story", story_id) if story_id is not None else ("document", document_id)
        groups[group][key].append(document_id)
    for (kind, number), found in sorted(groups.items()):
        note = f"story {number}" if kind == "story" else None
        for a, b in combinations(sorted(found), 2):
            docs = sorted(set(found[a]) | set(found[b]))
            _edge(edges, "story", a, b, False).add(Evidence(d, None, note) for d in docs)


def _event_edges(
    edges: dict[tuple[str, str, str], Edge], events: list[dict[str, Any]], keys: set[str]
) -> None:
    for event in events:
        actors = {a.get("entity_id") for a in event["sources"] or []} & keys
        targets = {a.get("entity_id") for a in event["targets"] or []} & keys
        for actor in sorted(a for a in actors if a):
            for target in sorted(t for t in targets if t and t != actor):
                evidence = Evidence(
                    event["document_id"],
                    (event["sentence_start"], event["sentence_end"]),
                    f"{event['type']} ({event['trigger_start']}-{event['trigger_end']})",
                )
                _edge(edges, "event", actor, target, True).add([evidence])


def _claim_edges(
    edges: dict[tuple[str, str, str], Edge],
    claims: list[dict[str, Any]],
    mentions: dict[int, list[Any]],
    keys: set[str],
) -> None:
    for claim in claims:
        claimant = claim["claimant_entity"]
        start, end = claim["content_start"], claim["content_end"]
        subjects = {
            mention[2]
            for mention in mentions.get(claim["document_id"], [])
            if start <= mention[0] and mention[1] <= end
        }
        for subject in sorted(subjects & keys - {claimant}):
            evidence = Evidence(claim["document_id"], (start, end), claim["stance"])
            _edge(edges, "claim", claimant, subject, True).add([evidence])

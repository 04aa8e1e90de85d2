"""Bounded revision of young stories: re-group the most recent documents as later ones arrive.

    RecentDoc         what the clusterer keeps of each of its last documents
    average_linkage   group documents by the mean of their pairwise similarities

Online assignment decides with what it has seen so far: the second report of an event
can look more like the first report of a similar event (the other earthquake) than like
anything else, and once it has joined that story the story's centroid draws in the
reports of both. A story is *young* while the document that founded it is among the
last ``revision_window`` documents. Each time a document joins a young story, the
documents of all young stories are grouped again from scratch by average linkage, which
does not depend on their order, and the young stories are rebuilt from the groups.
Older stories and the documents in them never move, so the work per document is bounded
by the window, not by the size of the collection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

Vector = dict[str, float]


@dataclass(slots=True)
class RecentDoc:
    """One of the clusterer's last documents, with what it takes to move it."""

    doc_id: str
    arrival: int  # the clusterer's document count when it arrived (copies do not count)
    counts: Vector  # sublinear term frequencies, as in the story vectors
    title: str
    published: datetime | None
    entities: tuple[str, ...]
    places: tuple[str, ...]
    # Similarity to earlier recent documents that were in young stories when it arrived.
    similarities: dict[str, float] = field(default_factory=dict)
    similarities_n: int = 0  # the document count when ``similarities`` were computed


def average_linkage(similarity: Sequence[Sequence[float]], threshold: float) -> list[list[int]]:
    """Groups of indices: merge the two groups with the highest mean pairwise similarity
    while that mean reaches ``threshold`` (UPGMA, as the batch baseline does).

    ``similarity`` is a symmetric matrix. Ties go to the lowest indices, so the result
    depends only on the matrix, never on the order in which documents arrived beyond it.
    """
    groups: dict[int, list[int]] = {i: [i] for i in range(len(similarity))}
    # Sum of pairwise similarities between two groups; mean = sum / (size_a * size_b).
    sums: dict[int, dict[int, float]] = {
        i: {j: float(similarity[i][j]) for j in range(len(similarity)) if j != i} for i in groups
    }
    while len(groups) > 1:
        best: tuple[float, int, int] | None = None
        for a, row in sums.items():
            size_a = len(groups[a])
            for b, total in row.items():
                if b <= a:
                    continue
                mean = total / (size_a * len(groups[b]))
                if best is None or mean > best[0]:
                    best = (mean, a, b)
        if best is None or best[0] < threshold:
            break
        _, a, b = best
        groups[a].extend(groups.pop(b))
        row_b = sums.pop(b)
        for c, total in row_b.items():
            if c == a:
                continue
            sums[a][c] += total
            sums[c][a] += total
            del sums[c][b]
        del sums[a][b]
    return [sorted(members) for members in groups.values()]

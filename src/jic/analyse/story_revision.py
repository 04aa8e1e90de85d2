"""Bounded revision: the last documents are regrouped with their nearest stories as more arrive.

    RecentDoc         what the clusterer keeps of each of its last documents
    average_linkage   group nodes (documents, or the frozen core of a story) by the mean
                      of their pairwise similarities

Online assignment decides with what it has seen so far: the second report of an event
can look more like the first report of a similar event (the other earthquake) than like
anything else, and an event whose first report was atypical starts a story that its
later reports never join. The clusterer keeps the last ``revision_window`` documents
movable. When a document arrives, the few stories it is closest to (by average linkage)
are grouped again: their movable documents and the new one as single nodes, the rest of
each story as one node (its *core*), by average linkage. Groups can merge stories,
split their movable documents off, or take the new document in; cores never split.
The work per document is bounded by the window and the number of stories looked at,
never by the size of the collection.
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
    # Similarity to the recent documents that arrived before it.
    similarities: dict[str, float] = field(default_factory=dict)
    similarities_n: int = 0  # the document count when ``similarities`` were computed
    lengths: dict[str, float] = field(default_factory=dict)  # channel lengths, IDF-weighted
    lengths_n: int = -1  # the document count when ``lengths`` were computed; -1: not yet


def average_linkage(
    similarity: Sequence[Sequence[float]],
    threshold: float,
    *,
    sizes: Sequence[int] | None = None,
    apart: frozenset[int] = frozenset(),
) -> list[list[int]]:
    """Groups of node indices: merge the two groups with the highest mean pairwise
    similarity while that mean reaches ``threshold`` (UPGMA, as the batch baseline does).

    ``similarity[i][j]`` is the *sum* of the similarities between the documents of nodes
    i and j (for single documents, their similarity); ``sizes`` gives each node's number
    of documents (1 when omitted), so the mean between two groups is their sum over the
    product of their sizes. Nodes in ``apart`` never end up in one group. The matrix is
    symmetric; ties go to the lowest indices, so the result depends only on the matrix,
    never on the order in which documents arrived beyond it.
    """
    count = len(similarity)
    weight = list(sizes) if sizes is not None else [1] * count
    groups: dict[int, list[int]] = {i: [i] for i in range(count)}
    size = {i: weight[i] for i in range(count)}
    fixed = {i: i in apart for i in range(count)}
    sums: dict[int, dict[int, float]] = {
        i: {j: float(similarity[i][j]) for j in range(count) if j != i} for i in groups
    }
    while len(groups) > 1:
        best: tuple[float, int, int] | None = None
        for a, row in sums.items():
            for b, total in row.items():
                if b <= a or (fixed[a] and fixed[b]):
                    continue
                mean = total / (size[a] * size[b])
                if best is None or mean > best[0]:
                    best = (mean, a, b)
        if best is None or best[0] < threshold:
            break
        _, a, b = best
        groups[a].extend(groups.pop(b))
        size[a] += size.pop(b)
        fixed[a] = fixed[a] or fixed.pop(b)
        row_b = sums.pop(b)
        for c, total in row_b.items():
            if c == a:
                continue
            sums[a][c] += total
            sums[c][a] += total
            del sums[c][b]
        del sums[a][b]
    return [sorted(members) for members in groups.values()]

"""What a reader may see, counted: ``store.overview.tally`` against the full pass it
replaced, on the search bench's generated sets (100,000 and 1,000,000 documents).

``tally`` (the overview, `jic status`, `GET /api/v1/status`, the TLP banner of the map,
timeline and graph pages) applies the sharing policy to ``document_counts``, the
documents grouped by every column the policy reads (migration 0011). The baseline,
measured in the same run on the same database, is what it did before: the policy over
every document, grouped by source, language and TLP (on SQLite through the policy index,
``INDEXED BY ix_documents_policy``). Both must give the same counts; the bench stops if
they differ. Also timed: ``documents.status`` (what `jic status` reads) and
``documents.visible_counts`` (what `GET /api/v1/status` reads).

    python bench/tally.py [--sizes 100000 1000000] [--backends sqlite postgres]

The sets are the ones ``bench/search_scale.py`` builds and keeps in ``--data-dir``
(built here the same way if missing: 40 minutes for the SQLite million).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from jic.store import documents as document_repo
from jic.store.overview import tally
from jic.store.search import POLICY_INDEX
from jic.store.visibility import OPERATOR, Reader, fragment
from results import record
from search_scale import add_set_arguments, open_sized, reader_of


def full_pass(connection: sa.Connection, reader: Reader) -> dict[Any, int]:
    """The counts as ``tally`` made them before migration 0011."""
    where, params = fragment(connection, reader)
    table = "documents"
    if connection.dialect.name == "sqlite":
        table += f" INDEXED BY {POLICY_INDEX}"
    rows = connection.execute(
        sa.text(
            "SELECT documents.source_id, documents.language, documents.tlp, count(*) "
            f"FROM {table} WHERE {where} "
            "GROUP BY documents.source_id, documents.language, documents.tlp"
        ),
        params,
    )
    return {(s, lang, tlp): int(n) for s, lang, tlp, n in rows}


def timed(work: Callable[[], Any], runs: int) -> float:
    """The median of ``runs`` wall-clock seconds after a warm-up."""
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_set_arguments(parser, runs=5)
    args = parser.parse_args()
    args.facts = False
    rows = []
    for backend in args.backends:
        for size in args.sizes:
            store = open_sized(backend, size, args)
            analyst = reader_of(store)
            load = os.getloadavg()[0]
            with store.read() as connection:
                stored = int(
                    connection.execute(sa.text("SELECT count(*) FROM documents")).scalar_one()
                )
                groups = int(
                    connection.execute(sa.text("SELECT count(*) FROM document_counts")).scalar_one()
                )
                for name, reader in (("operator", OPERATOR), ("analyst of one member", analyst)):
                    before = full_pass(connection, reader)
                    counted = tally(connection, reader)
                    total, tlps = counted.total, counted.tlps
                    expected_tlps: dict[str, int] = {}
                    for (_, _, tlp), n in before.items():
                        expected_tlps[tlp] = expected_tlps.get(tlp, 0) + n
                    if total != sum(before.values()) or tlps != expected_tlps:
                        raise SystemExit(f"{backend} {size}: tally and the full pass differ")
                    old = timed(lambda r=reader: full_pass(connection, r), args.runs)
                    new = timed(lambda r=reader: tally(connection, r), args.runs)
                    status = timed(lambda r=reader: document_repo.status(connection, r), args.runs)
                    counts = timed(
                        lambda r=reader: document_repo.visible_counts(connection, r), args.runs
                    )
                    rows.append(
                        f"| {backend} | {stored:,} | {groups:,} | {name} | {total:,} | "
                        f"{old * 1000:.1f} | {new * 1000:.2f} | {old / new:,.0f}x | "
                        f"{status * 1000:.1f} | {counts * 1000:.2f} | "
                        f"{load:.1f}-{os.getloadavg()[0]:.1f} |"
                    )
                    print(rows[-1], flush=True)
            store.close()
    body = "\n".join(
        [
            "What a reader may see, counted per source, language and TLP: `store.overview.tally` "
            "over `document_counts` (migration 0011) against the full pass it replaced (the "
            "policy over every document, grouped; on SQLite through `ix_documents_policy`), "
            "in the same run on the same database, with the same counts (checked). Medians of "
            f"{args.runs} runs after a warm-up, ms. status = `documents.status` (`jic status`: "
            "also lossy documents, versions, sightings and processing stages); "
            "visible_counts = `GET /api/v1/status`. Load: the 1-minute load average before "
            "and after (2 cores, shared).",
            "",
            "| backend | documents | count groups | reader | sees | full pass | tally | "
            "ratio | status | visible_counts | load |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    record(
        "tally",
        body,
        data="documents generated by bench/corpus_gen.py (the search_scale sets in --data-dir)",
    )


if __name__ == "__main__":
    main()

"""`jic maintain` on the search bench's generated sets: how long each step takes, and
what merging the SQLite search index into one segment does to search.

SQLite: the kept set is copied (``sqlite-N-maintained`` beside it in ``--data-dir``),
``maintain`` runs on the copy, and the 50 queries of ``bench/search_scale.py`` run on
both copies, alternating query by query and run by run: jic's default search (bounded,
no facets) and the raw FTS5 query of the search bench. The two copies must give the
same totals and the same pages. PostgreSQL: ``maintain`` on the kept set, timed (it
changes no row a search reads).

    python bench/maintain.py [--sizes 100000] [--backends sqlite postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jic.analyse import search as search_view
from jic.settings import Settings
from jic.store.database import Store, open_store
from jic.store.maintenance import Step, maintain
from results import record
from search_scale import (
    QUERIES,
    add_set_arguments,
    open_sized,
    percentile,
    raw_statements,
    reader_of,
)


def _copy(home: Path, to: Path) -> None:
    """A copy of a SQLite set, made from a checkpointed file (the WAL folded in)."""
    store = open_store(Settings(home=home))
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    if to.exists():
        shutil.rmtree(to)
    to.mkdir(parents=True)
    shutil.copy2(home / "jic.sqlite3", to / "jic.sqlite3")


def _steps(store: Store) -> list[Step]:
    report = maintain(
        store, say=lambda step: print(f"  {step.name}: {step.detail} ({step.seconds:.1f} s)")
    )
    assert report.ok, report.steps
    return report.steps


def _paired(stores: list[Store], runs: int) -> list[dict[str, list[float]]]:
    """Per store, the median CPU and wall ms of each query, jic and raw."""
    readers = [reader_of(store) for store in stores]
    out: list[dict[str, list[float]]] = [
        {"jic": [], "raw": [], "jic_wall": [], "raw_wall": []} for _ in stores
    ]
    for query in QUERIES:
        work: list[tuple[int, str, Callable[[], Any]]] = []
        answers = []
        for i, (store, reader) in enumerate(zip(stores, readers, strict=True)):
            top, count = raw_statements(store, query, bounded=True)

            def raw(store: Store = store, top: Any = top, count: Any = count) -> None:
                with store.read() as connection:
                    connection.execute(top).all()
                    connection.execute(count).scalar_one()

            def jic(store: Store = store, reader: Any = reader, query: str = query) -> Any:
                result = search_view.search(store, query, limit=20, reader=reader, facets=False)
                json.dumps(search_view.result_record(result))
                return result

            result = jic()  # warm, and the answer to compare
            raw()
            answers.append((result.total, [hit.document_id for hit in result.hits]))
            work += [(i, "raw", raw), (i, "jic", jic)]
        if any(answer != answers[0] for answer in answers):
            raise SystemExit(f"{query!r}: the maintained copy answers differently: {answers}")
        samples: dict[tuple[int, str], tuple[list[float], list[float]]] = {
            (i, name): ([], []) for i, name, _ in work
        }
        for run in range(runs):
            for i, name, function in work if run % 2 else reversed(work):
                started, started_cpu = time.perf_counter(), time.process_time()
                function()
                samples[(i, name)][0].append((time.process_time() - started_cpu) * 1000)
                samples[(i, name)][1].append((time.perf_counter() - started) * 1000)
        for (i, name), (cpu, wall) in samples.items():
            out[i][name].append(statistics.median(cpu))
            out[i][name + "_wall"].append(statistics.median(wall))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_set_arguments(parser, runs=5)
    parser.set_defaults(sizes=[100_000], facts=False)
    args = parser.parse_args()
    for backend in args.backends:
        run_backend(backend, args)


def run_backend(backend: str, args: argparse.Namespace) -> None:
    rows = ["| documents | step | what it did | seconds |", "|---|---|---|---|"]
    search_rows = [
        "| documents | index | jic p50 | jic p95 | raw p50 | raw p95 | jic / raw at p50 | "
        "sum jic / sum raw | jic p50 / p95, wall | raw p50 / p95, wall |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    loads = []
    for size in args.sizes:
        loads.append(os.getloadavg()[0])
        store = open_sized(backend, size, args)
        if backend == "sqlite":
            store.close()
            home = args.data_dir / f"sqlite-{size}"
            copy = args.data_dir / f"sqlite-{size}-maintained"
            _copy(home, copy)
            store, merged = open_store(Settings(home=home)), open_store(Settings(home=copy))
            steps = _steps(merged)
            timings = _paired([store, merged], args.runs)
            labels = ("as written by ingest", "after `jic maintain`")
            for label, t in zip(labels, timings, strict=True):
                p = {k: (percentile(v, 0.5), percentile(v, 0.95)) for k, v in t.items()}
                search_rows.append(
                    f"| {size:,} | {label} | {p['jic'][0]:.1f} | {p['jic'][1]:.1f} | "
                    f"{p['raw'][0]:.1f} | {p['raw'][1]:.1f} | {p['jic'][0] / p['raw'][0]:.2f} | "
                    f"{sum(t['jic']) / sum(t['raw']):.2f} | {p['jic_wall'][0]:.1f} / "
                    f"{p['jic_wall'][1]:.1f} | {p['raw_wall'][0]:.1f} / {p['raw_wall'][1]:.1f} |"
                )
            merged.close()
        else:
            steps = _steps(store)
        store.close()
        rows += [f"| {size:,} | {s.name} | {s.detail} | {s.seconds:.1f} |" for s in steps]
        loads.append(os.getloadavg()[0])
    where = "on a copy of each set" if backend == "sqlite" else "on each set"
    body = "\n".join(
        [
            "Each step of `store.maintenance.maintain` (what `jic maintain` runs) on the kept "
            f"search bench sets, {where}. Load average (1 min) before and after each set: "
            f"{min(loads):.1f}-{max(loads):.1f} on 2 cores.",
            "",
            *rows,
        ]
    )
    if backend == "sqlite":
        body += "\n\n" + "\n".join(
            [
                "Search on the set as jic's ingest wrote it and on the copy after "
                "`jic maintain` (FTS5 `optimize`), the 50 queries of `bench/search_scale.py`, "
                f"alternating query by query, median of {args.runs} runs; ms of CPU time of "
                "the process (SQLite's work included) unless marked wall. jic = the default "
                "search (bounded, no facets, 20 hits with snippets); raw = the search "
                "bench's raw bounded FTS5 query. Both copies gave the same totals and pages "
                "for every query.",
                "",
                *search_rows,
            ]
        )
    record(
        f"maintain: {backend}", body, data="the sets of bench/search_scale.py, kept in --data-dir"
    )


if __name__ == "__main__":
    main()

"""Ingest throughput into SQLite: the BBC corpus, jic versus a bare FTS5 insert.

jic's ingest reads each file, detects binary and broken text, hashes the bytes, checks
identity (duplicates, versions), writes the document with its FTS5 index and an audit
entry per batch. The baseline does the least any tool must: read each file, decode it,
and insert it into an FTS5-indexed SQLite table in one transaction. Both run in this
process on the same files, three times each, alternating; we report medians.

    python bench/ingest.py [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from jic.center.founding import Founding, found_center
from jic.gather.files import FileOptions, read_paths
from jic.gather.ingest import IngestTarget, ingest
from jic.settings import Settings
from results import record, shared_data


def run_jic(folder: Path) -> tuple[float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as home:
        store, _ = found_center(Settings(home=Path(home)), Founding())
        started = time.perf_counter()
        report = ingest(store, read_paths([folder], FileOptions()), IngestTarget(member="local"))
        elapsed = time.perf_counter() - started
        store.close()
    return elapsed, {status.value: n for status, n in report.counts.items()}


def run_baseline(folder: Path) -> float:
    with tempfile.TemporaryDirectory() as home:
        connection = sqlite3.connect(Path(home) / "base.sqlite3")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, path TEXT, text TEXT)")
        connection.execute(
            "CREATE VIRTUAL TABLE docs_fts USING fts5(text, content='docs', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        started = time.perf_counter()
        rows = []
        for path in sorted(folder.rglob("*.txt")):
            rows.append((str(path), path.read_bytes().decode("utf-8", errors="replace")))
        with connection:
            cursor = connection.executemany("INSERT INTO docs (path, text) VALUES (?, ?)", rows)
            connection.execute("INSERT INTO docs_fts(docs_fts) VALUES ('rebuild')")
        elapsed = time.perf_counter() - started
        connection.close()
        assert cursor.rowcount == len(rows)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = shared_data("corpus", "bbc_news", "bbc")
    files = sum(1 for path in folder.rglob("*") if path.is_file())
    jic_times, base_times, counts = [], [], {}
    for _ in range(args.runs):
        base_times.append(run_baseline(folder))
        elapsed, counts = run_jic(folder)
        jic_times.append(elapsed)
    jic_median, base_median = statistics.median(jic_times), statistics.median(base_times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    body = f"""| what | median s ({args.runs} runs) | files/s |
|---|---|---|
| jic ingest (library, all checks, FTS5, audit) | {jic_median:.2f} | {files / jic_median:.0f} |
| baseline: read + decode + executemany into FTS5 | {base_median:.2f} | {files / base_median:.0f} |

Ratio jic / baseline time: {jic_median / base_median:.2f}. Outcome of each jic run: {counts}.
Peak RSS of the benchmark process: {peak_mb:.0f} MB.
All runs (s): jic {[round(t, 2) for t in jic_times]},
baseline {[round(t, 2) for t in base_times]}."""
    record("ingest", body, data=f"{folder} ({files} files; BBC, research use only)")


if __name__ == "__main__":
    main()

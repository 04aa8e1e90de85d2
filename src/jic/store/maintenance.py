"""`jic maintain`: the housekeeping a center's database needs now and then, in one
command the operator can run from cron or by hand.

Everything here can run while the center serves, except ``vacuum=True`` (below).

- **Counts**: ``document_counts`` folded back to one row per group (``fold_counts``).
  Ingest folds as it writes; a bulk load from outside jic (COPY, another tool) leaves
  one row per document until a fold, and ``tally`` reads them all.
- **Search index** (SQLite): FTS5's ``optimize`` merges the index's segments into one
  b-tree, so a word's matches are one doclist instead of one per segment. It holds the
  write lock while it runs (ingest waits).
- **Statistics and dead rows** (PostgreSQL): ``VACUUM ANALYZE`` of every table of jic's,
  as autovacuum does in service; ``document_counts`` is rewritten (``VACUUM FULL``: a
  few hundred live rows, but a fold of a bulk load leaves its file as large as the load
  was, and ``tally`` reads the whole file). SQLite gets no ``ANALYZE``: jic's
  statements name the indexes they need (``INDEXED BY``) and were planned without
  statistics, which ``ANALYZE`` would introduce.
- ``vacuum=True`` gives disk space back: SQLite ``VACUUM`` (rewrites the file, needs as
  much free space again, and blocks every writer and reader while it runs) and a WAL
  checkpoint; PostgreSQL ``VACUUM FULL`` of every table (each table locked while it is
  rewritten).
- ``check=True`` also checks: SQLite ``PRAGMA quick_check`` and FTS5's
  ``integrity-check`` (the index against the documents), and on both backends the audit
  log's hash chain. A failed check is reported, never repaired here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.exc import DatabaseError

from jic.store import audit
from jic.store.database import Store
from jic.store.overview import fold_counts
from jic.store.schema import document_counts, metadata


@dataclass(frozen=True, slots=True)
class Step:
    """One thing ``maintain`` did: its name, what came of it, how long it took."""

    name: str
    detail: str
    seconds: float
    ok: bool = True


@dataclass(slots=True)
class Report:
    steps: list[Step] = field(default_factory=list)
    size_before: int = 0  # bytes of the database (``database_size``)
    size_after: int = 0

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)


def maintain(
    store: Store,
    *,
    vacuum: bool = False,
    check: bool = False,
    say: Callable[[Step], None] | None = None,
) -> Report:
    """Fold the counts, tidy the search index or the tables' statistics, and optionally
    give space back (``vacuum``) and check the database (``check``); each step is
    reported to ``say`` as it ends."""
    report = Report(size_before=database_size(store))

    def run(name: str, work: Callable[[], tuple[str, bool]]) -> None:
        started = time.perf_counter()
        detail, ok = work()
        step = Step(name, detail, time.perf_counter() - started, ok)
        report.steps.append(step)
        if say is not None:
            say(step)

    run("counts", lambda: _fold(store))
    if store.is_sqlite:
        run("search index", lambda: _optimize_fts(store))
        if vacuum:
            run("vacuum", lambda: _sqlite_vacuum(store))
        if check:
            run("integrity", lambda: _sqlite_check(store))
    else:
        run("statistics", lambda: _postgres_vacuum(store, full=vacuum))
    if check:
        run("audit chain", lambda: _audit_chain(store))
    report.size_after = database_size(store)
    return report


def database_size(store: Store) -> int:
    """Bytes the database takes: the SQLite file's pages (not its WAL), or PostgreSQL's
    database."""
    with store.read() as connection:
        if store.is_sqlite:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
            size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
            return int(pages) * int(size)
        return int(
            connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
        )


def _fold(store: Store) -> tuple[str, bool]:
    with store.write() as connection:
        folded = fold_counts(connection)
        groups = connection.execute(select(func.count()).select_from(document_counts)).scalar_one()
    return f"{folded:,} rows folded, {groups:,} groups", True


def _optimize_fts(store: Store) -> tuple[str, bool]:
    with store.write() as connection:
        before = _fts_segments(connection)
        connection.exec_driver_sql("INSERT INTO documents_fts(documents_fts) VALUES ('optimize')")
        after = _fts_segments(connection)
    return f"{before:,} segments merged into {after:,}", True


def _fts_segments(connection: Connection) -> int:
    """Segments in the FTS5 index, from its structure record (row 10 of
    ``documents_fts_data``, FTS5's ``FTS5_STRUCTURE_ROWID``): SQL has no other way to
    ask. Only reported; ``test_maintenance`` checks the reading against FTS5's own
    behaviour (one segment after ``optimize``)."""
    blob = connection.exec_driver_sql("SELECT block FROM documents_fts_data WHERE id = 10").scalar()
    return _structure_segments(bytes(blob)) if blob is not None else 0


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """An SQLite varint (big-endian, 7 bits a byte, the 9th byte whole) at ``at``."""
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9


def _structure_segments(blob: bytes) -> int:
    """The total segment count of an FTS5 structure record: a 4-byte cookie, on newer
    SQLite a 4-byte version-2 marker, then varints nLevel, nSegment, nWrite (the file
    format described in fts5_index.c)."""
    at = 8 if blob[4:8] == b"\xff\x00\x00\x01" else 4
    _levels, at = _varint(blob, at)
    segments, _ = _varint(blob, at)
    return segments


def _sqlite_vacuum(store: Store) -> tuple[str, bool]:
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (busy, *_) = cursor.fetchone() or (0,)
        cursor.close()
    finally:
        raw.close()
    return ("file rewritten" if not busy else "file rewritten; the WAL is still in use"), True


def _sqlite_check(store: Store) -> tuple[str, bool]:
    with store.read() as connection:
        problems = [row[0] for row in connection.exec_driver_sql("PRAGMA quick_check")]
        try:
            connection.exec_driver_sql(
                "INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)"
            )
        except DatabaseError as error:
            problems.append(f"search index: {error.orig}")
    problems = [p for p in problems if p != "ok"]
    if problems:
        return "; ".join(problems[:5]) + (
            f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        ), False
    return "database and search index intact", True


def _postgres_vacuum(store: Store, *, full: bool) -> tuple[str, bool]:
    with store.read() as connection:
        present = set(inspect(connection).get_table_names())
    tables = [table.name for table in metadata.sorted_tables if table.name in present]
    with store.engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        for name in tables:
            if full or name == document_counts.name:
                autocommit.exec_driver_sql(f'VACUUM (FULL, ANALYZE) "{name}"')
            else:
                autocommit.exec_driver_sql(f'VACUUM (ANALYZE) "{name}"')
    how = "VACUUM FULL ANALYZE" if full else "VACUUM ANALYZE"
    return f"{how} of {len(tables)} tables", True


def _audit_chain(store: Store) -> tuple[str, bool]:
    with store.read() as connection:
        result = audit.verify(connection)
    if result.ok:
        return f"intact: {result.entries:,} entries", True
    return f"broken at entry {result.first_bad_id}: {result.reason}", False

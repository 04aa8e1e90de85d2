"""The database: one engine, its dialect quirks, and transactions.

SQLite runs in WAL mode with foreign keys on; write transactions start with
``BEGIN IMMEDIATE`` so that two writers queue instead of failing half-way through.
PostgreSQL needs nothing special here. Everything above this module sees the same
``Store`` whichever backend is behind it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import NoSuchModuleError, OperationalError

from jic.errors import CenterExistsError, ConfigError, NoCenterError, StoreError
from jic.settings import Settings
from jic.store import migrate

MMAP_SIZE = 2**31  # bytes of the SQLite file to map


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook below decide how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Read pages through a memory map instead of copying each into the page cache:
    # search looks up one index entry per match, over a file larger than the cache
    # (halved that pass in a test). SQLite caps it at its compiled
    # maximum (2 GB by default); the rest of the file is read as before.
    cursor.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get("jic_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, echo: bool = False, **options: Any) -> Engine:
    """An engine for ``url`` with jic's per-dialect settings."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, echo=echo, **options)
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
            return engine
        return create_engine(url, echo=echo, pool_pre_ping=True, **options)
    except (NoSuchModuleError, ImportError) as error:
        # A driver named in the URL (postgresql+psycopg2://) that is not installed.
        raise ConfigError(
            f"no database driver for {make_url(url).drivername}: {error}",
            "use postgresql://... (jic ships psycopg 3) or leave --db unset for SQLite",
        ) from None


def new_id(result: CursorResult[Any]) -> int:
    """The primary key of the row an INSERT just added."""
    key = result.inserted_primary_key
    assert key is not None, "not the result of a single-row INSERT"
    return int(key[0])


class Store:
    """A handle on one center's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_engine = engine.execution_options(jic_write=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        with self._write_engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection; its transaction is rolled back when done."""
        with self.engine.connect() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings, *, create: bool = False, engine: Engine | None = None) -> Store:
    """Open the center's database, creating or upgrading its schema as needed.

    Without ``create``, a database with no center in it is an error that tells the
    user to run ``jic init``; an older schema is upgraded in place.
    """
    url = settings.resolved_database_url()
    if engine is None:
        if settings.is_sqlite:
            _prepare_home(settings, create=create)
        engine = make_engine(url, echo=settings.echo_sql)
    store = Store(engine)
    try:
        with store.write() as connection:
            current = migrate.current_revision(connection)
            if current is None and not create:
                raise NoCenterError(
                    f"the database {make_url(url).render_as_string()} holds no jic center",
                    "run `jic init` to create one",
                )
            if current != migrate.head_revision():
                _upgrade(connection, current)
    except OperationalError as exc:
        store.close()
        raise StoreError(
            f"cannot open the database: {exc.orig}",
            "check --db / JIC_DATABASE_URL and that the server is running",
        ) from exc
    except Exception:
        store.close()
        raise
    return store


def _prepare_home(settings: Settings, *, create: bool) -> None:
    """Check that the SQLite file exists (or may be created) under the data home."""
    path = settings.sqlite_path()
    if not create and not path.exists():
        raise NoCenterError(
            f"no center at {settings.home}",
            "run `jic init` first, or point --home / JIC_HOME at an existing center",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"cannot create the data home {settings.home}: {error.strerror or error}",
            "choose a --home (or JIC_HOME) in a folder you can write to",
        ) from None
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ConfigError(
            f"cannot write to the data home {settings.home}",
            "choose a --home (or JIC_HOME) in a folder you can write to",
        )


def _upgrade(connection: Connection, current: str | None) -> None:
    """Upgrade in place, unless the database was written by a newer jic."""
    if current is not None and not _known_revision(current):
        raise StoreError(
            f"the database is at schema revision {current!r}, which this jic "
            f"(newest revision {migrate.head_revision()!r}) does not know",
            "upgrade jic to the version that last wrote this database",
        )
    migrate.upgrade(connection)


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory(str(migrate.MIGRATIONS)).get_revision(revision) is not None
    except CommandError:
        return False


def ensure_new(store: Store) -> None:
    """Refuse to initialise a center twice."""
    from jic.store.schema import center

    with store.read() as connection:
        if connection.execute(center.select().limit(1)).first() is not None:
            raise CenterExistsError(
                "this data home already holds a center",
                "use it as it is, or choose another --home / --db",
            )


def server_warnings(connection: Connection) -> list[str]:
    """What in the database server's settings will slow a center down, for `jic status`.

    PostgreSQL with autovacuum (or the statistics it needs) off keeps no planner
    statistics and no visibility map for new rows: after a large load searches visit
    every row's heap page, and the planner guesses the size of every match set."""
    if connection.dialect.name != "postgresql":
        return []
    found = []
    for setting in ("autovacuum", "track_counts"):
        if connection.exec_driver_sql(f"SHOW {setting}").scalar() == "off":
            found.append(
                f"PostgreSQL's {setting} is off: statistics and the visibility map go stale "
                "as documents arrive, and searches and counts slow down. Turn it on in "
                "postgresql.conf, or run VACUUM ANALYZE after every large load."
            )
    buffers, searched = connection.execute(
        text(
            "SELECT (SELECT setting::bigint * pg_size_bytes(unit) FROM pg_settings "
            "WHERE name = 'shared_buffers'), "
            "(SELECT coalesce(sum(pg_relation_size(oid)), 0) FROM pg_class "
            "WHERE relname = ANY(:names) AND relnamespace = 'public'::regnamespace)"
        ),
        {"names": list(SEARCHED_RELATIONS)},
    ).one()
    warning = buffer_warning(int(buffers), int(searched))
    if warning:
        found.append(warning)
    return found


# What every search reads: the documents' rows (the policy and filter columns) and the
# full-text and newest-first indexes (the TOASTed text and tsvector only for phrases
# and snippets).
SEARCHED_RELATIONS = ("documents", "ix_documents_tsv", "ix_documents_newest")


def buffer_warning(shared_buffers: int, searched: int) -> str | None:
    """A warning when PostgreSQL's own cache is smaller than what searches read: each
    search then copies its pages in from the operating system's cache, evicting the
    last search's (at a million documents, 55,000 pages for one phrase query)."""
    if searched <= shared_buffers:
        return None
    mb = 2**20
    return (
        f"PostgreSQL's shared_buffers ({shared_buffers // mb:,} MB) is smaller than the "
        f"documents table and search indexes ({searched // mb:,} MB): searches read them "
        "through the operating system's cache and evict each other's pages. Set "
        "shared_buffers to at least that, about a quarter of the machine's memory "
        "(docs/search.md)."
    )

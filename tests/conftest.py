"""Shared fixtures: a fresh, empty center per test on SQLite and on PostgreSQL.

PostgreSQL tests need ``JIC_TEST_POSTGRES_URL`` (``.ci/run`` sets it); each test gets
its own schema, dropped afterwards. Without the variable they are skipped, and the
skip message says how to run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from jic.center.founding import Founding, found_center
from jic.settings import Settings
from jic.store.database import Store

POSTGRES_URL = os.environ.get("JIC_TEST_POSTGRES_URL")
SKIP_POSTGRES = (
    "PostgreSQL tests are off: set JIC_TEST_POSTGRES_URL="
    "postgresql://postgres@127.0.0.1:5432/test (as .ci/run does) to run them"
)


@dataclass
class Backend:
    """Where a test's center lives: its settings, and the CLI options that reach it."""

    name: str
    settings: Settings

    def cli_args(self) -> list[str]:
        args = ["--home", str(self.settings.home)]
        if self.settings.database_url:
            args += ["--db", self.settings.database_url]
        return args


def _admin_url() -> str:
    assert POSTGRES_URL
    return POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)


def make_backend(name: str, tmp: Path) -> Iterator[Backend]:
    """An empty place for a center under ``tmp``: a data home, or a fresh PostgreSQL
    schema dropped afterwards (a generator: iterate it once around the test's use)."""
    if name == "sqlite":
        yield Backend("sqlite", Settings(home=tmp / "home"))
        return
    if not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    schema = f"jic_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    try:
        yield Backend("postgres", Settings(home=tmp / "home", database_url=url))
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """An empty place for a center: a temp data home, or a fresh PostgreSQL schema."""
    yield from make_backend(request.param, tmp_path)


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    """A freshly founded center with one member, ``local``."""
    opened, _info = found_center(backend.settings, Founding())
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="session")
def stage_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for running the real stages: one cache (the gazetteer index) for the
    whole session, so it is built once and not per test."""
    return Settings(home=tmp_path_factory.mktemp("stage-cache"))

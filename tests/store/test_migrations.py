"""Migrations build exactly the schema the code describes, on both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.conftest import Backend

from jic.errors import NoCenterError
from jic.store import migrate
from jic.store.database import Store, open_store
from jic.store.schema import metadata


def test_migrated_tables_and_columns_match_the_schema(store: Store) -> None:
    inspector = sa.inspect(store.engine)
    tables = set(inspector.get_table_names())
    for table in metadata.sorted_tables:
        assert table.name in tables
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert {c.name for c in table.columns} <= columns, table.name


def test_a_database_is_at_the_newest_revision_after_opening(store: Store) -> None:
    with store.read() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()


def test_an_old_database_is_upgraded_in_place(store: Store, backend: Backend) -> None:
    with store.write() as connection:
        migrate.downgrade(connection, "0001")
        assert "feed_items" not in sa.inspect(connection).get_table_names()
    store.close()
    reopened = open_store(backend.settings)
    with reopened.read() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()
        assert "feed_items" in sa.inspect(connection).get_table_names()
    reopened.close()


def test_opening_where_there_is_no_center_says_to_init(backend: Backend) -> None:
    with pytest.raises(NoCenterError) as caught:
        open_store(backend.settings)
    assert "jic init" in caught.value.hint

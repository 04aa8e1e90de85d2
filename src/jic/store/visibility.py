"""The sharing policy as SQL: the one WHERE clause every read of documents carries.

``center/policy.py`` holds the rule as a pure function (``decide``); this module
states the same rule over the ``documents`` columns ``owner`` (``member_id``), ``tlp``,
``audience`` (JSON ``{"members": [...], "users": [...]}`` or NULL) and
``submitted_by``, for SQLite and PostgreSQL. The property tests in
tests/center/test_read_paths.py check the two against each other on every read path.

A ``Reader`` is who reads: ``viewer`` None means the local operator of an embedded
center (the CLI run on the machine that holds the database file), who sees all;
everyone reaching the center through the API is a policy ``Viewer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, select, text, true

from jic.center.policy import Item, Viewer
from jic.domain import TLP

_SQLITE = """(
  (documents.tlp = 'CLEAR' AND (:v_user IS NOT NULL OR :v_publish = 1))
  OR (:v_member IS NOT NULL AND (
    documents.tlp = 'GREEN'
    OR (documents.tlp = 'AMBER' AND (
      documents.member_id = :v_member
      OR COALESCE(json_array_length(documents.audience, '$.members'), 0) = 0
      OR EXISTS (SELECT 1 FROM json_each(documents.audience, '$.members')
                 WHERE value = :v_member)))
    OR (documents.tlp IN ('AMBER+STRICT', 'RED')
      AND (documents.member_id = :v_member
        OR EXISTS (SELECT 1 FROM json_each(documents.audience, '$.members')
                   WHERE value = :v_member))
      AND (documents.tlp = 'AMBER+STRICT'
        OR documents.submitted_by = :v_user
        OR EXISTS (SELECT 1 FROM json_each(documents.audience, '$.users')
                   WHERE value = :v_user)))
  ))
)"""

# ``documents.audience IS NULL`` in the AMBER branch is implied by the COALESCE after
# it: it is there for the planner, which estimates it from the column's null fraction
# where it guesses at the JSON expressions. The estimated share of rows that pass rose
# from about 0.6 to nearer the true 0.9 for an analyst of the bench (1M documents), and
# a bounded search sets its id floor from that estimate (``store.search._span``): Obama
# visited 25,318 rows for the 10,001 it needs, now 20,031.
_POSTGRES = """(
  (documents.tlp = 'CLEAR' AND (CAST(:v_user AS integer) IS NOT NULL OR :v_publish = 1))
  OR (CAST(:v_member AS integer) IS NOT NULL AND (
    documents.tlp = 'GREEN'
    OR (documents.tlp = 'AMBER' AND (
      documents.audience IS NULL
      OR documents.member_id = :v_member
      OR COALESCE(jsonb_array_length(CAST(documents.audience AS jsonb) -> 'members'), 0) = 0
      OR (CAST(documents.audience AS jsonb) -> 'members') @> to_jsonb(CAST(:v_member AS integer))))
    OR (documents.tlp IN ('AMBER+STRICT', 'RED')
      AND (documents.member_id = :v_member
        OR COALESCE((CAST(documents.audience AS jsonb) -> 'members')
                    @> to_jsonb(CAST(:v_member AS integer)), false))
      AND (documents.tlp = 'AMBER+STRICT'
        OR documents.submitted_by = :v_user
        OR COALESCE((CAST(documents.audience AS jsonb) -> 'users')
                    @> to_jsonb(CAST(:v_user AS integer)), false)))
  ))
)"""


@dataclass(frozen=True, slots=True)
class Reader:
    """Who is reading: a policy viewer, or None for the local operator."""

    viewer: Viewer | None = None
    publish_clear: bool = False

    @property
    def is_operator(self) -> bool:
        return self.viewer is None


OPERATOR = Reader()


def fragment(connection: Connection, reader: Reader) -> tuple[str, dict[str, Any]]:
    """The clause as SQL text over ``documents`` with its parameters, for hand-written
    statements (full-text search)."""
    if reader.viewer is None:
        return "1 = 1", {}
    sql = _POSTGRES if connection.dialect.name == "postgresql" else _SQLITE
    return sql, {
        "v_user": reader.viewer.user_id,
        "v_member": reader.viewer.member_id,
        "v_publish": 1 if reader.publish_clear else 0,
    }


def visible(connection: Connection, reader: Reader) -> ColumnElement[bool]:
    """A WHERE clause keeping the documents ``reader`` may see."""
    if reader.viewer is None:
        return true()
    sql, params = fragment(connection, reader)
    return text(sql).bindparams(**params)  # type: ignore[return-value]


def policy_item(connection: Connection, document_id: int) -> Item:
    """A stored document as the policy sees it."""
    from jic.errors import NotFoundError
    from jic.store.schema import documents

    row = connection.execute(
        select(
            documents.c.member_id,
            documents.c.tlp,
            documents.c.audience,
            documents.c.submitted_by,
        ).where(documents.c.id == document_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no document {document_id}", "list documents with `jic search`")
    audience = row.audience or {}
    return Item(
        owner_member_id=row.member_id,
        tlp=TLP(row.tlp),
        audience_members=frozenset(audience.get("members", [])),
        audience_users=frozenset(audience.get("users", [])),
        submitted_by=row.submitted_by,
    )

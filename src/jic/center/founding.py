"""Founding a center: the database, its founding members and the rotation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from jic.settings import Settings
from jic.store import members as member_repo
from jic.store.database import Store, ensure_new, open_store


@dataclass(slots=True)
class Founding:
    """What `jic init` is told: founding members in rotation order, and the first term."""

    founders: list[str] = field(default_factory=list)
    first_chair: str | None = None
    term_months: int = 3
    start: datetime | None = None
    name: str = "jic"


def found_center(settings: Settings, founding: Founding) -> tuple[Store, member_repo.CenterInfo]:
    """Create the database and record the center; refuses a data home that has one."""
    founders = founding.founders or [settings.default_member]
    store = open_store(settings, create=True)
    try:
        ensure_new(store)
        with store.write() as connection:
            info = member_repo.create_center(
                connection,
                name=founding.name,
                founders=founders,
                first_chair=founding.first_chair or founders[0],
                term_months=founding.term_months,
                rotation_start=founding.start or datetime.now(UTC).replace(microsecond=0),
            )
    except Exception:
        store.close()
        raise
    return store, info

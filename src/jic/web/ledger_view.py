"""The claims ledger as the pages show it: propositions with their stances side by
side, independent-source counts and grades, as one reader may see them.

Adapter over ``analyse/ledger.py`` (landing with issue 8): until it is there, the
pages show no propositions rather than fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jic.store.database import Store
from jic.store.visibility import Reader


def disputed(store: Store, reader: Reader, *, limit: int = 8) -> list[Any]:
    """The disputed propositions ``reader`` may see, newest first."""
    return []


def for_documents(store: Store, reader: Reader, ids: Sequence[int]) -> list[Any]:
    """The propositions that the documents ``ids`` state."""
    return []

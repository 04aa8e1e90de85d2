"""What every page route depends on: the store, and who is reading."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from jic.store.database import Store
from jic.web.auth import PageUser, page_user


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def get_who(request: Request, store: StoreDep) -> PageUser:
    return page_user(request, store)


WhoDep = Annotated[PageUser, Depends(get_who)]

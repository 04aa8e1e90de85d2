"""Stories: each built only from the documents the reader may see."""

from __future__ import annotations

from fastapi import APIRouter

from jic.analyse import story_run
from jic.api import models
from jic.api.deps import ReaderDep, StoreDep
from jic.api.errors import responses
from jic.api.paging import CursorQuery, LimitQuery, page_of, position
from jic.errors import NotFoundError

router = APIRouter(prefix="/api/v1", tags=["stories"])


@router.get("/stories", response_model=models.StoryPage, responses=responses(401, 422))
def stories(
    store: StoreDep, reader: ReaderDep, limit: LimitQuery = 20, cursor: CursorQuery = None
) -> models.StoryPage:
    """Stories by id; a story whose documents are all hidden from the reader does not
    exist for them, and one partly hidden shows only what rests on what they see."""
    at = position("stories", None, cursor)
    views = story_run.stories(store, reader)
    items, following = page_of(views, at, limit)
    return models.StoryPage(
        items=[models.StoryOut(**view.record()) for view in items], next=following
    )


@router.get(
    "/stories/{story_id}", response_model=models.StoryOut, responses=responses(401, 404, 422)
)
def story(store: StoreDep, reader: ReaderDep, story_id: int) -> models.StoryOut:
    for view in story_run.stories(store, reader):
        if view.id == story_id:
            return models.StoryOut(**view.record())
    raise NotFoundError(f"no story {story_id}", "list stories with GET /api/v1/stories")

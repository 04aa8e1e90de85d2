"""The HTTP face of jic: the REST API under /api/v1 and the web pages.

Settings and the store reach every route through FastAPI dependencies, so tests can
override them. Every JicError becomes one JSON envelope:
``{"error": {"code": "JIC-E...", "message": "...", "details": [...]}}``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from jic import __version__
from jic.analyse import search as search_view
from jic.errors import JicError
from jic.gather.ingest import IngestTarget, ingest
from jic.gather.submissions import Submission, SubmissionBatch, to_offer
from jic.interop.export import document_record
from jic.settings import Settings
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store.database import Store, open_store


def _envelope(
    status: int, code: str, message: str, details: list[Any] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JSONResponse(body, status_code=status)


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


# Names the local server answers to. Refusing any other Host header stops DNS
# rebinding: a web page whose own name resolves to 127.0.0.1 cannot read the API.
# "testserver" is the host FastAPI's TestClient sends.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1", "testserver")


def create_app(
    settings: Settings,
    store: Store | None = None,
    *,
    allowed_hosts: Sequence[str] = LOCAL_HOSTS,
) -> FastAPI:
    """The application for one center; pass ``store`` to share an open one (tests).

    ``allowed_hosts`` are the Host header values served (``*.example.org`` wildcards
    allowed); any other gets 400. Widen it when serving under a public name.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        app.state.store = store or open_store(settings)
        try:
            yield
        finally:
            if own:
                app.state.store.close()

    app = FastAPI(
        title="jic",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    _errors(app)
    _routes(app)
    from jic.web.pages import add_pages

    add_pages(app)
    return app


def _local_member(store: Store) -> str:
    with store.read() as connection:
        return member_repo.list_members(connection)[0].name


def _errors(app: FastAPI) -> None:
    @app.exception_handler(JicError)
    async def jic_error(_request: Request, error: JicError) -> JSONResponse:
        details = [{"hint": error.hint}] if error.hint else []
        return _envelope(error.http_status, error.code, error.message, details)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {"location": list(e.get("loc", ())), "message": e.get("msg", "")}
            for e in error.errors()
        ]
        return _envelope(422, "JIC-E200", "the request is not valid", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        return _envelope(error.status_code, f"JIC-H{error.status_code}", str(error.detail))


def _routes(app: FastAPI) -> None:
    @app.get("/api/v1/health", tags=["center"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/api/v1/status", tags=["center"])
    def status(store: StoreDep) -> dict[str, Any]:
        with store.read() as connection:
            counts = document_repo.status(connection)
        return {
            "documents": counts.documents,
            "sources": dict(counts.by_source),
            "languages": dict(counts.by_language),
            "tlp": dict(counts.by_tlp),
        }

    @app.get("/api/v1/search", tags=["search"])
    def search(
        store: StoreDep,
        q: Annotated[str, Query(min_length=1, max_length=1000)],
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    ) -> dict[str, Any]:
        return search_view.result_record(search_view.search(store, q, limit=limit, offset=offset))

    @app.post("/api/v1/documents", tags=["documents"], status_code=201)
    def submit(
        store: StoreDep,
        body: Submission | SubmissionBatch,
        member: Annotated[str | None, Query(max_length=200)] = None,
        source: Annotated[str | None, Query(max_length=200)] = None,
    ) -> dict[str, Any]:
        """Submit one document or a batch ``{"documents": [...]}``; returns one outcome each."""
        batch = body.documents if isinstance(body, SubmissionBatch) else [body]
        who = member or _local_member(store)
        offers = (to_offer(item, who, f"documents[{n}]") for n, item in enumerate(batch))
        report = ingest(store, offers, IngestTarget(member=who, source=source))
        return {
            "outcomes": [
                {
                    "item": o.label,
                    "status": o.status.value,
                    "id": o.document_id or o.existing_id,
                    "message": o.message,
                }
                for o in report.outcomes
            ]
        }

    @app.get("/api/v1/documents/{document_id}", tags=["documents"])
    def document(store: StoreDep, document_id: int) -> dict[str, Any]:
        with store.read() as connection:
            return document_record(document_repo.get(connection, document_id))

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
from jic.center.policy import Viewer
from jic.errors import AccessError, JicError
from jic.gather.ingest import IngestTarget, ingest
from jic.gather.submissions import Submission, SubmissionBatch, to_offer
from jic.interop.export import full_record
from jic.settings import Settings
from jic.store import documents as document_repo
from jic.store import users as user_repo
from jic.store.database import Store, open_store
from jic.store.users import TokenRefused
from jic.store.visibility import Reader


def _envelope(
    status: int, code: str, message: str, details: list[Any] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JSONResponse(body, status_code=status)


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def get_reader(request: Request, store: StoreDep) -> Reader:
    """Who is asking: the user behind the bearer token; without one, the public (which
    sees TLP:CLEAR only, and only when the center publishes)."""
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        if settings.publish_clear:
            return Reader(Viewer.public(), publish_clear=True)
        raise TokenRefused(
            "this center needs a token", "send Authorization: Bearer TOKEN (jic tokens create)"
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRefused("only bearer tokens are accepted", "send Authorization: Bearer TOKEN")
    with store.write() as connection:  # writes last_used_at
        user = user_repo.authenticate(connection, token.strip())
    request.state.user = user
    return Reader(user.viewer, publish_clear=settings.publish_clear)


ReaderDep = Annotated[Reader, Depends(get_reader)]


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
        app.state.settings = settings
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
    def status(store: StoreDep, reader: ReaderDep) -> dict[str, Any]:
        with store.read() as connection:
            counts = document_repo.status(connection, reader)
        return {
            "documents": counts.documents,
            "sources": dict(counts.by_source),
            "languages": dict(counts.by_language),
            "tlp": dict(counts.by_tlp),
        }

    @app.get("/api/v1/search", tags=["search"])
    def search(
        store: StoreDep,
        reader: ReaderDep,
        q: Annotated[str, Query(min_length=1, max_length=1000)],
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        facets: bool = False,
    ) -> dict[str, Any]:
        """Search with the query language: words, "phrases", OR, NOT, and the filters
        source:, lang:, tlp:, member:, from:, to:; ``facets`` adds counts per source,
        language and TLP over every match."""
        found = search_view.search(
            store, q, limit=limit, offset=offset, reader=reader, facets=facets
        )
        return search_view.result_record(found)

    @app.post("/api/v1/documents", tags=["documents"], status_code=201)
    def submit(
        request: Request,
        store: StoreDep,
        reader: ReaderDep,
        body: Submission | SubmissionBatch,
        source: Annotated[str | None, Query(max_length=200)] = None,
    ) -> dict[str, Any]:
        """Submit one document or a batch ``{"documents": [...]}`` for your member;
        returns one outcome each, in order."""
        user = getattr(request.state, "user", None)
        if user is None:
            raise AccessError("submitting needs a user", "send Authorization: Bearer TOKEN")
        batch = body.documents if isinstance(body, SubmissionBatch) else [body]
        offers = (to_offer(item, user.member, f"documents[{n}]") for n, item in enumerate(batch))
        target = IngestTarget(member=user.member, source=source, user=user.name, user_id=user.id)
        report = ingest(store, offers, target)
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
    def document(store: StoreDep, reader: ReaderDep, document_id: int) -> dict[str, Any]:
        with store.read() as connection:
            return full_record(connection, document_repo.get(connection, document_id, reader))

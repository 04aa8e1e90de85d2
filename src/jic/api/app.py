"""The HTTP face of jic: the REST API under /api/v1 and the web pages.

    app.py          create_app: middleware, error handlers, routers, pages
    deps.py         the store, settings, who is asking (token or session), write limits
    errors.py       the one error envelope and the API's own error codes
    paging.py       opaque cursors over stable orders
    etag.py         ETags on reads (If-None-Match gives 304)
    openapi.py      the OpenAPI document, with the export schema's document record
    models.py       response models (view_models.py: the views')
    routes/         one router per group of resources

Settings and the store reach every route through FastAPI dependencies, so tests can
override them. The design decisions (who reads what, paging, limits) are in
docs/api.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware

from jic import __version__
from jic.api import errors, openapi
from jic.api.deps import WriteLimit
from jic.api.etag import ETagMiddleware
from jic.api.routes import center, documents, ledger, sitreps, stories, views
from jic.settings import Settings
from jic.store.database import Store, open_store

# Names the local server answers to. Refusing any other Host header stops DNS
# rebinding: a web page whose own name resolves to 127.0.0.1 cannot read the API.
# "testserver" is the host FastAPI's TestClient sends.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1", "testserver")


def create_app(
    settings: Settings,
    store: Store | None = None,
    *,
    allowed_hosts: Sequence[str] = LOCAL_HOSTS,
    write_limit: WriteLimit | None = None,
) -> FastAPI:
    """The application for one center; pass ``store`` to share an open one (tests).

    ``allowed_hosts`` are the Host header values served (``*.example.org`` wildcards
    allowed); any other gets 400. Widen it when serving under a public name.
    ``write_limit`` is the per-token rate of writes (default: from the settings,
    ``JIC_API_WRITES_PER_MINUTE`` and ``JIC_API_WRITE_BURST``, 60 a minute and 20 at once).
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
        description="The REST API of a jic center. Every error comes in one envelope: "
        '`{"error": {"code": "JIC-E...", "message": "...", "details": [...]}}`.',
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.write_limit = write_limit or WriteLimit(
        per_minute=settings.api_writes_per_minute, burst=settings.api_write_burst
    )
    app.add_middleware(ETagMiddleware)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    errors.install(app)
    for module in (center, documents, stories, views, ledger, sitreps):
        app.include_router(module.router)
    openapi.install(app)
    from jic.web.pages import add_pages

    add_pages(app)
    return app

"""The running center: what `jic up` and `jic serve` do.

`jic up` creates the center if the data home has none, gathers from the configured
sources, processes what is pending, and serves the API and web pages. Steps whose
machinery has not landed yet are reported as skipped, in one line each, so the user
knows what the center did and did not do.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from jic.center.founding import Founding, found_center
from jic.errors import ConfigError, NoCenterError
from jic.settings import Settings
from jic.store.database import open_store

Say = Callable[[str], None]


@dataclass(slots=True)
class UpOptions:
    host: str = "127.0.0.1"
    port: int = 8000


def _loopback_only(host: str) -> None:
    # Until accounts and the sharing policy guard every route (issue 6), the server
    # shows everything it holds, so it must not be reachable from other machines.
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(
            f"refusing to serve on {host}: this version has no sign-in yet",
            "serve on 127.0.0.1 (the default) and reach it through an SSH tunnel",
        )


def run_up(settings: Settings, options: UpOptions, say: Say) -> None:
    _loopback_only(options.host)
    try:
        open_store(settings).close()
        say(f"Using the center in {settings.home if settings.is_sqlite else 'the database'}.")
    except NoCenterError:
        store, info = found_center(settings, Founding())
        store.close()
        say(f"Created center {info.name} in {settings.home}.")
    say("skipped gather: feed and page gathering is not built yet (issue 3)")
    say("skipped process: the processing pipeline is not built yet (issue 4)")
    serve(settings, host=options.host, port=options.port, say=say)


def serve(settings: Settings, *, host: str, port: int, say: Say) -> None:
    import uvicorn

    from jic.api.app import create_app

    _loopback_only(host)
    app = create_app(settings)
    say(f"Serving on http://{host}:{port}/ (API under /api/v1, docs at /api/docs); Ctrl-C stops.")
    uvicorn.run(app, host=host, port=port, log_level="warning")

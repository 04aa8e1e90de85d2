"""The running center: what `jic up` and `jic serve` do.

`jic up` creates the center if the data home has none, adds the sources listed in
the sources file (written with a default list on first run), gathers from them in a
background thread on their schedules, processes what is pending in another, and
serves the API and web pages. Steps whose
machinery has not landed yet are reported as skipped, in one line each, so the user
knows what the center did and did not do.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from jic.center.founding import Founding, found_center
from jic.errors import ConfigError, NoCenterError
from jic.settings import Settings
from jic.store import members as member_repo
from jic.store.database import Store, open_store

Say = Callable[[str], None]


@dataclass(slots=True)
class UpOptions:
    host: str = "127.0.0.1"
    port: int = 8000


def _loopback_only(host: str) -> None:
    # Every route needs a user now, but jic speaks plain HTTP: passwords, session
    # cookies and tokens must not cross a network in clear. Other machines reach it
    # through something that adds TLS in front (a reverse proxy, an SSH tunnel).
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(
            f"refusing to serve on {host}: jic serves plain HTTP, only on loopback",
            "serve on 127.0.0.1 (the default) behind a TLS reverse proxy or an SSH tunnel",
        )


def run_up(settings: Settings, options: UpOptions, say: Say) -> None:
    _loopback_only(options.host)
    try:
        store = open_store(settings)
        say(f"Using the center in {settings.home if settings.is_sqlite else 'the database'}.")
    except NoCenterError:
        store, info = found_center(settings, Founding())
        say(f"Created center {info.name} in {settings.home}.")
        _first_user(store, settings, say)
    stop = threading.Event()
    try:
        _sync_sources(store, settings, say)
        gatherer = threading.Thread(
            target=_gather_forever, args=(store, settings, stop, say), daemon=True
        )
        gatherer.start()
        processor = threading.Thread(
            target=_process_forever, args=(store, settings, stop, say), daemon=True
        )
        processor.start()
        serve(settings, host=options.host, port=options.port, say=say)
    finally:
        stop.set()
        store.close()


FIRST_USER = "admin"


def _first_user(store: Store, settings: Settings, say: Say) -> None:
    """A new center gets one officer to sign in with: the password is random, said
    once, and kept in a file only its owner can read until it is changed."""
    import secrets

    from jic.store import audit
    from jic.store import users as user_repo

    password = secrets.token_urlsafe(12)
    with store.write() as connection:
        member = member_repo.get_member(connection, _local_member(connection, settings))
        user_repo.add_user(
            connection, FIRST_USER, member=member, role="officer", actor=audit.Actor(),
            password=password,
        )  # fmt: skip
    note = settings.home / "first-login.txt"
    note.parent.mkdir(parents=True, exist_ok=True)  # a PostgreSQL center's home may be new
    note.touch(mode=0o600)
    note.write_text(
        f"user: {FIRST_USER}\npassword: {password}\n"
        f"Change it with `jic users password {FIRST_USER}`, then delete this file.\n"
    )
    say(
        f"Sign in as {FIRST_USER!r} with the password {password} (also in {note}); "
        f"change it with `jic users password {FIRST_USER}`."
    )


def _sync_sources(store: Store, settings: Settings, say: Say) -> None:
    from jic.gather.sources import ensure_sources_file, read_sources_file, sync_sources

    path = settings.resolved_sources_file()
    if ensure_sources_file(path):
        say(f"Wrote the default source list to {path}; edit it to choose what to follow.")
    with store.read() as connection:
        owner = member_repo.get_member(connection, _local_member(connection, settings))
    added = sync_sources(store, read_sources_file(path), owner)
    if added:
        say(f"Added {len(added)} source(s) from {path}: {', '.join(added)}")


def _local_member(connection: Connection, settings: Settings) -> str:
    names = [member.name for member in member_repo.list_members(connection)]
    return settings.default_member if settings.default_member in names else names[0]


def _process_forever(store: Store, settings: Settings, stop: threading.Event, say: Say) -> None:
    """The background processor of `jic up`: whatever is pending, every half minute
    (and the chair's handovers into the audit log)."""
    from jic.analyse.ledger import PropositionAssigner
    from jic.analyse.story_run import assign_stories
    from jic.errors import JicError
    from jic.process.pipeline import Pipeline, ProcessOptions

    pipeline = Pipeline(store, settings)
    ledger = PropositionAssigner()  # keeps its index of live propositions between rounds
    while not stop.is_set():
        try:
            _note_handovers(store)
            report = pipeline.run(ProcessOptions())
            assign_stories(store)
            ledger.run(store)
        except JicError as error:
            say(f"process: {error.one_line()}")
            return
        except Exception as error:  # keep serving; say what went wrong, try again later
            say(f"process: stopped this round: {type(error).__name__}: {error}")
        else:
            if report.documents:
                failed = sum(report.failed.values())
                say(f"process: {report.documents} document(s) processed, {failed} stage failure(s)")
        stop.wait(30)


def _note_handovers(store: Store) -> None:
    """Handovers take effect on time; this puts each in the audit log soon after."""
    from datetime import UTC, datetime

    from jic.center.actions import note_handovers

    with store.write() as connection:
        note_handovers(connection, member_repo.rotation(connection), datetime.now(UTC))


def _gather_forever(store: Store, settings: Settings, stop: threading.Event, say: Say) -> None:
    """The background gatherer of `jic up`: one line per source per poll."""
    from jic.gather.http import Fetcher
    from jic.gather.poll import Gatherer, GatherOptions, fetch_options

    with Fetcher(fetch_options(settings)) as fetcher:
        gatherer = Gatherer(store, fetcher, GatherOptions.from_settings(settings))
        gatherer.watch(stop, lambda report: say("gather: " + report.line()))


def serve(settings: Settings, *, host: str, port: int, say: Say) -> None:
    import uvicorn

    from jic.api.app import create_app

    _loopback_only(host)
    app = create_app(settings)
    say(f"Serving on http://{host}:{port}/ (API under /api/v1, docs at /api/docs); Ctrl-C stops.")
    uvicorn.run(app, host=host, port=port, log_level="warning")

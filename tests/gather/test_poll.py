"""Polling sources end to end: a real server on 127.0.0.1, a real store, the CLI."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.conftest import Backend
from tests.gather.fixture_server import FixtureServer, Reply, send
from typer.testing import CliRunner

from jic.cli import app
from jic.domain import Reliability
from jic.errors import InputError
from jic.gather.http import Fetcher, FetchOptions
from jic.gather.poll import Gatherer, GatherOptions, parse_every, split_allow
from jic.store import audit, feed_items
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.store.database import Store
from jic.store.sources import NewSource, Source

HTML = {"content-type": "text/html; charset=utf-8"}


def fresh(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def article(number: int) -> bytes:
    body = "".join(
        f"<p>Paragraph {k} of report {number}: water trucks reached the camps near Hasakah "
        "and the road to the border crossing stayed open through the night.</p>"
        for k in range(4)
    )
    return (
        f"<html><head><title>Report {number}</title></head><body><nav>Home | News</nav>"
        f"<article><h1>Report {number}</h1>{body}</article>"
        "<footer>Contact us</footer></body></html>"
    ).encode()


def feed(base: str, prefix: str, count: int) -> bytes:
    items = "".join(
        f"<item><title>Report {n}</title><link>{base}/{prefix}/{n}</link><guid>{prefix}-{n}</guid>"
        f"<pubDate>Sat, 28 Nov 2026 0{n % 10}:00:00 GMT</pubDate></item>"
        for n in range(count)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    return (head + items + "</channel></rss>").encode()


def serve_feed(site: FixtureServer, prefix: str, count: int) -> str:
    """Serve a feed of ``count`` articles under /PREFIX; prefixes are unique per test run
    because the site lives for the whole session."""
    for n in range(count):
        site.routes[f"/{prefix}/{n}"] = Reply(200, article(n), HTML)
    site.routes[f"/{prefix}.xml"] = Reply(
        200, feed(site.url(""), prefix, count), {"content-type": "application/rss+xml"}
    )
    return site.url(f"/{prefix}.xml")


def add_source(store: Store, url: str, kind: str = "feed", name: str = "test feed") -> Source:
    with store.write() as connection:
        owner = member_repo.get_member(connection, "local")
        return source_repo.add(
            connection,
            NewSource(name=name, kind=kind, url=url, reliability=Reliability.B),
            owner=owner,
            actor=audit.Actor(member="local"),
        )


def hits(site: FixtureServer, path_prefix: str) -> int:
    return sum(1 for seen in site.hits if seen.path.startswith(path_prefix))


@pytest.fixture
def gatherer(store: Store, make_fetcher: Callable[..., Fetcher]) -> Gatherer:
    return Gatherer(store, make_fetcher(), GatherOptions(entry_attempts=2))


def test_a_feed_with_forbidden_entries_stores_the_good_ones_only(
    store: Store, gatherer: Gatherer, site: FixtureServer, forbidden: FixtureServer
) -> None:
    source = add_source(store, site.url("/mixed.xml"))
    before = len(forbidden.hits)
    report = gatherer.poll(source)
    assert report.stored == 1 and report.failed == 6
    assert len(forbidden.hits) == before  # nothing reached the internal server
    with store.read() as connection:
        failures = feed_items.failures(connection, source.id)
        docs = list(document_repo.iterate(connection))
    assert len(failures) == 6
    assert all(f["error"].startswith("JIC-E5") for f in failures)
    assert any("169.254.169.254" in (f["url"] or "") for f in failures)
    assert docs[0].source == "test feed" and docs[0].url and docs[0].url.endswith("/article")


def test_regathering_repeats_nothing_and_gives_up_on_failures(
    store: Store, gatherer: Gatherer, site: FixtureServer
) -> None:
    again = fresh("again")
    url = serve_feed(site, again, 3)
    site.routes[f"/{again}/2"] = Reply(404, b"gone", HTML)
    source = add_source(store, url)
    first = gatherer.poll(source)
    assert (first.stored, first.failed) == (2, 1)
    second = gatherer.poll(source)
    assert (second.stored, second.failed, second.unchanged) == (0, 1, 2)
    third = gatherer.poll(source)  # the failed entry has used its two attempts
    assert (third.stored, third.failed) == (0, 0)
    assert hits(site, f"/{again}/0") == 1 and hits(site, f"/{again}/2") == 2


def test_a_gatherer_killed_mid_run_resumes_without_repeats(
    store: Store, make_fetcher: Callable[..., Fetcher], site: FixtureServer
) -> None:
    killed = fresh("killed")
    url = serve_feed(site, killed, 6)
    source = add_source(store, url)
    fetcher = make_fetcher()
    real_fetch = fetcher.fetch
    calls = 0

    def dying_fetch(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 4:  # the feed, then two entries, then the process dies
            raise KeyboardInterrupt
        return real_fetch(*args, **kwargs)  # type: ignore[arg-type]

    fetcher.fetch = dying_fetch  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        Gatherer(store, fetcher, GatherOptions()).poll(source)
    with store.read() as connection:
        assert document_repo.count(connection) == 2
    resumed = Gatherer(store, make_fetcher(), GatherOptions()).poll(source)
    assert resumed.stored == 4 and resumed.unchanged == 2
    assert all(hits(site, f"/{killed}/{n}") == 1 for n in range(6))


def test_a_changed_page_is_a_new_version(
    store: Store, gatherer: Gatherer, site: FixtureServer
) -> None:
    site.routes["/living-page"] = Reply(200, article(1), HTML)
    source = add_source(store, site.url("/living-page"), kind="page", name="page")
    assert gatherer.poll(source).stored == 1
    assert gatherer.poll(source).unchanged == 1
    site.routes["/living-page"] = Reply(200, article(2), HTML)
    assert gatherer.poll(source).stored == 1
    with store.read() as connection:
        docs = list(document_repo.iterate(connection))
    assert docs[1].version_of == docs[0].id


def test_only_due_sources_are_polled(store: Store, gatherer: Gatherer, site: FixtureServer) -> None:
    add_source(store, serve_feed(site, fresh("due"), 1))
    assert [r.source for r in gatherer.gather_due()] == ["test feed"]
    assert gatherer.gather_due() == []
    later = datetime.now(UTC) + timedelta(hours=1)
    assert len(gatherer.gather_due(at=later)) == 1


def test_intervals() -> None:
    assert parse_every("15m") == 900 and parse_every("2h") == 7200 and parse_every("1d") == 86400
    with pytest.raises(InputError):
        parse_every("5s")
    with pytest.raises(InputError):
        parse_every("soon")


def test_cli_sources_and_gather(backend: Backend, site: FixtureServer) -> None:
    runner = CliRunner()
    env = {"JIC_FETCH_ALLOW": json.dumps([f"127.0.0.1:{site.port}"]), "JIC_PER_HOST_RATE": "50"}

    def jic(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, [*backend.cli_args(), *args], env=env)
        return result.exit_code, result.stdout + result.stderr

    assert jic("init")[0] == 0
    url = serve_feed(site, fresh("cli"), 2)
    code, out = jic(
        "sources", "add", site.url("/page.html"), "--name", "found", "--reliability", "C"
    )
    assert code == 0 and "feed" in out  # discovered through <link rel=alternate>
    code, out = jic(
        "sources",
        "add",
        url,
        "--name",
        "cli feed",
        "--kind",
        "feed",
        "--every",
        "1h",
        "--tlp",
        "GREEN",
    )
    assert code == 0
    code, out = jic("sources", "add", url, "--name", "twice", "--kind", "feed")
    assert code == 2 and "already the source" in out
    code, out = jic("gather", "--source", "cli feed")
    assert code == 0 and "cli feed: 2 new" in out
    code, out = jic("sources", "list", "--json")
    listed = {s["name"]: s for s in json.loads(out)}
    assert listed["cli feed"]["last_status"] == "ok" and listed["found"]["reliability"] == "C"
    code, out = jic("export", "documents")
    tlps = {json.loads(line)["tlp"] for line in out.splitlines() if line.startswith("{")}
    assert tlps == {"GREEN"}
    assert jic("sources", "remove", "cli feed")[0] == 0
    code, out = jic("sources", "show", "cli feed")
    assert code == 2 and "no source named" in out


def etag_feed(site: FixtureServer, prefix: str, count: int) -> str:
    """A feed that answers 304 to If-None-Match, as most real feeds do."""
    url = serve_feed(site, prefix, count)
    body = site.routes[f"/{prefix}.xml"]
    assert isinstance(body, Reply)

    def write(handler: Any, seen: Any) -> None:
        if seen.headers.get("if-none-match") == '"v1"':
            send(handler, Reply(304, b"", {"etag": '"v1"'}))
        else:
            send(handler, Reply(200, body.body, {**body.headers, "etag": '"v1"'}))

    site.routes[f"/{prefix}.xml"] = write
    return url


def test_failed_entries_are_retried_while_the_feed_answers_304(
    store: Store, gatherer: Gatherer, site: FixtureServer
) -> None:
    prefix = fresh("etag")
    url = etag_feed(site, prefix, 2)
    site.routes[f"/{prefix}/1"] = Reply(503, b"busy", HTML)
    source = add_source(store, url)
    first = gatherer.poll(source)
    assert (first.stored, first.failed) == (1, 1)
    site.routes[f"/{prefix}/1"] = Reply(200, article(1), HTML)
    second = gatherer.poll(source)
    assert second.status == "not-modified" and second.stored == 1


def test_an_unexpected_error_fails_the_entry_not_the_gatherer(
    store: Store, gatherer: Gatherer, site: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jic.gather.poll as poll_module

    real = poll_module.page_document
    prefix = fresh("buggy")
    source = add_source(store, serve_feed(site, prefix, 3))

    def sometimes_broken(result: Any, location: str, entry: Any = None) -> Any:
        if location.endswith("/1"):
            raise RuntimeError("extractor bug")
        return real(result, location, entry)

    monkeypatch.setattr(poll_module, "page_document", sometimes_broken)
    report = gatherer.poll(source)
    assert (report.stored, report.failed, report.status) == (2, 1, "ok")
    with store.read() as connection:
        failures = feed_items.failures(connection, source.id)
    assert failures[0]["error"] == "RuntimeError: extractor bug"


def test_a_page_with_new_bytes_but_the_same_text_is_not_a_new_version(
    store: Store, gatherer: Gatherer, site: FixtureServer
) -> None:
    path = f"/{fresh('token')}"
    site.routes[path] = Reply(200, article(5).replace(b"</body>", b"<!-- t=1 --></body>"), HTML)
    source = add_source(store, site.url(path), kind="page", name="tokened")
    assert gatherer.poll(source).stored == 1
    site.routes[path] = Reply(200, article(5).replace(b"</body>", b"<!-- t=2 --></body>"), HTML)
    assert gatherer.poll(source).unchanged == 1


def test_allow_list_entries_are_split_into_networks_and_hosts() -> None:
    networks, hosts = split_allow(
        ["127.0.0.1:8080", "10.2.0.0/16", "[::1]:9000", "::1", "intranet.lan"]
    )
    assert networks == ("127.0.0.1:8080", "10.2.0.0/16", "[::1]:9000", "::1")
    assert hosts == ("intranet.lan",)
    Fetcher(FetchOptions(allow_networks=networks, allow_hosts=hosts)).close()


def test_a_removed_source_is_not_added_back_from_the_sources_file(
    store: Store, tmp_path: Any
) -> None:
    from jic.gather.sources import read_sources_file, sync_sources

    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nname = "A"\nurl = "https://example.org/a.xml"\n')
    with store.read() as connection:
        owner = member_repo.get_member(connection, "local")
    assert sync_sources(store, read_sources_file(path), owner) == ["A"]
    with store.write() as connection:
        source_repo.remove(connection, "A", actor=audit.Actor())
    assert sync_sources(store, read_sources_file(path), owner) == []

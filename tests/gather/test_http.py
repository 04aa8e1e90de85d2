"""The fetcher against a real server on 127.0.0.1: each hostile answer refused or survived,
with a clear reason, and never past the limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from tests.gather.fixture_server import ARTICLE, RSS, TEST_MAX_BYTES, FixtureServer, Reply

from jic.gather.errors import (
    ContentTypeError,
    FetchTimeoutError,
    ForbiddenAddressError,
    HTTPStatusError,
    RobotsDisallowedError,
    TooLargeError,
    TooManyRedirectsError,
    UnsupportedURLError,
)
from jic.gather.http import (
    FEED_TYPES,
    HTML_TYPES,
    Fetcher,
    FetchOptions,
    parse_content_type,
    parse_retry_after,
    user_agent,
)
from jic.gather.ratelimit import HostRateLimiter

pytestmark = pytest.mark.timeout(30)
MakeFetcher = Callable[..., Fetcher]


def test_plain_fetch_returns_body_type_and_charset(fetcher: Fetcher, site: FixtureServer) -> None:
    result = fetcher.fetch(site.url("/rss.xml"), accept=FEED_TYPES)
    assert result.status == 200 and result.body == RSS
    assert (result.content_type, result.charset) == ("application/rss+xml", "utf-8")
    assert result.final_url == site.url("/rss.xml") and result.redirects == []
    assert result.elapsed < 3


def test_user_agent_names_jic_and_a_contact(make_fetcher: MakeFetcher, site: FixtureServer) -> None:
    fetcher = make_fetcher(user_agent=user_agent("https://center.example/contact"))
    fetcher.fetch(site.url("/article"))
    sent = site.hits_for("/article")[-1].headers["user-agent"]
    assert sent.startswith("jic/") and "https://center.example/contact" in sent


def test_redirects_are_followed_and_listed(fetcher: Fetcher, site: FixtureServer) -> None:
    result = fetcher.fetch(site.url("/redirect-to-article"), accept=HTML_TYPES)
    assert result.final_url == site.url("/article") and result.body == ARTICLE
    assert result.redirects == [site.url("/redirect-to-article")]


def test_redirect_loop_stops_at_the_limit(make_fetcher: MakeFetcher, site: FixtureServer) -> None:
    with pytest.raises(TooManyRedirectsError, match="more than 3") as caught:
        make_fetcher(max_redirects=3).fetch(site.url("/loop"))
    assert caught.value.code == "JIC-E516"


@pytest.mark.parametrize("path", ["/redirect-to-forbidden", "/redirect-to-metadata"])
def test_redirect_to_an_internal_address_is_refused(
    fetcher: Fetcher, site: FixtureServer, forbidden: FixtureServer, path: str
) -> None:
    before = len(forbidden.hits)
    with pytest.raises(ForbiddenAddressError) as caught:
        fetcher.fetch(site.url(path))
    assert caught.value.code == "JIC-E510" and "allow-list" in caught.value.hint
    assert len(forbidden.hits) == before  # nothing, not even robots.txt, reached it


def test_loopback_on_another_port_is_refused(
    fetcher: Fetcher, site: FixtureServer, forbidden: FixtureServer
) -> None:
    before = len(forbidden.hits)
    for url in (forbidden.url("/secret"), f"http://localhost:{forbidden.port}/secret"):
        with pytest.raises(ForbiddenAddressError, match="loopback"):
            fetcher.fetch(url)
    assert len(forbidden.hits) == before


def test_redirect_to_a_file_url_is_refused(fetcher: Fetcher, site: FixtureServer) -> None:
    with pytest.raises(UnsupportedURLError, match="only http and https"):
        fetcher.fetch(site.url("/redirect-to-file"))


@pytest.mark.timeout(10)
def test_gzip_bomb_is_stopped_at_the_cap(fetcher: Fetcher, site: FixtureServer) -> None:
    started = time.monotonic()
    with pytest.raises(TooLargeError, match="decompression bomb") as caught:
        fetcher.fetch(site.url("/gzip-bomb"))
    assert caught.value.code == "JIC-E511"
    assert time.monotonic() - started < 3


@pytest.mark.timeout(10)
def test_endless_body_is_stopped_at_the_cap(fetcher: Fetcher, site: FixtureServer) -> None:
    with pytest.raises(TooLargeError, match=f"limit of {TEST_MAX_BYTES}"):
        fetcher.fetch(site.url("/endless"))


def test_declared_oversize_is_refused_before_reading(fetcher: Fetcher, site: FixtureServer) -> None:
    with pytest.raises(TooLargeError, match="declares 999999999 bytes"):
        fetcher.fetch(site.url("/too-big-declared"))


@pytest.mark.timeout(10)
def test_slow_drip_is_cut_at_the_total_deadline(
    make_fetcher: MakeFetcher, site: FixtureServer
) -> None:
    # One byte every 0.1 s never trips a read timeout; only the wall clock stops it.
    fetcher = make_fetcher(total_timeout=1.0, read_timeout=5.0)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError) as caught:
        fetcher.fetch(site.url("/drip"))
    assert caught.value.code == "JIC-E512"
    assert 0.9 < time.monotonic() - started < 2.0


@pytest.mark.timeout(10)
def test_silent_server_is_cut_at_the_deadline(
    make_fetcher: MakeFetcher, site: FixtureServer
) -> None:
    fetcher = make_fetcher(total_timeout=0.8, read_timeout=5.0)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError):
        fetcher.fetch(site.url("/stall"))
    assert time.monotonic() - started < 1.8


def test_404_is_an_http_error_with_status(fetcher: Fetcher, site: FixtureServer) -> None:
    with pytest.raises(HTTPStatusError, match="404") as caught:
        fetcher.fetch(site.url("/missing"))
    assert caught.value.status == 404 and caught.value.code == "JIC-E515"
    assert len(site.hits_for("/missing")) >= 1


def test_500_then_success_is_retried(fetcher: Fetcher, site: FixtureServer) -> None:
    result = fetcher.fetch(site.url("/flaky?case=retry"))
    assert result.status == 200 and result.attempts == 2
    assert [h.query for h in site.hits_for("/flaky")].count("case=retry") == 2


def test_persistent_503_gives_up_after_the_retries(
    make_fetcher: MakeFetcher, site: FixtureServer
) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        make_fetcher(retries=2).fetch(site.url("/always-500?case=give-up"))
    assert caught.value.status == 503
    assert [h.query for h in site.hits_for("/always-500")].count("case=give-up") == 3


@pytest.mark.timeout(10)
def test_429_waits_for_retry_after(fetcher: Fetcher, site: FixtureServer) -> None:
    started = time.monotonic()
    result = fetcher.fetch(site.url("/busy?case=wait"))
    assert result.status == 200 and result.attempts == 2
    assert time.monotonic() - started >= 0.95


def test_429_asking_too_long_a_wait_is_not_waited_for(
    fetcher: Fetcher, site: FixtureServer
) -> None:
    started = time.monotonic()
    with pytest.raises(HTTPStatusError, match="retry after 3600") as caught:
        fetcher.fetch(site.url("/busy-long"))
    assert caught.value.retry_after == 3600
    assert time.monotonic() - started < 1


def test_image_where_html_is_expected_is_refused(fetcher: Fetcher, site: FixtureServer) -> None:
    with pytest.raises(ContentTypeError, match="image/png") as caught:
        fetcher.fetch(site.url("/image.png"), accept=HTML_TYPES)
    assert caught.value.code == "JIC-E513"


def test_pdf_declared_as_html_is_refused(fetcher: Fetcher, site: FixtureServer) -> None:
    with pytest.raises(ContentTypeError, match="its body is application/pdf"):
        fetcher.fetch(site.url("/pdf-as-html"), accept=HTML_TYPES)


def test_wrong_charset_declarations_are_survived(fetcher: Fetcher, site: FixtureServer) -> None:
    said_utf8 = fetcher.fetch(site.url("/latin1-as-utf8"), accept=HTML_TYPES).text()
    assert said_utf8.text == "<p>Café Mayor’s</p>" and said_utf8.lossy
    assert any("declared charset utf-8" in note for note in said_utf8.notes)
    said_latin1 = fetcher.fetch(site.url("/utf8-as-latin1"), accept=HTML_TYPES).text()
    assert said_latin1.text == "<p>Café – Ниневия</p>"
    assert any("valid UTF-8" in note for note in said_latin1.notes)


def test_robots_disallowed_path_is_never_requested(fetcher: Fetcher, site: FixtureServer) -> None:
    before = len(site.hits_for("/private/page"))
    with pytest.raises(RobotsDisallowedError, match=r"robots\.txt") as caught:
        fetcher.fetch(site.url("/private/page"))
    assert caught.value.code == "JIC-E514"
    assert len(site.hits_for("/private/page")) == before


def test_robots_can_be_turned_off(make_fetcher: MakeFetcher, site: FixtureServer) -> None:
    assert make_fetcher(respect_robots=False).fetch(site.url("/private/page")).status == 200


def test_robots_txt_is_fetched_once_per_host(make_fetcher: MakeFetcher) -> None:
    own = FixtureServer()
    try:
        own.add("/robots.txt", Reply(200, b"User-agent: jic\nDisallow: /no\n"))
        own.add("/a", Reply(200, b"a"))
        fetcher = make_fetcher(allow_networks=(f"127.0.0.1:{own.port}",))
        for _ in range(3):
            fetcher.fetch(own.url("/a"))
        assert len(own.hits_for("/robots.txt")) == 1
        with pytest.raises(RobotsDisallowedError):
            fetcher.fetch(own.url("/no/thing"))
    finally:
        own.close()


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(404, True), (403, True), (500, False), (503, False)],
)
def test_robots_status_decides_as_rfc_9309_says(
    make_fetcher: MakeFetcher, status: int, allowed: bool
) -> None:
    own = FixtureServer()
    try:
        own.add("/robots.txt", Reply(status, b"oops"))
        own.add("/page", Reply(200, b"page"))
        fetcher = make_fetcher(allow_networks=(f"127.0.0.1:{own.port}",), retries=0)
        if allowed:
            assert fetcher.fetch(own.url("/page")).body == b"page"
        else:
            with pytest.raises(RobotsDisallowedError, match=f"answered {status}"):
                fetcher.fetch(own.url("/page"))
            assert own.hits_for("/page") == []
    finally:
        own.close()


def test_conditional_get_by_etag_and_date(fetcher: Fetcher, site: FixtureServer) -> None:
    first = fetcher.fetch(site.url("/conditional.xml"), accept=FEED_TYPES)
    assert first.status == 200 and first.etag == '"v1-abc"' and first.last_modified
    again = fetcher.fetch(site.url("/conditional.xml"), etag=first.etag)
    assert again.not_modified and again.status == 304 and again.body == b""
    by_date = fetcher.fetch(site.url("/conditional.xml"), last_modified=first.last_modified)
    assert by_date.not_modified
    seen = site.hits_for("/conditional.xml")[-2:]
    assert seen[0].headers["if-none-match"] == '"v1-abc"'
    assert seen[1].headers["if-modified-since"] == first.last_modified


@pytest.mark.timeout(10)
def test_requests_to_one_host_are_spaced(make_fetcher: MakeFetcher, site: FixtureServer) -> None:
    fetcher = make_fetcher(per_host_rate=5.0, respect_robots=False)
    started = time.monotonic()
    for _ in range(3):
        fetcher.fetch(site.url("/article"))
    assert time.monotonic() - started >= 0.38  # three requests at 5/s: two gaps of 0.2 s


def test_rate_limiter_is_per_host_and_honours_crawl_delay() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = HostRateLimiter(1.0, clock=lambda: now[0], sleep=sleep)
    assert limiter.wait("a.example") == 0
    assert limiter.wait("b.example") == 0  # another host does not wait
    assert limiter.wait("A.example") == pytest.approx(1.0)
    limiter.set_min_interval("a.example", 5.0)
    assert limiter.wait("a.example") == pytest.approx(1.0)
    assert limiter.wait("a.example") == pytest.approx(5.0)


def test_crawl_delay_slows_the_fetcher(make_fetcher: MakeFetcher) -> None:
    own = FixtureServer()
    try:
        own.add("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 1\n"))
        own.add("/a", Reply(200, b"a"))
        fetcher = make_fetcher(allow_networks=(f"127.0.0.1:{own.port}",))
        fetcher.fetch(own.url("/a"))
        started = time.monotonic()
        fetcher.fetch(own.url("/a"))
        assert time.monotonic() - started >= 0.9
    finally:
        own.close()


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "http://", "nope"])
def test_only_http_urls_are_fetched(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(UnsupportedURLError):
        fetcher.fetch(url)


def test_helpers_read_headers() -> None:
    assert parse_content_type('Text/HTML; Charset="UTF-8"') == ("text/html", "utf-8")
    assert parse_content_type(None) == (None, None)
    assert parse_retry_after("120") == 120
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("Sun, 01 Mar 2026 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("soon") is None


def test_default_options_are_polite() -> None:
    options = FetchOptions()
    assert options.per_host_rate == 1.0 and options.respect_robots
    assert options.max_bytes == 20 * 1024 * 1024 and options.robots_agent == "jic"
    assert options.allow_networks == () and options.allow_hosts == ()


def test_one_fetcher_serves_many_threads(fetcher: Fetcher, site: FixtureServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    paths = ["/article", "/rss.xml", "/atom.xml", "/feed.json"] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda p: fetcher.fetch(site.url(p)), paths))
    assert [r.final_url for r in results] == [site.url(p) for p in paths]
    assert all(r.status == 200 and r.body for r in results)

"""Feeds and sitemaps served from 127.0.0.1: every format read, every hostile one refused
or survived with a reason, and the good entries of a bad feed still delivered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from tests.gather.fixture_server import HTML_PAGE, FixtureServer, Reply

from jic.gather.errors import (
    FetchError,
    ForbiddenAddressError,
    MalformedFeedError,
    MalformedSitemapError,
    TooLargeError,
    UnsafeXMLError,
)
from jic.gather.feeds import discover_feeds, fetch_feed, find_feeds, parse_feed
from jic.gather.http import HTML_TYPES, Fetcher
from jic.gather.sitemaps import fetch_sitemap, parse_sitemap

pytestmark = pytest.mark.timeout(30)


def test_rss2_entries_have_links_dates_and_plain_summaries(
    fetcher: Fetcher, site: FixtureServer
) -> None:
    fetched = fetch_feed(fetcher, site.url("/rss.xml"))
    feed = fetched.feed
    assert feed is not None and feed.version == "rss20" and feed.problems == []
    assert (feed.title, feed.link, feed.language) == (
        "Riverside Monitor",
        "https://monitor.example/",
        "en",
    )
    first, second = feed.entries
    assert first.id == "monitor-0001" and first.author == "Desk Editor"
    assert first.summary == "The old bridge reopened on Monday."
    assert first.published == datetime(2026, 3, 2, 5, 30, tzinfo=UTC)
    assert first.content_html and "after repairs" in first.content_html
    # A relative link is resolved against the feed's own address.
    assert second.url == site.url("/news/water-deliveries")


def test_atom_entries_keep_their_language_and_author(fetcher: Fetcher, site: FixtureServer) -> None:
    feed = fetch_feed(fetcher, site.url("/atom.xml")).feed
    assert feed is not None and feed.version == "atom10"
    road, route = feed.entries
    assert road.author == "Field Office" and road.language == "en"
    assert road.published == datetime(2026, 3, 5, 8, 15, tzinfo=UTC)
    assert road.updated == datetime(2026, 3, 5, 11, 0, tzinfo=UTC)
    assert route.language == "fr" and route.id == "tag:valley.example,2026:2"


def test_rss1_and_rss091_are_read(fetcher: Fetcher, site: FixtureServer) -> None:
    rdf = fetch_feed(fetcher, site.url("/rdf.xml")).feed
    assert rdf is not None and rdf.version == "rss10"
    assert rdf.entries[0].url == "https://rdf.example/a1"
    old = fetch_feed(fetcher, site.url("/rss091.xml")).feed
    assert old is not None and old.version.startswith("rss09")
    assert old.entries[0].title == "Café market reopens" and old.language == "fr"


def test_json_feed_is_read_and_bad_links_are_reported(
    fetcher: Fetcher, site: FixtureServer
) -> None:
    feed = fetch_feed(fetcher, site.url("/feed.json")).feed
    assert feed is not None and feed.version == "json1" and feed.title == "Harbour Notes"
    ferry, fuel, bad = feed.entries
    assert ferry.author == "Port Desk" and ferry.published == datetime(2026, 3, 7, 6, tzinfo=UTC)
    assert fuel.url == site.url("/notes/2") and fuel.summary == "Fuel arrives at berth 4."
    assert fuel.updated == datetime(2026, 3, 8, 5, 30, tzinfo=UTC)
    assert bad.url is None and bad.title == "Not a link"
    assert any("javascript:" in problem for problem in feed.problems)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("path", ["/bomb.xml", "/xxe.xml", "/xxe-parameter.xml"])
def test_entity_attacks_are_refused(fetcher: Fetcher, site: FixtureServer, path: str) -> None:
    with pytest.raises(UnsafeXMLError, match="entity") as caught:
        fetch_feed(fetcher, site.url(path))
    assert caught.value.code == "JIC-E520" and caught.value.url == site.url(path)


def test_malformed_feed_keeps_the_entries_that_parsed(
    fetcher: Fetcher, site: FixtureServer
) -> None:
    feed = fetch_feed(fetcher, site.url("/malformed.xml")).feed
    assert feed is not None
    assert [e.title for e in feed.entries][:2] == [
        "First intact story",
        "Second intact story & more",
    ]
    assert any("malformed" in problem for problem in feed.problems)


def test_wrong_charset_declaration_is_survived_and_noted(
    fetcher: Fetcher, site: FixtureServer
) -> None:
    feed = fetch_feed(fetcher, site.url("/wrong-charset.xml")).feed
    assert feed is not None and feed.title == "Café Gazette"
    assert feed.entries[0].title == "Mayor’s statement"
    assert any("encoding was wrong" in problem for problem in feed.problems)


def test_html_page_is_not_taken_for_a_feed(fetcher: Fetcher, site: FixtureServer) -> None:
    with pytest.raises(MalformedFeedError, match="HTML page") as caught:
        fetch_feed(fetcher, site.url("/plain.html"))
    assert "discover" in caught.value.hint


def test_garbage_is_a_malformed_feed() -> None:
    for junk in (b"", b"hello", b"{not json", b'{"title": "no version"}'):
        with pytest.raises(MalformedFeedError):
            parse_feed(junk, url="https://x.example/feed")


def test_feed_given_as_a_path_is_not_read_from_disk() -> None:
    # feedparser opens a string that names a file; jic hands it bytes as a stream.
    with pytest.raises(MalformedFeedError):
        parse_feed(b"/etc/passwd")


def test_conditional_feed_fetch_returns_no_feed_on_304(
    fetcher: Fetcher, site: FixtureServer
) -> None:
    first = fetch_feed(fetcher, site.url("/conditional.xml"))
    assert first.feed is not None and len(first.feed.entries) == 2
    again = fetch_feed(fetcher, site.url("/conditional.xml"), etag=first.result.etag)
    assert again.result.not_modified and again.feed is None


def test_entries_pointing_inside_are_refused_and_the_rest_fetched(
    fetcher: Fetcher, site: FixtureServer, forbidden: FixtureServer
) -> None:
    before = len(forbidden.hits)
    feed = fetch_feed(fetcher, site.url("/mixed.xml")).feed
    assert feed is not None and len(feed.entries) == 7
    fetched, refused = [], []
    for entry in feed.entries:
        assert entry.url is not None
        try:
            fetched.append(fetcher.fetch(entry.url, accept=HTML_TYPES).final_url)
        except FetchError as exc:
            refused.append((entry.url, exc))
    assert fetched == [site.url("/article")]
    assert len(refused) == 6
    assert all(isinstance(exc, ForbiddenAddressError) for _, exc in refused)
    assert all(exc.url and exc.message for _, exc in refused)
    assert len(forbidden.hits) == before


def test_feed_links_are_discovered_in_a_page(fetcher: Fetcher, site: FixtureServer) -> None:
    links = find_feeds(fetcher, site.url("/page.html"))
    assert [link.url for link in links] == [
        site.url("/rss.xml"),
        "https://valley.example/atom",
        site.url("/feed.json"),
    ]
    assert links[0].title == "Monitor RSS" and links[0].type == "application/rss+xml"


def test_a_feed_url_is_its_own_discovery(fetcher: Fetcher, site: FixtureServer) -> None:
    links = find_feeds(fetcher, site.url("/atom.xml"))
    assert [(link.url, link.title) for link in links] == [(site.url("/atom.xml"), "Valley Updates")]


def test_common_paths_are_probed_when_a_page_links_no_feed(
    make_fetcher: Callable[..., Fetcher],
) -> None:
    own = FixtureServer()
    try:
        own.add("/", Reply(200, b"<!doctype html><html><body>hi</body></html>"))
        own.add(
            "/rss.xml", Reply(200, b'<rss version="2.0"><channel><title>T</title></channel></rss>')
        )
        fetcher = make_fetcher(allow_networks=(f"127.0.0.1:{own.port}",))
        assert [link.url for link in find_feeds(fetcher, own.url("/"))] == [own.url("/rss.xml")]
        assert find_feeds(fetcher, own.url("/"), probe_common_paths=False) == []
    finally:
        own.close()


def test_discovery_honours_base_and_ignores_other_alternates() -> None:
    page = HTML_PAGE.decode().replace("<head>", '<head><base href="https://cdn.example/x/">')
    links = discover_feeds(page, "https://site.example/")
    assert links[0].url == "https://cdn.example/rss.xml"
    assert all("/fr/" not in link.url for link in links)


# --- sitemaps ----------------------------------------------------------------------------


def test_sitemap_urls_and_dates_are_read(fetcher: Fetcher, site: FixtureServer) -> None:
    sitemap = fetch_sitemap(fetcher, site.url("/sitemap.xml"))
    assert sitemap.kind == "urlset"
    assert [u.loc for u in sitemap.urls] == [f"https://monitor.example/news/{i}" for i in (1, 2, 3)]
    assert sitemap.urls[0].lastmod == datetime(2026, 3, 1, tzinfo=UTC)
    assert any("not http(s)" in problem for problem in sitemap.problems)


def test_sitemap_index_is_followed_into_gzipped_children(
    fetcher: Fetcher, site: FixtureServer
) -> None:
    sitemap = fetch_sitemap(fetcher, site.url("/sitemap-index.xml"))
    assert sitemap.kind == "sitemapindex" and len(sitemap.sitemaps) == 2
    assert len(sitemap.urls) == 3 + 5


def test_sitemap_stops_at_the_url_cap(fetcher: Fetcher, site: FixtureServer) -> None:
    sitemap = fetch_sitemap(fetcher, site.url("/sitemap-big.xml"), max_urls=100)
    assert len(sitemap.urls) == 100 and sitemap.truncated


@pytest.mark.timeout(10)
def test_hostile_sitemaps_are_refused(fetcher: Fetcher, site: FixtureServer) -> None:
    with pytest.raises(UnsafeXMLError):
        fetch_sitemap(fetcher, site.url("/sitemap-bomb.xml"))
    with pytest.raises(TooLargeError, match="decompression bomb"):
        fetch_sitemap(fetcher, site.url("/sitemap-gzip-bomb.xml.gz"))


def test_text_sitemap_and_garbage() -> None:
    text = parse_sitemap(b"https://a.example/1\n\nnot a url\nhttps://a.example/2\n")
    assert text.kind == "text" and [u.loc for u in text.urls] == [
        "https://a.example/1",
        "https://a.example/2",
    ]
    with pytest.raises(MalformedSitemapError):
        parse_sitemap(b"<html><body>no</body></html>")

"""Fixtures for gathering: the fixture site on 127.0.0.1 and fetchers allowed to read it.

Two servers run for the whole session: ``site`` serves our documents, ``forbidden``
stands for an internal service. Fetchers allow exactly the site's address and port
and nothing else, so every request the forbidden server records is a safety failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.gather.fixture_server import TEST_MAX_BYTES, FixtureServer, build_site, gzip_bomb

from jic.gather.http import Fetcher, FetchOptions

BOMB_SIZE = 64 * 1024 * 1024  # decompressed; about 64 KB on the wire


@pytest.fixture(scope="session")
def forbidden() -> Iterator[FixtureServer]:
    server = FixtureServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def site(forbidden: FixtureServer) -> Iterator[FixtureServer]:
    server = FixtureServer()
    build_site(server, forbidden, gzip_bomb(BOMB_SIZE))
    yield server
    server.close()


@pytest.fixture
def make_fetcher(site: FixtureServer) -> Iterator[Callable[..., Fetcher]]:
    """Build fetchers that may reach the site's exact port; options can be overridden."""
    made: list[Fetcher] = []

    def make(**overrides: Any) -> Fetcher:
        options: dict[str, Any] = {
            "per_host_rate": 0,
            "allow_networks": (f"127.0.0.1:{site.port}",),
            "max_bytes": TEST_MAX_BYTES,
            "backoff": 0.05,
            "total_timeout": 3.0,
            "read_timeout": 2.0,
            "connect_timeout": 2.0,
        }
        options.update(overrides)
        fetcher = Fetcher(FetchOptions(**options))
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


@pytest.fixture
def fetcher(make_fetcher: Callable[..., Fetcher]) -> Fetcher:
    return make_fetcher()

"""robots.txt, fetched once per origin and kept for a while, honoured for jic's agent.

``RobotsCache(fetch, agent)`` answers ``allowed(url)``, ``crawl_delay(url)`` and
``sitemaps(url)``. ``fetch`` gets the robots.txt URL and returns a ``RobotsAnswer``;
the fetcher passes one that goes through all its safety checks but not through robots
itself. What an answer means follows RFC 9309:

- 2xx: the rules are parsed with ``urllib.robotparser``;
- 4xx other than 429 (including 404): there are no rules, everything is allowed;
- 429, 5xx: the site cannot say, so nothing is fetched until a retry after
  ``failure_ttl`` seconds (10 minutes by default).

Rules are kept ``ttl`` seconds (a day by default), per scheme, host and port.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB


@dataclass(frozen=True, slots=True)
class RobotsAnswer:
    """What the server said for /robots.txt: its status and the body (maybe truncated)."""

    status: int
    body: bytes = b""


RobotsFetch = Callable[[str], RobotsAnswer]


@dataclass(slots=True)
class RobotsRules:
    """The rules of one origin, or a blanket allow/disallow when there are none."""

    parser: RobotFileParser | None
    allow_all: bool
    expires: float
    reason: str
    sitemaps: list[str] = field(default_factory=list)

    def allowed(self, agent: str, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(agent, url)

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


def robots_url(url: str) -> str:
    """The robots.txt that governs ``url`` (same scheme, host and port)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}/robots.txt"


class RobotsCache:
    """robots.txt rules per origin, fetched on first use and refreshed after a TTL.

    ``agent`` is the product token matched against ``User-agent:`` lines (``jic``).
    """

    def __init__(
        self,
        fetch: RobotsFetch,
        agent: str,
        *,
        ttl: float = 86400.0,
        failure_ttl: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.agent = agent
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._clock = clock
        self._rules: dict[str, RobotsRules] = {}
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}

    def rules(self, url: str) -> RobotsRules:
        """The rules for ``url``'s origin, fetching robots.txt if not known or expired."""
        key = robots_url(url)
        with self._lock:
            origin_lock = self._origin_locks.setdefault(key, threading.Lock())
        # One fetch per origin even when several threads ask at once.
        with origin_lock:
            cached = self._rules.get(key)
            if cached is not None and cached.expires > self._clock():
                return cached
            rules = self._load(key)
            self._rules[key] = rules
            return rules

    def allowed(self, url: str) -> bool:
        return self.rules(url).allowed(self.agent, url)

    def crawl_delay(self, url: str) -> float | None:
        return self.rules(url).crawl_delay(self.agent)

    def sitemaps(self, url: str) -> list[str]:
        """Sitemap URLs that the origin's robots.txt lists."""
        return list(self.rules(url).sitemaps)

    def _load(self, key: str) -> RobotsRules:
        answer = self._fetch(key)
        now = self._clock()
        if 200 <= answer.status < 300:
            parser = RobotFileParser(key)
            parser.parse(answer.body.decode("utf-8", errors="replace").splitlines())
            return RobotsRules(
                parser, True, now + self._ttl, f"{key} rules", list(parser.site_maps() or [])
            )
        if 400 <= answer.status < 500 and answer.status != 429:
            reason = f"{key} answered {answer.status}: no rules, everything allowed"
            return RobotsRules(None, True, now + self._ttl, reason)
        reason = (
            f"{key} answered {answer.status}: the site cannot say what is allowed, "
            "so nothing is fetched from it for now"
        )
        return RobotsRules(None, False, now + self._failure_ttl, reason)

"""A per-host request pace shared by every thread of one fetcher.

``HostRateLimiter.wait(host)`` returns when the next request to ``host`` may go out:
at most ``rate`` requests a second per host (default 1), slower where the site's
robots.txt asks for a ``Crawl-delay``. Slots are reserved under a lock and slept
outside it, so threads fetching different hosts never wait for one another.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

_PRUNE_EVERY = 1024


class HostRateLimiter:
    """Spaces requests to the same host; ``rate`` <= 0 means no limit (tests)."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._slower: dict[str, float] = {}
        self._calls = 0

    def set_min_interval(self, host: str, seconds: float) -> None:
        """Ask for at least ``seconds`` between requests to ``host`` (a Crawl-delay)."""
        with self._lock:
            self._slower[host.lower()] = seconds

    def interval(self, host: str) -> float:
        return max(self._interval, self._slower.get(host.lower(), 0.0))

    def wait(self, host: str) -> float:
        """Block until a request to ``host`` may be sent; return the seconds waited."""
        key = host.lower()
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(key, now))
            self._next[key] = slot + self.interval(key)
            self._calls += 1
            if self._calls % _PRUNE_EVERY == 0:
                self._next = {h: t for h, t in self._next.items() if t > now}
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay

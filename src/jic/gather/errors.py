"""Why a fetch, a feed or a sitemap was refused: one error per reason, each with a code.

    GatherError (jic.errors)          E500   fetching from the network
    ├── ForbiddenAddressError         E510   the host resolves to loopback, private, ...
    ├── TooLargeError                 E511   body over max_bytes (raw or decompressed)
    ├── FetchTimeoutError             E512   connect, read or total deadline passed
    ├── ContentTypeError              E513   not the kind of document asked for
    ├── RobotsDisallowedError         E514   robots.txt says no to our user agent
    ├── HTTPStatusError               E515   the server answered 4xx/5xx (after retries)
    ├── TooManyRedirectsError         E516   redirect chain longer than max_redirects
    ├── MalformedFeedError            E517   nothing usable in what should be a feed
    ├── ConnectionFailedError         E518   name did not resolve, refused, reset, TLS
    ├── UnsupportedURLError           E519   not an http(s) URL with a host
    ├── UnsafeXMLError                E520   entity declarations, XXE: refused unread
    └── MalformedSitemapError         E521   nothing usable in what should be a sitemap

Each carries ``url`` (the URL being fetched when it happened) so a gatherer can log
one line per refused item and go on with the next.
"""

from __future__ import annotations

from jic.errors import GatherError


class FetchError(GatherError):
    """Base of the gather errors raised here; ``url`` is what was being fetched."""

    code = "JIC-E501"

    def __init__(self, message: str, hint: str = "", *, url: str = "") -> None:
        super().__init__(message, hint)
        self.url = url


class ForbiddenAddressError(FetchError):
    code = "JIC-E510"
    http_status = 403


class TooLargeError(FetchError):
    code = "JIC-E511"


class FetchTimeoutError(FetchError):
    code = "JIC-E512"
    http_status = 504


class ContentTypeError(FetchError):
    code = "JIC-E513"


class RobotsDisallowedError(FetchError):
    code = "JIC-E514"


class HTTPStatusError(FetchError):
    """The server answered with an error status; ``retry_after`` is set when it asked."""

    code = "JIC-E515"

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        url: str = "",
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, hint, url=url)
        self.status = status
        self.retry_after = retry_after


class TooManyRedirectsError(FetchError):
    code = "JIC-E516"


class MalformedFeedError(FetchError):
    code = "JIC-E517"
    http_status = 422


class ConnectionFailedError(FetchError):
    code = "JIC-E518"


class UnsupportedURLError(FetchError):
    code = "JIC-E519"
    http_status = 422


class UnsafeXMLError(FetchError):
    code = "JIC-E520"
    http_status = 422


class MalformedSitemapError(FetchError):
    code = "JIC-E521"
    http_status = 422

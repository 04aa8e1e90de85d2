"""Polite and safe HTTP GET: the one way jic reads from the network.

    fetcher = Fetcher(FetchOptions(user_agent=user_agent("https://center.example/contact")))
    result = fetcher.fetch(url, etag=old_etag, accept=FEED_TYPES)   # -> FetchResult
    if result.not_modified: ...                                     # 304: nothing new

What one ``fetch`` does, in order, for the URL and then for every redirect hop:

1. refuses anything but http(s) (``UnsupportedURLError``);
2. asks robots.txt of that origin, fetched once and cached (``RobotsDisallowedError``);
3. waits for the host's turn (1 request/s per host by default, slower on Crawl-delay);
4. connects only to an address that passed the address policy, checked after DNS
   resolution, pinned for the connection (``ForbiddenAddressError``, see safety.py);
5. sends If-None-Match / If-Modified-Since when given; 304 comes back as
   ``not_modified``;
6. retries 429 and 500/502/503/504 with exponential backoff, honouring Retry-After up
   to ``max_retry_after`` (a longer wait is not retried: ``HTTPStatusError`` carries
   ``retry_after`` so a scheduler can come back later);
7. checks the Content-Type against ``accept`` before reading the body, and the body's
   first bytes where the type lies (``ContentTypeError``);
8. streams the body, counting raw and decompressed bytes against ``max_bytes``
   (``TooLargeError``) and the wall clock against ``total_timeout``
   (``FetchTimeoutError``), so neither a gzip bomb nor a slow drip gets past the limits.

Every refusal is a ``jic.gather.errors.FetchError`` with a stable code, the URL, and a
message that says why. A ``Fetcher`` is safe to share between threads.
"""

from __future__ import annotations

import codecs
import email.utils
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from types import TracebackType
from urllib.parse import urljoin

import httpcore
import httpx

from jic import __version__
from jic.gather.decode import Decoded, decode
from jic.gather.errors import (
    ConnectionFailedError,
    ContentTypeError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    RobotsDisallowedError,
    TooLargeError,
    TooManyRedirectsError,
    UnsupportedURLError,
)
from jic.gather.ratelimit import HostRateLimiter
from jic.gather.robots import ROBOTS_MAX_BYTES, RobotsAnswer, RobotsCache
from jic.gather.safety import AddressPolicy, Inflater, PinnedBackend, Resolver, check_scheme

DEFAULT_CONTACT_URL = "https://example.invalid/set-your-gather-contact-url"

# Media types to pass as ``accept``: patterns matched with fnmatch; empty means any.
ANY_CONTENT: tuple[str, ...] = ()
HTML_TYPES = ("text/html", "application/xhtml+xml")
_XML_TYPES = ("application/xml", "text/xml", "application/*+xml")
# text/html and text/plain are listed because many servers mislabel their feeds;
# feeds.parse_feed tells a page from a feed and says so.
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    *_XML_TYPES,
    "text/plain",
    "text/html",
)
SITEMAP_TYPES = (
    *_XML_TYPES,
    "text/plain",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ROBOTS_MAX_REDIRECTS = 5  # RFC 9309
# Magic numbers of bodies that are plainly not text, whatever the Content-Type says.
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"OggS", "audio/ogg"),
    (b"\x1aE\xdf\xa3", "video/webm"),
)
# WHATWG: these labels mean windows-1252 on the web.
_LATIN1_LABELS = frozenset({"iso8859-1", "latin-1", "ascii", "us-ascii"})


def user_agent(contact_url: str = DEFAULT_CONTACT_URL) -> str:
    """The User-Agent jic sends: its name, version and where a site owner can reach you."""
    return f"jic/{__version__} (+{contact_url})"


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Limits and manners of a ``Fetcher``. Times are seconds, sizes bytes.

    ``allow_networks`` / ``allow_hosts`` name addresses that would otherwise be refused
    (loopback, private, ...): ``"127.0.0.1:8080"``, ``"10.2.0.0/16"``, ``"intranet.lan"``.
    """

    user_agent: str = field(default_factory=user_agent)
    per_host_rate: float = 1.0  # requests per second per host; <= 0 disables (tests only)
    max_bytes: int = 20 * 1024 * 1024
    total_timeout: float = 30.0  # wall clock for one request, body included
    connect_timeout: float = 10.0
    read_timeout: float = 15.0  # longest silence between two reads
    max_redirects: int = 10
    retries: int = 2  # extra attempts on 429 and 5xx
    backoff: float = 1.0  # first retry delay when no Retry-After; doubles each time
    max_retry_after: float = 120.0
    respect_robots: bool = True
    robots_ttl: float = 86400.0
    max_crawl_delay: float = 60.0
    allow_hosts: tuple[str, ...] = ()
    allow_networks: tuple[str, ...] = ()
    verify_tls: bool = True
    ca_file: str | None = None  # PEM bundle to trust instead of the system's (an internal CA)

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt rules are matched against ("jic")."""
        return self.user_agent.split("/")[0].split()[0].lower()


@dataclass(slots=True)
class FetchResult:
    """What came back: the final response after redirects, with its body read in full.

    ``redirects`` lists every URL that answered with a redirect, in order; ``headers``
    has lower-case names; ``content_type`` is the bare media type, ``charset`` the
    declared one; ``elapsed`` is seconds from the first request to the end of the body.
    """

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    redirects: list[str]
    elapsed: float
    attempts: int

    def text(self) -> Decoded:
        """The body as text, trusting valid UTF-8 over a declaration that contradicts it."""
        return decode_body(self.body, self.charset, html=self.content_type in (None, *HTML_TYPES))


def decode_body(body: bytes, charset: str | None, *, html: bool) -> Decoded:
    """Bytes to text: BOM, then valid UTF-8, then the declared charset, then a guess."""
    if body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(body, html=html)
    declared = _codec_name(charset)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        notes = []
        if declared not in (None, "utf-8") and not body.isascii():
            notes.append(f"declared charset {charset} but the body is valid UTF-8: read as UTF-8")
        return Decoded(text, "utf-8", notes=notes)
    if declared is not None:
        try:
            return Decoded(body.decode(declared), declared)
        except UnicodeDecodeError:
            pass
    result = decode(body, html=html)
    if charset:
        result.notes.insert(0, f"declared charset {charset} does not fit the body")
    return result


def _codec_name(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return None
    return "cp1252" if name in _LATIN1_LABELS else name


@dataclass(slots=True)
class _Exchange:
    """One request and its answer, before redirects are followed."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    location: str | None = None
    attempts: int = 1


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a chain of requests may do: the user's fetch or the robots.txt look-up."""

    headers: dict[str, str]
    accept: Sequence[str]
    max_bytes: int
    max_redirects: int
    robots: bool
    truncate: bool = False


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport with its connection pool on the address-checking backend."""

    def __init__(self, backend: PinnedBackend, *, verify: bool, ca_file: str | None) -> None:
        context = (
            ssl.create_default_context(cafile=ca_file)
            if ca_file and verify
            else httpx.create_ssl_context(verify=verify, trust_env=False)
        )
        super().__init__(verify=context, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=backend,
        )


class Fetcher:
    """Fetches URLs politely and safely; create one per gatherer and share it.

    ``resolver`` replaces DNS (tests); ``clock`` and ``sleep`` drive the rate limiter,
    robots cache and retry waits (tests). Close it (or use ``with``) to free sockets.
    """

    def __init__(
        self,
        options: FetchOptions | None = None,
        *,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = opts = options or FetchOptions()
        policy = AddressPolicy(opts.allow_hosts, opts.allow_networks, resolver)
        self._backend = PinnedBackend(policy)
        self._client = httpx.Client(
            transport=_PinnedTransport(self._backend, verify=opts.verify_tls, ca_file=opts.ca_file),
            follow_redirects=False,
            trust_env=False,  # no proxies from the environment: they would bypass the checks
            timeout=httpx.Timeout(
                opts.read_timeout, connect=opts.connect_timeout, pool=opts.connect_timeout
            ),
            headers={"user-agent": opts.user_agent, "accept-encoding": "gzip, deflate"},
        )
        self._sleep = sleep
        self._limiter = HostRateLimiter(opts.per_host_rate, clock=clock, sleep=sleep)
        self.robots = RobotsCache(
            self._fetch_robots, opts.robots_agent, ttl=opts.robots_ttl, clock=clock
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: Sequence[str] = ANY_CONTENT,
    ) -> FetchResult:
        """GET ``url`` within the limits; ``accept`` lists allowed media types (fnmatch)."""
        headers = {"accept": _accept_header(accept)}
        if etag:
            headers["if-none-match"] = etag
        if last_modified:
            headers["if-modified-since"] = last_modified
        plan = _Plan(
            headers,
            accept,
            self.options.max_bytes,
            self.options.max_redirects,
            self.options.respect_robots,
        )
        return self._follow(url, plan)

    def _follow(self, url: str, plan: _Plan) -> FetchResult:
        started = time.monotonic()
        redirects: list[str] = []
        attempts = 0
        current = url
        while True:
            host = _checked_host(current)
            if plan.robots:
                try:
                    self._check_robots(current, host)
                except FetchError as exc:
                    # A refusal met while reading robots.txt is a refusal of this URL.
                    exc.url = current
                    raise
            exchange = self._exchange(current, host, plan)
            attempts += exchange.attempts
            if exchange.location is None:
                return _result(
                    url, current, exchange, redirects=redirects, started=started, attempts=attempts
                )
            redirects.append(current)
            if len(redirects) > plan.max_redirects:
                raise TooManyRedirectsError(
                    f"{url} redirected more than {plan.max_redirects} times "
                    f"(last hop to {exchange.location})",
                    "the site may be in a redirect loop; try the final address directly",
                    url=url,
                )
            current = exchange.location

    def _check_robots(self, url: str, host: str) -> None:
        rules = self.robots.rules(url)
        if not rules.allowed(self.robots.agent, url):
            why = "" if rules.parser is not None else f" ({rules.reason})"
            raise RobotsDisallowedError(
                f"robots.txt of {host} does not allow {self.robots.agent} to fetch {url}{why}",
                "jic respects robots.txt; ask the site owner, or turn respect_robots off "
                "only for a source you have permission to read",
                url=url,
            )
        delay = rules.crawl_delay(self.robots.agent)
        if delay:
            self._limiter.set_min_interval(host, min(delay, self.options.max_crawl_delay))

    def _exchange(self, url: str, host: str, plan: _Plan) -> _Exchange:
        """One URL, retried on 429/5xx; returns the answer or a redirect to follow."""
        attempt = 0
        while True:
            self._limiter.wait(host)
            deadline = time.monotonic() + self.options.total_timeout
            try:
                with (
                    self._backend.deadline(deadline),
                    self._client.stream("GET", url, headers=plan.headers) as response,
                ):
                    delay = self._retry_delay(response, attempt, url)
                    if delay is None:
                        exchange = _settle(response, url, plan, deadline)
                        exchange.attempts = attempt + 1
                        return exchange
            except FetchError as exc:
                exc.url = exc.url or url
                raise
            except httpx.TimeoutException as exc:
                raise FetchTimeoutError(
                    f"{url} did not answer within the time limit ({exc or type(exc).__name__})",
                    "the site is slow or unreachable; it will be tried again next round",
                    url=url,
                ) from exc
            except httpx.TransportError as exc:
                raise ConnectionFailedError(
                    f"could not read {url}: {exc or type(exc).__name__}",
                    "check the address and the network; offline sources are retried later",
                    url=url,
                ) from exc
            self._sleep(delay)
            attempt += 1

    def _retry_delay(self, response: httpx.Response, attempt: int, url: str) -> float | None:
        """Seconds to wait before retrying, or None when this answer is final."""
        status = response.status_code
        if status not in RETRY_STATUSES or attempt >= self.options.retries:
            return None
        asked = parse_retry_after(response.headers.get("retry-after"))
        if asked is None:
            return float(self.options.backoff * 2**attempt)
        if asked > self.options.max_retry_after:
            raise HTTPStatusError(
                f"{url} answered {status} and asked to retry after {asked:.0f} s, "
                f"longer than jic waits within one fetch ({self.options.max_retry_after:.0f} s)",
                "the source will be tried again after that time",
                url=url,
                status=status,
                retry_after=asked,
            )
        return asked

    def _fetch_robots(self, robots_url: str) -> RobotsAnswer:
        plan = _Plan(
            {"accept": "text/plain, */*;q=0.1"},
            ANY_CONTENT,
            ROBOTS_MAX_BYTES,
            _ROBOTS_MAX_REDIRECTS,
            robots=False,
            truncate=True,
        )
        try:
            result = self._follow(robots_url, plan)
        except HTTPStatusError as exc:
            return RobotsAnswer(exc.status)
        except TooManyRedirectsError:
            return RobotsAnswer(404)  # RFC 9309: too many redirects means no rules
        return RobotsAnswer(result.status, result.body)


def _checked_host(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsupportedURLError(f"{url!r} is not a valid URL: {exc}", url=url) from exc
    check_scheme(url, parsed.scheme, parsed.host)
    return parsed.host


def _settle(response: httpx.Response, url: str, plan: _Plan, deadline: float) -> _Exchange:
    """Turn a final (not retried) answer into an exchange, or raise why it is refused."""
    status = response.status_code
    headers = {name.lower(): value for name, value in response.headers.items()}
    location = headers.get("location")
    if status in REDIRECT_STATUSES and location:
        return _Exchange(status, headers, location=urljoin(url, location.strip()))
    if status == 304:
        return _Exchange(status, headers)
    if status >= 300 or status < 200:
        raise HTTPStatusError(
            f"{url} answered HTTP {status} {response.reason_phrase}".rstrip(),
            _status_hint(status),
            url=url,
            status=status,
            retry_after=parse_retry_after(headers.get("retry-after")),
        )
    media, _ = parse_content_type(headers.get("content-type"))
    if plan.accept and media and not _accepted(media, plan.accept):
        raise ContentTypeError(
            f"{url} is {media}, not what was asked for ({', '.join(plan.accept)})",
            "point jic at a page or feed, not at a file of another kind",
            url=url,
        )
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > plan.max_bytes and not plan.truncate:
        raise TooLargeError(
            f"{url} declares {int(declared)} bytes, over the limit of {plan.max_bytes}",
            "raise max_bytes only if this source is trusted",
            url=url,
        )
    body = _read_body(response, url, plan, deadline)
    if plan.accept:
        _check_sniffed(body, url, media, plan.accept)
    return _Exchange(status, headers, body)


def _read_body(response: httpx.Response, url: str, plan: _Plan, deadline: float) -> bytes:
    """Stream the body, decompressing as it comes, within the size cap and the deadline."""
    inflater = _inflater(response.headers.get("content-encoding", ""), url)
    parts: list[bytes] = []
    size = 0
    for raw in response.iter_raw():
        if time.monotonic() > deadline:
            raise FetchTimeoutError(f"{url} was still sending when the time limit passed")
        if response.num_bytes_downloaded > plan.max_bytes and not plan.truncate:
            raise TooLargeError(
                f"{url} sent more than the limit of {plan.max_bytes} bytes",
                "raise max_bytes only if this source is trusted",
            )
        data = inflater.feed(raw, plan.max_bytes - size) if inflater else raw
        if size + len(data) > plan.max_bytes:
            if plan.truncate:
                parts.append(data[: plan.max_bytes - size])
                return b"".join(parts)
            what = f"when decompressed ({inflater.encoding})" if inflater else "in all"
            raise TooLargeError(
                f"{url} is larger than the limit of {plan.max_bytes} bytes {what}: refused"
                + (" as a possible decompression bomb" if inflater else ""),
                "raise max_bytes only if this source is trusted",
            )
        parts.append(data)
        size += len(data)
    if inflater:
        parts.append(inflater.flush(plan.max_bytes - size)[: plan.max_bytes - size])
    return b"".join(parts)


def _inflater(content_encoding: str, url: str) -> Inflater | None:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return None
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise ContentTypeError(
            f"{url} used content-encoding {content_encoding!r}, which jic did not ask for",
            "the server should send gzip, deflate or no compression",
        )
    return Inflater(codings[0])


def _check_sniffed(body: bytes, url: str, declared: str | None, accept: Sequence[str]) -> None:
    sniffed = next((kind for magic, kind in _MAGIC if body.startswith(magic)), None)
    if sniffed and not _accepted(sniffed, accept):
        raise ContentTypeError(
            f"{url} is declared {declared or 'without a type'} but its body is {sniffed}",
            "point jic at a page or feed, not at a file of another kind",
        )


def _accepted(media: str, accept: Sequence[str]) -> bool:
    return any(fnmatchcase(media, pattern) for pattern in accept)


def _accept_header(accept: Sequence[str]) -> str:
    exact = [media for media in accept if "*" not in media]
    return ", ".join([*exact, "*/*;q=0.1"]) if exact else "*/*"


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "the site refuses jic; it may need a login or may block crawlers"
    if status in (404, 410):
        return "the address is gone or wrong; check the source URL"
    if status >= 500:
        return "the site has trouble of its own; it will be tried again later"
    return "check the source URL"


def _result(
    url: str,
    final_url: str,
    exchange: _Exchange,
    *,
    redirects: list[str],
    started: float,
    attempts: int,
) -> FetchResult:
    media, charset = parse_content_type(exchange.headers.get("content-type"))
    return FetchResult(
        url=url,
        final_url=final_url,
        status=exchange.status,
        headers=exchange.headers,
        body=exchange.body,
        content_type=media,
        charset=charset,
        etag=exchange.headers.get("etag"),
        last_modified=exchange.headers.get("last-modified"),
        not_modified=exchange.status == 304,
        redirects=redirects,
        elapsed=time.monotonic() - started,
        attempts=attempts,
    )


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """'Text/HTML; charset="UTF-8"' -> ('text/html', 'utf-8')."""
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset" and raw.strip().strip("\"'"):
            charset = raw.strip().strip("\"'").lower()
    return media.strip().lower() or None, charset


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())

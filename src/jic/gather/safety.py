"""What keeps gathering from hurting the center: address checks, byte caps, defused XML.

- ``AddressPolicy`` resolves a host itself and refuses loopback, private, link-local
  (which holds cloud metadata at 169.254.169.254), multicast, unspecified, reserved and
  other non-global addresses, including IPv4 hidden inside IPv6 (mapped, 6to4, Teredo,
  NAT64), unless an allow-list names the address, its network or the host name.
- ``PinnedBackend`` is the httpcore network backend the fetcher uses: every TCP
  connection, on the first request and on every redirect hop, goes through the policy
  and connects to the very address that was checked, so a DNS answer cannot change
  between check and connect (DNS rebinding). It also clamps every socket timeout to
  the current request's wall-clock deadline, so a slow-drip response cannot outlive it.
- ``Inflater`` decompresses gzip/deflate a chunk at a time and never produces more
  than the caller's budget, so a decompression bomb stops at the cap.
- ``guard_xml`` refuses XML with entity declarations (billion laughs, XXE) before any
  parser expands them, checks the rest with defusedxml and strips the DOCTYPE, so
  feedparser never sees a DTD.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
import httpcore

from jic.errors import ConfigError
from jic.gather.errors import (
    ConnectionFailedError,
    ContentTypeError,
    ForbiddenAddressError,
    TooLargeError,
    UnsafeXMLError,
    UnsupportedURLError,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[IPAddress]]

_SHARED_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_ALLOW_HINT = (
    "if this address is meant to be read (a local test server, an intranet source), "
    "name it in the gather allow-list (allow_networks '127.0.0.1:8080', allow_hosts 'name')"
)


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why jic must not connect to ``ip`` on its own accord, or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = forbidden_reason(embedded)
            return f"{inner} (IPv4 {embedded} inside IPv6)" if inner else None
    checks: tuple[tuple[bool, str], ...] = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local (includes cloud metadata such as 169.254.169.254)"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED_CGNAT, "shared (CGNAT)"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "non-global (special-purpose)"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses the operating system gives for ``host``, in its order, once each."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionFailedError(
            f"could not resolve host {host!r}: {exc}",
            "check the spelling of the URL and the network connection",
        ) from exc
    seen: dict[IPAddress, None] = {}
    for info in infos:
        seen.setdefault(ipaddress.ip_address(str(info[4][0]).split("%")[0]), None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class _AllowRule:
    network: IPNetwork
    port: int | None

    def covers(self, ip: IPAddress, port: int) -> bool:
        return ip in self.network and (self.port is None or self.port == port)


def _split_port(entry: str) -> tuple[str, int | None]:
    """'[::1]:80' -> ('::1', 80); '10.0.0.0/8' -> ('10.0.0.0/8', None); 'h:80' -> ('h', 80)."""
    if entry.startswith("["):
        close = entry.index("]")
        rest = entry[close + 1 :]
        return entry[1:close], int(rest[1:]) if rest.startswith(":") else None
    if entry.count(":") == 1:
        name, port = entry.split(":")
        return name, int(port)
    return entry, None


class AddressPolicy:
    """Decides which resolved addresses may be connected to.

    ``allow_networks`` entries are an address or CIDR network, optionally with a port:
    ``127.0.0.1:8080``, ``10.1.0.0/16``, ``[::1]:8080``. ``allow_hosts`` entries are host
    names (optionally ``name:port``) whose addresses are accepted whatever they are.
    ``resolver`` maps (host, port) to addresses; the system resolver by default.
    """

    def __init__(
        self,
        allow_hosts: Iterable[str] = (),
        allow_networks: Iterable[str] = (),
        resolver: Resolver | None = None,
    ) -> None:
        self._resolver = resolver or system_resolver
        self._rules = [self._rule(entry) for entry in allow_networks]
        self._hosts: set[tuple[str, int | None]] = set()
        for entry in allow_hosts:
            name, port = self._parse(entry, _split_port)
            self._hosts.add((name.lower().rstrip("."), port))

    @staticmethod
    def _parse(entry: str, parse: Callable[[str], Any]) -> Any:
        try:
            return parse(entry.strip())
        except ValueError as exc:
            raise ConfigError(
                f"gather allow-list entry {entry!r} is not understood: {exc}",
                "write an address or network with an optional port: 127.0.0.1:8080, "
                "10.0.0.0/8, [::1]:8080, or a host name",
            ) from exc

    def _rule(self, entry: str) -> _AllowRule:
        def parse(text: str) -> _AllowRule:
            net, port = _split_port(text)
            return _AllowRule(ipaddress.ip_network(net, strict=False), port)

        rule: _AllowRule = self._parse(entry, parse)
        return rule

    def _host_allowed(self, host: str, port: int) -> bool:
        name = host.lower().rstrip(".")
        return (name, None) in self._hosts or (name, port) in self._hosts

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """The addresses to connect to for ``host``; raises if any of them is forbidden.

        Refusing the host when any one answer is forbidden (rather than picking a good
        one) keeps a round-robin record from smuggling an internal address in.
        """
        literal = _literal_ip(host)
        addresses = [literal] if literal is not None else self._resolver(host, port)
        if not addresses:
            raise ConnectionFailedError(f"host {host!r} has no address")
        if self._host_allowed(host, port):
            return addresses
        for ip in addresses:
            reason = forbidden_reason(ip)
            if reason and not any(rule.covers(ip, port) for rule in self._rules):
                raise ForbiddenAddressError(
                    f"refused to connect to {host}:{port}: it resolves to {ip}, a {reason} address",
                    _ALLOW_HINT,
                )
        return addresses


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def check_scheme(url: str, scheme: str, host: str) -> None:
    """Refuse anything but http(s) URLs with a host (no file:, ftp:, data:, gopher:)."""
    if scheme not in ("http", "https"):
        raise UnsupportedURLError(
            f"refused {url!r}: only http and https URLs are fetched, not {scheme or 'none'}",
            "give an http:// or https:// address",
            url=url,
        )
    if not host:
        raise UnsupportedURLError(f"refused {url!r}: the URL has no host", url=url)


class PinnedBackend(httpcore.NetworkBackend):
    """httpcore backend that checks each connection's address and enforces a deadline.

    The deadline is per thread (set with ``deadline()`` around one request), because
    pooled connections are shared by requests while each request runs in one thread.
    """

    def __init__(self, policy: AddressPolicy, inner: httpcore.NetworkBackend | None = None):
        self._policy = policy
        self._inner = inner or httpcore.SyncBackend()
        self._local = threading.local()

    @contextmanager
    def deadline(self, when: float) -> Iterator[None]:
        """Within the block, no socket operation of this thread may last past ``when``."""
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = when
        try:
            yield
        finally:
            self._local.deadline = previous

    def clamp(self, timeout: float | None, error: type[Exception]) -> float | None:
        """``timeout`` shortened to what is left before the deadline; raise if none is."""
        when: float | None = getattr(self._local, "deadline", None)
        if when is None:
            return timeout
        left = when - time.monotonic()
        if left <= 0:
            raise error("the total time limit of the request has passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._policy.resolve(host, port)
        failure: Exception | None = None
        for ip in addresses:
            try:
                stream = self._inner.connect_tcp(
                    str(ip),
                    port,
                    timeout=self.clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, self)
        assert failure is not None  # resolve() never returns an empty list
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise UnsupportedURLError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A connected stream whose every read and write stops at the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, backend: PinnedBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._backend.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._backend.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        clamped = self._backend.clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, clamped), self._backend
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class Inflater:
    """Incremental gzip/deflate decoder that never produces much more than a budget.

    ``feed(data, budget)`` returns at most ``budget + 1`` bytes: more than ``budget``
    means the cap is passed (the rest is never inflated), so memory stays bounded by the
    cap however well the bomb compresses. The caller decides to refuse or to truncate.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        gzip = encoding in ("gzip", "x-gzip")
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        self._raw_deflate_fallback = not gzip
        self._started = False

    def feed(self, data: bytes, budget: int) -> bytes:
        limit = max(budget, 0) + 1
        try:
            out = self._obj.decompress(data, limit)
        except zlib.error:
            if not (self._raw_deflate_fallback and not self._started):
                raise
            # Some servers send raw deflate where HTTP says zlib-wrapped: retry once raw.
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._obj.decompress(data, limit)
        self._started = True
        return out

    def flush(self, budget: int) -> bytes:
        # flush() has no output limit, but feed() left nothing pending unless the cap was
        # already passed, in which case the caller stopped before calling this.
        return self._obj.flush()[: max(budget, 0) + 1]


def gunzip_capped(data: bytes, max_bytes: int, *, url: str = "") -> bytes:
    """Decompress a gzip file (a sitemap.xml.gz) without producing more than ``max_bytes``."""
    inflater = Inflater("gzip")
    try:
        out = inflater.feed(data, max_bytes)
        out += inflater.flush(max_bytes - len(out))
    except zlib.error as exc:
        raise ContentTypeError(f"not a readable gzip file: {exc}", url=url) from exc
    if len(out) > max_bytes:
        raise TooLargeError(
            f"the gzip file grows past {max_bytes} bytes when decompressed: "
            "refused as a possible decompression bomb",
            url=url,
        )
    return out


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE\b[^\[>]*(?:\[.*?\])?\s*>", re.IGNORECASE | re.DOTALL)
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _has_entity_declaration(data: bytes) -> bool:
    if _ENTITY_DECL.search(data):
        return True
    # UTF-16/32 hides the ASCII pattern behind NUL bytes: look at the decoded text too.
    head = data[:4]
    if head.startswith(_WIDE_BOMS) or b"\x00" in head:
        for encoding in ("utf-32", "utf-16", "utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return "<!entity" in text.lower()
    return False


@dataclass(frozen=True, slots=True)
class GuardedXML:
    """XML that passed the checks: ``data`` without DOCTYPE, ``problem`` if not well-formed."""

    data: bytes
    problem: str | None


def guard_xml(data: bytes, *, url: str = "") -> GuardedXML:
    """Refuse entity tricks, then hand back XML safe for a lenient parser.

    Any entity declaration is refused outright: real feeds and sitemaps never need one,
    and that is the door for billion laughs and external entities (XXE). Malformed XML
    is not refused here: the problem is returned so a lenient parser can keep what it can.
    """
    if _has_entity_declaration(data):
        raise UnsafeXMLError(
            "refused XML with an entity declaration (<!ENTITY>): a billion-laughs or "
            "external-entity (XXE) attempt, or at best a document jic does not need",
            "ask the publisher for a plain feed; jic never expands XML entities",
            url=url,
        )
    problem = None
    try:
        defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeXMLError(f"refused unsafe XML: {exc!r}", url=url) from exc
    except ParseError as exc:
        problem = f"malformed XML: {exc}"
    return GuardedXML(_DOCTYPE.sub(b"", data), problem)

"""Address checks, the allow-list, pinned connections, byte caps and defused XML."""

from __future__ import annotations

import gzip
import ipaddress
import shutil
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.gather.fixture_server import (
    BILLION_LAUGHS,
    RSS,
    RSS091,
    XXE,
    FixtureServer,
    Reply,
    self_signed,
)

from jic.errors import ConfigError
from jic.gather.errors import (
    ConnectionFailedError,
    ForbiddenAddressError,
    TooLargeError,
    UnsafeXMLError,
)
from jic.gather.http import Fetcher, FetchOptions
from jic.gather.safety import (
    AddressPolicy,
    Inflater,
    IPAddress,
    forbidden_reason,
    guard_xml,
    gunzip_capped,
)

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "shared"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.10", "private"),  # documentation range
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 around 169.254.169.254
    ],
)
def test_internal_addresses_are_refused_with_a_reason(address: str, reason: str) -> None:
    found = forbidden_reason(ipaddress.ip_address(address))
    assert found is not None and reason in found


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


def fixed(*answers: str) -> Callable[[str, int], list[IPAddress]]:
    def resolve(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(a) for a in answers]

    return resolve


def test_allow_list_names_address_and_port_exactly() -> None:
    policy = AddressPolicy(allow_networks=["127.0.0.1:8080"])
    assert policy.resolve("127.0.0.1", 8080)
    with pytest.raises(ForbiddenAddressError, match="loopback"):
        policy.resolve("127.0.0.1", 8081)
    with pytest.raises(ForbiddenAddressError):
        policy.resolve("127.0.0.2", 8080)


def test_allow_list_takes_networks_and_host_names() -> None:
    policy = AddressPolicy(
        allow_hosts=["intranet.lan"],
        allow_networks=["10.20.0.0/16", "[::1]:9000"],
        resolver=fixed("10.99.0.1"),
    )
    assert policy.resolve("10.20.5.5", 443)
    assert policy.resolve("::1", 9000)
    assert policy.resolve("intranet.lan", 80)  # the name is trusted whatever it resolves to
    with pytest.raises(ForbiddenAddressError):
        policy.resolve("other.lan", 80)


def test_a_host_with_one_internal_answer_among_public_ones_is_refused() -> None:
    policy = AddressPolicy(resolver=fixed("93.184.215.14", "10.0.0.5"))
    with pytest.raises(ForbiddenAddressError, match=r"10\.0\.0\.5"):
        policy.resolve("round-robin.example", 443)


def test_unknown_allow_list_entry_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="allow-list"):
        AddressPolicy(allow_networks=["not an address"])


def test_unresolvable_host_is_a_connection_failure() -> None:
    with pytest.raises(ConnectionFailedError, match="resolve"):
        AddressPolicy().resolve("no-such-host.invalid", 80)


def test_connection_goes_to_the_checked_address(site: FixtureServer) -> None:
    # "feeds.test" exists only in our resolver: the fetch can succeed only if the socket
    # connects to the address the policy checked, not to a second DNS answer.
    options = FetchOptions(per_host_rate=0, allow_networks=(f"127.0.0.1:{site.port}",))
    with Fetcher(options, resolver=fixed("127.0.0.1")) as fetcher:
        result = fetcher.fetch(f"http://feeds.test:{site.port}/article")
    assert result.status == 200
    assert site.hits_for("/article")[-1].headers["host"] == f"feeds.test:{site.port}"


def test_every_new_connection_is_checked_again(
    site: FixtureServer, forbidden: FixtureServer
) -> None:
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])

    def rebinding(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(a) for a in next(answers)]

    options = FetchOptions(
        per_host_rate=0, respect_robots=False, allow_networks=(f"127.0.0.1:{site.port}",)
    )
    before = len(forbidden.hits)
    with Fetcher(options, resolver=rebinding) as fetcher:
        assert fetcher.fetch(f"http://rebind.test:{site.port}/article").status == 200
        with pytest.raises(ForbiddenAddressError, match=r"169\.254\.169\.254"):
            fetcher.fetch(f"http://rebind.test:{site.port}/article")
    assert len(forbidden.hits) == before


def test_inflater_stops_a_gzip_bomb_at_the_budget() -> None:
    bomb = gzip.compress(b"\0" * (32 * 1024 * 1024))
    out = Inflater("gzip").feed(bomb, 1_000_000)
    assert len(out) == 1_000_001  # one byte past the budget says "over", no more is made
    with pytest.raises(TooLargeError, match="decompression bomb"):
        gunzip_capped(bomb, 1_000_000)


def test_inflater_reads_raw_deflate_sent_as_deflate() -> None:
    import zlib

    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = packer.compress(b"hello deflate") + packer.flush()
    inflater = Inflater("deflate")
    assert inflater.feed(raw, 100) + inflater.flush(100) == b"hello deflate"


def test_entity_declarations_are_refused_before_parsing() -> None:
    for hostile in (BILLION_LAUGHS, XXE):
        with pytest.raises(UnsafeXMLError, match="entity"):
            guard_xml(hostile)


def test_entity_declaration_in_utf16_is_refused_too() -> None:
    with pytest.raises(UnsafeXMLError):
        guard_xml(XXE.decode().encode("utf-16"))


def test_doctype_without_entities_is_stripped_not_refused() -> None:
    guarded = guard_xml(RSS091)
    assert b"<!DOCTYPE" not in guarded.data and b"<rss" in guarded.data
    assert guarded.problem is None
    assert guard_xml(RSS).data == RSS


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FixtureServer, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a throwaway certificate")
    cert, key = self_signed(tmp_path_factory.mktemp("tls"), "feeds.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = FixtureServer(tls=context)
    server.add("/article", Reply(200, b"<p>over TLS</p>", {"content-type": "text/html"}))
    yield server, cert
    server.close()


def test_https_to_a_pinned_address_verifies_the_host_name(
    tls_site: tuple[FixtureServer, Path],
) -> None:
    server, cert = tls_site
    options = FetchOptions(
        per_host_rate=0,
        respect_robots=False,
        allow_networks=(f"127.0.0.1:{server.port}",),
        ca_file=str(cert),
    )
    with Fetcher(options, resolver=fixed("127.0.0.1")) as fetcher:
        result = fetcher.fetch(f"https://feeds.test:{server.port}/article")
        assert result.body == b"<p>over TLS</p>"
        # The certificate names feeds.test: reaching the same address by another name fails.
        with pytest.raises(ConnectionFailedError, match="CERTIFICATE_VERIFY_FAILED"):
            fetcher.fetch(f"https://other.test:{server.port}/article")

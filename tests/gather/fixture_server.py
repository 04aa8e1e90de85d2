"""A real HTTP server on 127.0.0.1 serving documents we wrote, good and hostile.

``FixtureServer`` is a threaded ``http.server`` on a random port. Routes map a path to a
``Reply`` (status, headers, body) or to a function that writes the answer itself (slow
drips, first-fail-then-succeed). Every request is recorded in ``hits`` so a test can
assert what did, and what never did, reach the server.

``build_site`` registers the documents the gather tests use; the texts are ours.
"""

from __future__ import annotations

import gzip
import json
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Seen:
    """One request as the server saw it."""

    path: str
    query: str
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Writer = Callable[[BaseHTTPRequestHandler, Seen], None]


class FixtureServer:
    """A threaded HTTP server on 127.0.0.1 with routes set by the tests."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Reply | Writer] = {}
        self.hits: list[Seen] = []
        self.stopping = threading.Event()
        self.scheme = "https" if tls else "http"
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def add(self, path: str, reply: Reply | Writer) -> None:
        self.routes[path] = reply

    def hits_for(self, path: str) -> list[Seen]:
        return [hit for hit in self.hits if hit.path == path]

    def close(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler_for(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            seen = Seen(path, query, {k.lower(): v for k, v in self.headers.items()})
            server.hits.append(seen)
            route = server.routes.get(path) or server.routes.get("*")
            try:
                if route is None:
                    send(self, Reply(404, b"not here"))
                elif isinstance(route, Reply):
                    send(self, route)
                else:
                    route(self, seen)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should on hostile answers

    return Handler


def send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    handler.send_response(reply.status)
    headers = {k.lower(): v for k, v in reply.headers.items()}
    headers.setdefault("content-length", str(len(reply.body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(reply.body)


TEST_MAX_BYTES = 4 * 1024 * 1024  # the cap the test fetchers use

# --- documents -------------------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Riverside Monitor</title>
  <link>https://monitor.example/</link>
  <language>en</language>
  <item>
    <title>Bridge at Qasr reopens to traffic</title>
    <link>https://monitor.example/news/bridge-reopens</link>
    <guid isPermaLink="false">monitor-0001</guid>
    <description>&lt;p&gt;The &lt;b&gt;old bridge&lt;/b&gt; reopened on Monday.&lt;/p&gt;
    </description>
    <content:encoded><![CDATA[<p>The old bridge reopened after repairs.</p>]]>
    </content:encoded>
    <pubDate>Mon, 02 Mar 2026 08:30:00 +0300</pubDate>
    <dc:creator>Desk Editor</dc:creator>
  </item>
  <item>
    <title>Water deliveries resume in the eastern district</title>
    <link>/news/water-deliveries</link>
    <pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate>
  </item>
</channel>
</rss>
"""

RSS091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel>
<title>Old Style Wire</title><link>https://wire.example/</link>
<description>An old feed</description><language>fr</language>
<item><title>Caf\xe9 market reopens</title><link>https://wire.example/cafe</link>
<description>Short text.</description></item>
</channel></rss>
"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example/">
    <title>RDF Bulletin</title><link>https://rdf.example/</link>
    <description>RSS 1.0</description>
  </channel>
  <item rdf:about="https://rdf.example/a1">
    <title>Clinic opens in the north</title><link>https://rdf.example/a1</link>
    <dc:date>2026-03-04T09:00:00Z</dc:date>
  </item>
</rdf:RDF>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Valley Updates</title>
  <link href="https://valley.example/"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-03-05T12:00:00Z</updated>
  <entry>
    <title>Road north of the valley closed after floods</title>
    <link rel="alternate" href="https://valley.example/2026/road-closed"/>
    <id>tag:valley.example,2026:1</id>
    <published>2026-03-05T09:15:00+01:00</published>
    <updated>2026-03-05T11:00:00Z</updated>
    <author><name>Field Office</name></author>
    <summary>Heavy rain closed the road.</summary>
  </entry>
  <entry xml:lang="fr">
    <title>La route rouverte</title>
    <link rel="alternate" href="https://valley.example/2026/route"/>
    <id>tag:valley.example,2026:2</id>
    <updated>2026-03-06T08:00:00Z</updated>
    <summary>La route est rouverte.</summary>
  </entry>
</feed>
"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Harbour Notes",
        "home_page_url": "https://harbour.example/",
        "language": "en",
        "items": [
            {
                "id": "h-1",
                "url": "https://harbour.example/notes/1",
                "title": "Ferry timetable changes",
                "summary": "Two crossings a day from Thursday.",
                "date_published": "2026-03-07T06:00:00Z",
                "authors": [{"name": "Port Desk"}],
            },
            {
                "id": "h-2",
                "url": "/notes/2",
                "content_html": "<p>Fuel arrives at <b>berth 4</b>.</p>",
                "date_modified": "2026-03-08T07:30:00+02:00",
            },
            {"id": "h-3", "url": "javascript:alert(1)", "title": "Not a link"},
        ],
    }
).encode()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://laughs.example/1</link></item>
</channel></rss>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0"><channel><title>Innocent</title>
<item><title>&secret;</title><link>https://xxe.example/1</link></item>
</channel></rss>
"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE rss [ <!eNtItY % remote SYSTEM "http://169.254.169.254/latest/meta-data/"> %remote; ]>
<rss version="2.0"><channel><title>Innocent</title></channel></rss>
"""

# Two good entries, then the document breaks off mid-element.
MALFORMED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Broken Wire</title>
<link>https://broken.example/</link>
<item><title>First intact story</title><link>https://broken.example/1</link></item>
<item><title>Second intact story & more</title><link>https://broken.example/2</link></item>
<item><title>Third story cut <b>off
"""

# Declared UTF-8, written in Windows-1252 (a curly apostrophe and an e-acute).
WRONG_CHARSET_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
    b"<title>Caf\xe9 Gazette</title><link>https://gazette.example/</link>"
    b"<item><title>Mayor\x92s statement</title><link>https://gazette.example/1</link></item>"
    b"</channel></rss>"
)

HTML_PAGE = b"""<!doctype html>
<html><head><title>Riverside Monitor</title>
<link rel="alternate" type="application/rss+xml" title="Monitor RSS" href="/rss.xml">
<link rel="alternate" type="application/atom+xml" href="https://valley.example/atom">
<link rel="alternate" type="application/feed+json" href="/feed.json">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="stylesheet" href="/style.css">
</head><body><p>Welcome.</p></body></html>
"""

HTML_NO_FEED_LINKS = b"<!doctype html><html><head><title>Plain</title></head><body>x</body></html>"

ARTICLE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Article</title></head>
<body><article><h1>Bridge at Qasr reopens</h1><p>Traffic crossed again on Monday.</p>
</article></body></html>"""

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://monitor.example/news/1</loc><lastmod>2026-03-01</lastmod></url>
  <url><loc>https://monitor.example/news/2</loc><lastmod>2026-03-02T10:00:00+00:00</lastmod></url>
  <url><loc>https://monitor.example/news/3</loc></url>
  <url><loc>ftp://monitor.example/file</loc></url>
</urlset>
"""


def sitemap_index(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{base}/sitemap.xml</loc><lastmod>2026-03-02</lastmod></sitemap>
  <sitemap><loc>{base}/sitemap-more.xml.gz</loc></sitemap>
</sitemapindex>
""".encode()


def many_urls_sitemap(count: int) -> bytes:
    urls = "".join(f"<url><loc>https://big.example/p/{i}</loc></url>" for i in range(count))
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>"
    ).encode()


def mixed_targets_feed(server_base: str, forbidden_base: str) -> bytes:
    """A feed whose entries point at a good page, a forbidden server, metadata, a redirect."""
    links = [
        f"{server_base}/article",
        f"{forbidden_base}/secret",
        "http://169.254.169.254/latest/meta-data/",
        f"{server_base}/redirect-to-forbidden",
        f"{server_base}/redirect-to-metadata",
        "http://[::ffff:127.0.0.1]/mapped",
        "http://localhost/admin",
    ]
    items = "".join(
        f"<item><title>Entry {i}</title><link>{link}</link><guid>m-{i}</guid></item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Mixed</title>{items}'
        "</channel></rss>"
    ).encode()


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A throwaway certificate and key for ``name`` (made with the openssl command)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"]
    subprocess.run(
        [*command, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


# --- behaviours --------------------------------------------------------------------


def _flaky(failures: int, status: int, headers: dict[str, str] | None = None) -> Writer:
    """Answer ``status`` the first ``failures`` times per query string, then 200."""
    counts: dict[str, int] = {}
    lock = threading.Lock()

    def write(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        with lock:
            counts[seen.query] = counts.get(seen.query, 0) + 1
            n = counts[seen.query]
        if n <= failures:
            send(handler, Reply(status, b"try again", headers or {}))
        else:
            send(handler, Reply(200, ARTICLE, {"content-type": "text/html; charset=utf-8"}))

    return write


def _drip(server: FixtureServer) -> Writer:
    """Headers at once, then one byte every 0.1 s, forever (until the client leaves)."""

    def write(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        handler.send_response(200)
        handler.send_header("content-type", "text/html")
        handler.end_headers()
        while not server.stopping.is_set():
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.1)

    return write


def _stall(server: FixtureServer) -> Writer:
    """Headers, then silence: only the read timeout or the deadline ends it."""

    def write(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        handler.send_response(200)
        handler.send_header("content-type", "text/html")
        handler.send_header("content-length", "1000")
        handler.end_headers()
        handler.wfile.flush()
        server.stopping.wait(30)

    return write


def _endless_chunks(server: FixtureServer) -> Writer:
    """A fast, endless body without Content-Length: only the size cap ends it."""

    def write(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
        handler.send_response(200)
        handler.send_header("content-type", "text/html")
        handler.end_headers()
        block = b"<p>" + b"a" * 65536 + b"</p>"
        while not server.stopping.is_set():
            handler.wfile.write(block)

    return write


def _conditional(handler: BaseHTTPRequestHandler, seen: Seen) -> None:
    etag, stamp = '"v1-abc"', "Wed, 04 Mar 2026 10:00:00 GMT"
    headers = {"etag": etag, "last-modified": stamp, "content-type": "application/rss+xml"}
    if seen.headers.get("if-none-match") == etag or seen.headers.get("if-modified-since") == stamp:
        send(handler, Reply(304, b"", {"etag": etag}))
    else:
        send(handler, Reply(200, RSS, headers))


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped: about a thousandth of that on the wire."""
    return gzip.compress(b"\0" * size, compresslevel=9)


def build_site(server: FixtureServer, forbidden: FixtureServer, bomb: bytes) -> None:
    """Register every document and behaviour the gather tests use on ``server``."""
    xml = {"content-type": "application/rss+xml; charset=utf-8"}
    sitemap = {"content-type": "application/xml"}
    gz = {"content-type": "application/gzip"}
    latin1 = {"content-type": "text/html; charset=iso-8859-1"}
    huge = {"content-type": "text/html", "content-length": "999999999"}
    html = {"content-type": "text/html; charset=utf-8"}
    add = server.add
    add("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\nSitemap: /sitemap.xml\n"))
    add("/rss.xml", Reply(200, RSS, xml))
    add("/rss091.xml", Reply(200, RSS091, {"content-type": "text/xml"}))
    add("/rdf.xml", Reply(200, RDF, {"content-type": "application/rdf+xml"}))
    add("/atom.xml", Reply(200, ATOM, {"content-type": "application/atom+xml"}))
    add("/feed.json", Reply(200, JSON_FEED, {"content-type": "application/feed+json"}))
    add("/bomb.xml", Reply(200, BILLION_LAUGHS, xml))
    add("/xxe.xml", Reply(200, XXE, xml))
    add("/xxe-parameter.xml", Reply(200, XXE_PARAMETER, xml))
    add("/malformed.xml", Reply(200, MALFORMED, xml))
    add("/wrong-charset.xml", Reply(200, WRONG_CHARSET_FEED, xml))
    add("/mixed.xml", Reply(200, mixed_targets_feed(server.url(""), forbidden.url("")), xml))
    add("/page.html", Reply(200, HTML_PAGE, html))
    add("/plain.html", Reply(200, HTML_NO_FEED_LINKS, html))
    add("/article", Reply(200, ARTICLE, html))
    add("/private/page", Reply(200, ARTICLE, html))
    add("/redirect-to-forbidden", Reply(302, b"", {"location": forbidden.url("/secret")}))
    add("/redirect-to-metadata", Reply(302, b"", {"location": "http://169.254.169.254/x"}))
    add("/redirect-to-article", Reply(301, b"", {"location": "/article"}))
    add("/redirect-to-file", Reply(302, b"", {"location": "file:///etc/passwd"}))
    add("/loop", Reply(302, b"", {"location": "/loop"}))
    add("/gzip-bomb", Reply(200, bomb, {"content-type": "text/html", "content-encoding": "gzip"}))
    add("/drip", _drip(server))
    add("/stall", _stall(server))
    add("/endless", _endless_chunks(server))
    add("/too-big-declared", Reply(200, b"", huge))
    add("/missing", Reply(404, b"no such page", html))
    add("/flaky", _flaky(1, 500))
    add("/always-500", _flaky(99, 503))
    add("/busy", _flaky(1, 429, {"retry-after": "1"}))
    add("/busy-long", Reply(429, b"", {"retry-after": "3600"}))
    add("/image.png", Reply(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, {"content-type": "image/png"}))
    add("/pdf-as-html", Reply(200, b"%PDF-1.7\n%binary", html))
    add("/latin1-as-utf8", Reply(200, "<p>Café Mayor’s</p>".encode("cp1252"), html))
    add("/utf8-as-latin1", Reply(200, "<p>Café – Ниневия</p>".encode(), latin1))
    add("/conditional.xml", _conditional)
    add("/sitemap.xml", Reply(200, SITEMAP, sitemap))
    add("/sitemap-index.xml", Reply(200, sitemap_index(server.url("")), sitemap))
    add("/sitemap-more.xml.gz", Reply(200, gzip.compress(many_urls_sitemap(5)), gz))
    add("/sitemap-big.xml", Reply(200, many_urls_sitemap(300), sitemap))
    add("/sitemap-bomb.xml", Reply(200, BILLION_LAUGHS.replace(b"rss", b"urlset"), sitemap))
    add("/sitemap-gzip-bomb.xml.gz", Reply(200, bomb, gz))
    forbidden.add("*", Reply(200, b"internal secret", html))

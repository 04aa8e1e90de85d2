"""Gathering throughput: a local feed of 1,000 entries, each page fetched and extracted.

A real HTTP server on 127.0.0.1 serves an RSS feed whose 1,000 entries link to pages
built from the BBC corpus' articles (our own HTML around their text, so every page
differs). jic's gatherer polls it with the per-host rate limit off and robots.txt on,
through all its safety checks, extraction and storage. The baseline, in the same run,
fetches the same pages with a plain httpx client and runs trafilatura's ``extract``
on each, storing nothing.

    python bench/gather.py [--entries 1000]
"""

from __future__ import annotations

import argparse
import html
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import trafilatura

from jic.center.founding import Founding, found_center
from jic.domain import Reliability
from jic.gather.http import Fetcher, FetchOptions
from jic.gather.poll import Gatherer, GatherOptions
from jic.settings import Settings
from jic.store import audit
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.store.sources import NewSource
from results import record, shared_data


def build_pages(count: int) -> dict[str, bytes]:
    files = sorted(shared_data("corpus", "bbc_news", "bbc").rglob("*.txt"))[:count]
    pages = {}
    for number, path in enumerate(files):
        lines = path.read_bytes().decode("utf-8", errors="replace").strip().splitlines()
        title, body = lines[0], [line for line in lines[1:] if line.strip()]
        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in body)
        pages[f"/story/{number}"] = (
            f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>"
            "<header><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav></header>"
            f"<article><h1>{html.escape(title)}</h1>{paragraphs}</article>"
            "<footer>Copyright the bench site. Terms. Privacy.</footer></body></html>"
        ).encode()
    return pages


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            is_feed = self.path == "/feed.xml"
            kind = "application/rss+xml" if is_feed else "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def feed(base: str, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}{path}</link><guid>s-{n}</guid></item>"
        for n, path in enumerate(paths)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>'
    return (head + items + "</channel></rss>").encode()


def run_jic(base: str) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as home:
        store, _ = found_center(Settings(home=Path(home)), Founding())
        with store.write() as connection:
            owner = member_repo.get_member(connection, "local")
            source = source_repo.add(
                connection,
                NewSource("bench", "feed", f"{base}/feed.xml", reliability=Reliability.F),
                owner=owner,
                actor=audit.Actor(),
            )
        port = base.rsplit(":", 1)[1]
        options = FetchOptions(per_host_rate=0, allow_networks=(f"127.0.0.1:{port}",))
        with Fetcher(options) as fetcher:
            started = time.perf_counter()
            report = Gatherer(store, fetcher, GatherOptions(max_new_per_poll=10_000)).poll(source)
            elapsed = time.perf_counter() - started
        store.close()
    return elapsed, report.stored


def run_baseline(base: str, paths: list[str]) -> float:
    started = time.perf_counter()
    with httpx.Client() as client:
        client.get(f"{base}/feed.xml")
        for path in paths:
            trafilatura.extract(client.get(base + path).text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1000)
    args = parser.parse_args()
    pages = build_pages(args.entries)
    paths = list(pages)
    server, base = serve(pages)
    pages["/feed.xml"] = feed(base, paths)
    base_time = run_baseline(base, paths)
    jic_time, stored = run_jic(base)
    server.shutdown()
    n = len(paths)
    jic_row = f"| jic gather (all checks, extraction with metadata, storage) | {jic_time:.1f} |"
    base_row = f"| baseline: httpx GET + trafilatura.extract, nothing stored | {base_time:.1f} |"
    body = f"""| what | seconds | items/s |
|---|---|---|
{jic_row} {n / jic_time:.1f} |
{base_row} {n / base_time:.1f} |

Ratio jic / baseline time: {jic_time / base_time:.2f}. Documents stored by jic: {stored} (the
rest are byte-identical copies in the corpus, recorded as sightings). The per-host rate
limit (1 request/s by default) is off here: with it on, one host yields 1 item/s by design.
Where the time goes (pyinstrument, 300 entries): about 70% in extraction, most of it
trafilatura's metadata and date extraction (htmldate, dateparser) that the baseline's
plain `extract()` skips; about 13% fetching through the safety layer; about 10% storing."""
    record("gather", body, data=f"{n} BBC articles wrapped in our HTML, served from 127.0.0.1")


if __name__ == "__main__":
    main()

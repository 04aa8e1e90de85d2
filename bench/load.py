"""Load on a running center: `jic serve` (uvicorn on 127.0.0.1) over 100,000 documents.

Fills a data home with generated documents and their fact rows (bench/corpus_gen.py;
the filled home is kept under bench/out/ and topped up on later runs), gives an
analyst of one member a token, starts `jic serve` as its own process, and sends a
bounded number of requests from concurrent async clients (httpx), interleaved at
random (seeded):

* search: GET /api/v1/search?q=WORD (one of common news words, some with a filter);
* document: GET /api/v1/documents/{id} for documents this analyst may see;
* overview: GET / (the web overview page, with the bearer token);
* status: GET /api/v1/status (the API's overview counts);
* health: GET /api/v1/health, the baseline: the same server and HTTP path with no
  database work, so each kind is also reported as a ratio to it.

Reports p50/p95/max per kind, errors (any answer but 200, any failed request), the
throughput and the server's memory, and records them in bench/RESULTS.md.

    python bench/load.py [--count 100000] [--requests 200] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

from corpus_gen import add_facts, fill
from jic.center.founding import Founding, found_center
from jic.errors import NoCenterError
from jic.settings import Settings
from jic.store import audit
from jic.store import documents as document_repo
from jic.store import users as user_repo
from jic.store.database import Store, open_store
from jic.store.visibility import Reader
from results import record, shared_data

HOME = Path(__file__).resolve().parent / "out" / "load-home"
READER = "analyst-org-a"
WORDS = (
    "government", "minister", "police", "election", "forces", "attack", "talks",
    "economy", "court", "protest", "president", "border", "refugees", "oil", "troops",
    "ceasefire", "sanctions", "parliament", "army", "aid",
)  # fmt: skip
FILTERS = ("", "", "", " lang:en", " tlp:green", " from:2026-06-01")
KINDS = ("search", "document", "overview", "status", "health")


@dataclass(slots=True)
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})


def prepare(home: Path, count: int) -> tuple[Store, int]:
    settings = Settings(home=home)
    try:
        store = open_store(settings)
    except NoCenterError:
        store, _ = found_center(settings, Founding())
    started = time.perf_counter()
    report = fill(store, count, data=shared_data())
    if report.added:
        add_facts(store)
        print(f"filled {report.added:,} documents in {time.perf_counter() - started:.0f} s")
    return store, report.stored


def token_and_ids(store: Store, sample: int, seed: int) -> tuple[str, list[int], int]:
    """A new token for the reader, and documents it may see (drawn at random)."""
    with store.write() as connection:
        user = user_repo.get_user(connection, READER)
        token, _ = user_repo.create_token(
            connection, user, name="bench-load", expires_at=None, actor=audit.Actor()
        )
    reader = Reader(user.viewer)
    with store.read() as connection:
        total = document_repo.count(connection)
        drawn = random.Random(seed).sample(range(1, total + 1), min(total, sample * 4))
        visible = [d.id for d in document_repo.get_many(connection, drawn, reader)]
        seen = document_repo.count(connection, reader)
    return token, visible[:sample], seen


def plan(requests: int, ids: list[int], seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    work = []
    for _ in range(requests):
        query = rng.choice(WORDS) + rng.choice(FILTERS)
        work.append(("search", "/api/v1/search?" + urlencode({"q": query})))
        work.append(("document", f"/api/v1/documents/{rng.choice(ids)}"))
        work.append(("overview", "/"))
        work.append(("status", "/api/v1/status"))
        work.append(("health", "/api/v1/health"))
    rng.shuffle(work)
    return work


async def drive(base: str, token: str, work: list[tuple[str, str]], clients: int) -> Tally:
    tally = Tally()
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)
    headers = {"Authorization": f"Bearer {token}"}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
            while not queue.empty():
                kind, path = queue.get_nowait()
                started = time.perf_counter()
                try:
                    response = await http.get(path)
                    if response.status_code != 200:
                        tally.errors[kind].append(f"{path}: {response.status_code}")
                except httpx.HTTPError as error:
                    tally.errors[kind].append(f"{path}: {type(error).__name__}")
                tally.times[kind].append(time.perf_counter() - started)

    await asyncio.gather(*(client() for _ in range(clients)))
    return tally


def serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "jic.cli", "--home", str(home), "serve", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            sys.exit(f"jic serve exited: {server.stderr.read().decode() if server.stderr else ''}")
        time.sleep(0.5)
    server.kill()
    sys.exit("jic serve did not answer within 90 s")


def memory_mb(pid: int) -> dict[str, float]:
    """The server's peak resident memory (VmHWM) and, at the end, its own memory
    (RssAnon) and file pages (RssFile). SQLite maps the database file into each pooled
    connection (mmap_size), and RSS counts those pages once per mapping: a peak of
    gigabytes there is the file seen through several maps, shared with the page cache,
    not memory the server allocated."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "RssAnon", "RssFile"):
            found[key] = int(value.split()[0]) / 1024
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def table(tally: Tally) -> str:
    base = statistics.median(tally.times["health"])
    lines = [
        "| kind | requests | errors | p50 ms | p95 ms | max ms | p50 / health p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        times = tally.times[kind]
        p50 = statistics.median(times)
        lines.append(
            f"| {kind} | {len(times)} | {len(tally.errors[kind])} | {p50 * 1000:.1f} | "
            f"{percentile(times, 0.95) * 1000:.1f} | {max(times) * 1000:.1f} | "
            f"{p50 / base:.1f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=HOME, help="data home (kept, topped up)")
    parser.add_argument("--count", type=int, default=100_000, help="documents in the store")
    parser.add_argument("--requests", type=int, default=200, help="requests per kind")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    store, stored = prepare(args.home, args.count)
    token, ids, seen = token_and_ids(store, 500, args.seed)
    store.close()
    work = plan(args.requests, ids, args.seed)
    server = serve(args.home, args.port)
    load_before = os.getloadavg()[0]
    try:
        started = time.perf_counter()
        tally = asyncio.run(drive(f"http://127.0.0.1:{args.port}", token, work, args.clients))
        elapsed = time.perf_counter() - started
        memory = memory_mb(server.pid)
        load_after = os.getloadavg()[0]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    errors = sum(len(e) for e in tally.errors.values())
    for kind, found in tally.errors.items():
        for line in found[:5]:
            print(f"error {kind}: {line}", file=sys.stderr)
    body = "\n".join(
        [
            f"`jic serve` (uvicorn, one process) on 127.0.0.1 over {stored:,} generated "
            f"documents (SQLite, with fact rows); reader {READER} sees {seen:,} of them. "
            f"{len(work):,} requests from {args.clients} concurrent httpx clients, kinds "
            f"interleaved at random; {len(work) / elapsed:.1f} requests/s overall, "
            f"{errors} errors; server memory: its own (RssAnon) {memory['RssAnon']:.0f} MB at "
            f"the end, peak resident {memory['VmHWM']:.0f} MB, which counts the SQLite file "
            f"pages each pooled connection maps (RssFile {memory['RssFile']:.0f} MB at the "
            "end; shared with the page cache, not allocated). Machine load (1-minute "
            f"average, 2 cores shared with other jobs) {load_before:.1f} before, "
            f"{load_after:.1f} after.",
            "",
            table(tally),
            "",
            "overview is the web overview page `/` read with the bearer token; status is "
            "`/api/v1/status`; health is the no-database baseline.",
        ]
    )
    record("load", body, data=f"bench/corpus_gen.py, {stored:,} documents, seed {args.seed}")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()

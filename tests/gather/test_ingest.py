"""Ingest survives interruption: what was committed stays, nothing is half-written,
and running again finishes the job without repeating anything."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jic.center.founding import Founding, found_center
from jic.domain import IngestOutcome
from jic.gather.files import FileOptions, read_paths
from jic.gather.ingest import IngestTarget, ingest
from jic.settings import Settings
from jic.store import audit
from jic.store import documents as repo
from jic.store.database import Store
from jic.store.documents import Offer


def make_folder(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (root / f"{number:05d}.txt").write_text(
            f"Report {number}\n\nWater trucks reached district {number} on day {number % 31}.\n"
        )
    return root


def snapshot(store: Store) -> list[tuple[str, str | None]]:
    with store.read() as connection:
        return sorted((d.sha256, d.title) for d in repo.iterate(connection))


def interrupted_after(items: Iterator[Offer | IngestOutcome], count: int) -> Iterator[Any]:
    """The items, then Ctrl-C where the next one would come."""
    for number, item in enumerate(items):
        if number == count:
            raise KeyboardInterrupt
        yield item


def assert_resumes(store: Store, folder: Path, target: IngestTarget, stored: int) -> None:
    with store.read() as connection:
        assert repo.count(connection) == stored
        assert audit.verify(connection).ok
    report = ingest(store, read_paths([folder], FileOptions()), target)
    assert report.counts["stored"] == 25 - stored
    assert report.counts["unchanged"] == stored
    with store.read() as connection:
        assert repo.count(connection) == 25
        assert audit.verify(connection).ok


def test_interrupted_ingest_keeps_whole_batches_and_resumes(store: Store, tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "files", 25)
    target = IngestTarget(member="local", batch_size=4)
    # Interrupted while the third batch is being gathered: two batches are in.
    items = interrupted_after(read_paths([folder], FileOptions()), 10)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, items, target)
    assert_resumes(store, folder, target, stored=8)


def test_interrupted_batch_write_is_rolled_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_folder(tmp_path / "files", 25)
    target = IngestTarget(member="local", batch_size=4)
    store_batch = repo.store_batch
    calls = 0

    def interrupted_store_batch(connection: Any, offers: Any, context: Any) -> Any:
        # The third batch's rows are written, then Ctrl-C comes before the commit.
        nonlocal calls
        calls += 1
        outcomes = store_batch(connection, offers, context)
        if calls == 3:
            raise KeyboardInterrupt
        return outcomes

    monkeypatch.setattr(repo, "store_batch", interrupted_store_batch)
    with pytest.raises(KeyboardInterrupt):
        ingest(store, read_paths([folder], FileOptions()), target)
    monkeypatch.undo()
    assert_resumes(store, folder, target, stored=8)


@pytest.mark.slow
def test_killed_ingest_process_loses_nothing_committed(tmp_path: Path) -> None:
    total = 8000  # ingest runs at thousands of files a second: give the kill time to land
    folder = make_folder(tmp_path / "files", total)
    settings = Settings(home=tmp_path / "home", ingest_batch_size=50)
    found_center(settings, Founding())[0].close()
    command = [sys.executable, "-m", "jic.cli", "--home", str(settings.home), "ingest", str(folder)]
    env = {"JIC_INGEST_BATCH_SIZE": "50", "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    database = settings.sqlite_path()
    deadline = time.monotonic() + 60
    committed = 0
    watcher = sqlite3.connect(database, isolation_level=None)
    while time.monotonic() < deadline and process.poll() is None:
        committed = watcher.execute("SELECT count(*) FROM documents").fetchone()[0]
        if committed >= 100:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    watcher.close()
    process.wait(timeout=30)
    if committed < 100:
        assert process.stderr is not None
        errors = process.stderr.read().decode(errors="replace")
        assert process.returncode == 0, f"the ingest failed on its own:\n{errors}"
        pytest.fail("the ingest finished before it could be killed; make the folder larger")
    with sqlite3.connect(database) as connection:
        after_kill = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        fts = connection.execute("SELECT count(*) FROM documents_fts").fetchone()[0]
    assert after_kill % 50 == 0 and fts == after_kill
    rerun = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"{after_kill} unchanged" in rerun.stdout
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == total

"""Write a benchmark's figures into bench/RESULTS.md.

Each benchmark owns one section (``## name``) of RESULTS.md and replaces it whole on
every run, so the file always shows the latest measurement of each, with its date,
the exact command, the data it read and the machine. Several benchmarks may run at
once: writes are serialised with a lock file.
"""

from __future__ import annotations

import fcntl
import os
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
HEADER = """# Benchmark results

Every section below is written by the benchmark named in its heading (`bench/NAME.py`),
with the command that produced it. Re-run one with `make bench` or the command shown.
Machine: 2 cores, 24 GB, Python 3.11, unless a section says otherwise. Timings on a
shared machine are noisy: each compares against a baseline measured in the same run.
"""


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; exit with a clear message when it is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        sys.exit(f"evaluation data not found at {path}: place ../shared/data beside the project")
    return path


def command_line() -> str:
    argv = [Path(sys.argv[0]).as_posix(), *sys.argv[1:]]
    if argv[0].startswith(str(RESULTS.parent.parent)):
        argv[0] = os.path.relpath(argv[0], RESULTS.parent.parent)
    return "python " + " ".join(argv)


def record(name: str, body: str, *, command: str | None = None, data: str = "") -> None:
    """Replace the ``## name`` section of RESULTS.md with ``body`` plus provenance."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {name}",
        "",
        f"Measured {stamp} on {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores.",
        f"Command: `{command or command_line()}`",
    ]
    if data:
        lines.append(f"Data: {data}")
    section = "\n".join([*lines, "", body.strip(), "", ""])
    lock_path = RESULTS.with_suffix(".lock")
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = RESULTS.read_text() if RESULTS.exists() else HEADER + "\n"
        pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
        if pattern.search(current):
            current = pattern.sub(lambda _: section, current, count=1)
        else:
            current = current.rstrip("\n") + "\n\n" + section
        RESULTS.write_text(current.rstrip("\n") + "\n")
    print(section)

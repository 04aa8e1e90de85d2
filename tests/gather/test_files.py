"""Reading files and folders: what is refused, what each record becomes."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from jic.domain import TLP, IngestOutcome, IngestStatus
from jic.gather.decode import decode
from jic.gather.files import FileOptions, read_paths
from jic.store.documents import Offer


def read(paths: list[Path], options: FileOptions | None = None) -> list[Offer | IngestOutcome]:
    return list(read_paths(paths, options or FileOptions()))


def failures(items: list[Offer | IngestOutcome]) -> dict[str, str]:
    return {
        Path(i.label).name: i.message or ""
        for i in items
        if isinstance(i, IngestOutcome) and i.status is IngestStatus.FAILED
    }


def offers(items: list[Offer | IngestOutcome]) -> list[Offer]:
    return [i for i in items if isinstance(i, Offer)]


def write_jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_a_folder_fails_instead_of_hanging(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text("Good\n\nA report.")
    os.mkfifo(folder / "pipe.txt")
    result: list[list[Offer | IngestOutcome]] = []
    # Nobody ever writes to the FIFO: a plain open() would wait for a writer forever.
    reader = threading.Thread(target=lambda: result.append(read([folder])), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a folder with a FIFO in it hung"
    assert failures(result[0]) == {"pipe.txt": "not a regular file"}
    assert len(offers(result[0])) == 1


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_not_read(tmp_path: Path) -> None:
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    assert failures(read([zero])) == {"zero.txt": "not a regular file"}


def test_a_file_over_the_limit_is_refused_with_its_size_in_bytes(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("x" * 2000)
    limit = tmp_path / "limit.txt"
    limit.write_text("y" * 1000)
    items = read([big, limit], FileOptions(max_bytes=1000))
    assert failures(items) == {
        "big.txt": "2000 bytes, over the 1000 bytes limit (raise it with JIC_MAX_FILE_BYTES)"
    }
    assert [o.item.size for o in offers(items)] == [1000]


def test_large_sizes_are_shown_in_kb_and_mb(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("x" * 1_500_000)
    assert failures(read([big], FileOptions(max_bytes=50_000)))["big.txt"].startswith(
        "1.5 MB, over the 50.0 KB limit"
    )


def test_an_over_long_jsonl_line_fails_alone(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"text": "First report."})
        + "\n"
        + json.dumps({"text": "z" * 5000})
        + "\n"
        + json.dumps({"text": "Third report."})
        + "\n"
    )
    items = read([feed], FileOptions(max_bytes=200))
    assert failures(items) == {
        "feed.jsonl:2": "5013 bytes, over the 200 bytes limit (raise it with JIC_MAX_FILE_BYTES)"
    }
    assert [o.item.text for o in offers(items)] == ["First report.", "Third report."]
    assert [o.label.rsplit(":", 1)[1] for o in offers(items)] == ["1", "3"]


def test_lossy_json_records_say_so(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(b'{"text": "Bread costs \xa31.20 now."}\n')
    single = tmp_path / "one.json"
    single.write_bytes(b'{"text": "Fuel costs \xa32 now."}')
    items = offers(read([feed, single]))
    assert [o.item.text for o in items] == ["Bread costs £1.20 now.", "Fuel costs £2 now."]
    assert all(o.item.lossy for o in items)
    assert all("Windows-1252" in " ".join(o.item.notes) for o in items)


def test_url_for_a_record_file_is_a_default_not_a_shared_location(tmp_path: Path) -> None:
    feed = write_jsonl(
        tmp_path / "feed.jsonl",
        {"text": "One."},
        {"text": "Two.", "url": "https://example.org/two"},
        {"text": "Three.", "id": "r3"},
    )
    options = FileOptions(url="https://example.org/feed")
    items = offers(read([feed], options))
    uri = feed.resolve().as_uri()
    assert [o.item.location for o in items] == [
        f"{uri}#line=1",
        "https://example.org/two",
        f"{uri}#id=r3",
    ]
    assert [o.item.url for o in items] == [
        "https://example.org/feed",
        "https://example.org/two",
        "https://example.org/feed",
    ]


def test_a_record_cannot_loosen_the_users_tlp(tmp_path: Path) -> None:
    feed = write_jsonl(
        tmp_path / "feed.jsonl",
        {"text": "Looser.", "tlp": "CLEAR"},
        {"text": "Stricter.", "tlp": "RED"},
        {"text": "Unmarked."},
    )
    marked = offers(read([feed], FileOptions(tlp=TLP.AMBER)))
    assert [o.item.tlp for o in marked] == [TLP.AMBER, TLP.RED, TLP.AMBER]
    unmarked = offers(read([feed]))
    assert [o.item.tlp for o in unmarked] == [TLP.CLEAR, TLP.RED, None]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "example.org"]
)
def test_records_with_a_non_web_url_fail(tmp_path: Path, url: str) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", {"text": "Hello.", "url": url})
    message = failures(read([feed]))["feed.jsonl:1"]
    assert message.startswith("the record's url") and "not an http(s) address" in message


def test_decode_strips_control_characters_but_keeps_layout() -> None:
    decoded = decode(b"Title\x1b[31m red\x07\r\n\tindented\x0cnext page\x00")
    assert decoded.text == "Title[31m red\r\n\tindented\nnext page"
    assert decoded.notes == ["3 control character(s) were removed"]
    assert decode(b"plain text\n").notes == []

"""Local files and folders as documents: .txt, .md, .html/.htm, .json, .jsonl.

``read_paths`` walks what the user named and yields, for each item, either an
``Offer`` ready for the store or an ``IngestOutcome`` saying why it was skipped or
failed. Nothing here raises for one bad item: every file is judged on its own.

Limits: only regular files are read (a FIFO would block, /dev/zero never end); of a
file no more than ``max_bytes`` + 1 bytes is read, and one over the limit is refused.
A JSON Lines file may be larger (it is a bulk format, read line by line), but each of
its lines is held to the same limit, and an over-long line is skipped without being
held in memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from jic.domain import TLP, DocumentIn, IngestOutcome, IngestStatus
from jic.errors import IngestError, InputError
from jic.gather.decode import Decoded, decode, looks_binary
from jic.gather.extract import extract_html
from jic.store.documents import Offer

KINDS = {".txt": "text", ".md": "markdown", ".html": "html", ".htm": "html"}
RECORDS = {".json": "json", ".jsonl": "jsonl"}
SUPPORTED = ", ".join(sorted([*KINDS, *RECORDS]))
_TITLE_MAX = 300


@dataclass(slots=True)
class FileOptions:
    """What the user said about the files being ingested."""

    max_bytes: int = 20 * 1024 * 1024
    published: datetime | None = None
    url: str | None = None
    tlp: TLP | None = None


Item = Offer | IngestOutcome


def parse_when(value: str) -> datetime:
    """An ISO 8601 date or date-time; a date alone means midnight UTC."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        except ValueError:
            raise InputError(
                f"cannot read {value!r} as a date",
                "use ISO 8601, e.g. 2026-11-29 or 2026-11-29T08:00Z",
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_paths(paths: Iterable[Path], options: FileOptions) -> Iterator[Item]:
    for path in paths:
        if path.is_dir():
            yield from _walk(path, options)
        else:
            yield from read_file(path, options, named=True)


def _walk(folder: Path, options: FileOptions) -> Iterator[Item]:
    def failed(error: OSError) -> None:
        raise error

    try:
        for root, dirs, files in os.walk(folder, onerror=failed):
            # Hidden folders and files (.git, .DS_Store) are never documents.
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    yield from read_file(Path(root) / name, options, named=False)
    except OSError as error:
        yield _fail(str(error.filename or folder), f"cannot read folder: {error.strerror}")


def _fail(label: str, message: str) -> IngestOutcome:
    return IngestOutcome(label, IngestStatus.FAILED, message=message)


def read_file(path: Path, options: FileOptions, *, named: bool) -> Iterator[Item]:
    label = str(path)
    suffix = path.suffix.lower()
    if suffix not in KINDS and suffix not in RECORDS:
        message = f"not a kind of file jic reads ({SUPPORTED})"
        status = IngestStatus.FAILED if named else IngestStatus.SKIPPED
        yield IngestOutcome(label, status, message=message)
        return
    try:
        with _open_regular(path) as handle:
            if suffix == ".jsonl":
                yield from _read_jsonl(path, handle, options)
                return
            # One byte more than the limit tells a file at the limit from one over it,
            # even when the size on disk was wrong or the file grew since.
            data = handle.read(options.max_bytes + 1)
            size = max(os.fstat(handle.fileno()).st_size, len(data))
    except IngestError as error:
        yield _fail(label, error.message)
        return
    except OSError as error:
        yield _fail(label, f"cannot read: {error.strerror or error}")
        return
    if len(data) > options.max_bytes:
        yield _fail(label, _too_big(size, options.max_bytes))
    elif not data.strip():
        yield _fail(label, "empty file")
    elif looks_binary(data):
        yield _fail(label, "binary file, not text")
    elif suffix == ".json":
        yield from _read_json(path, data, options)
    else:
        yield _file_offer(path, data, KINDS[suffix], options)


def _open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading if it is a regular file.

    The file is opened without blocking and then checked through its descriptor, so a
    FIFO cannot hang the open and nothing can be swapped in between check and read.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            # A FIFO, device or socket: reading it could block or never end.
            raise IngestError("not a regular file", "give jic files, not pipes or devices")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _too_big(size: int, limit: int) -> str:
    return f"{_size(size)}, over the {_size(limit)} limit (raise it with JIC_MAX_FILE_BYTES)"


def _size(count: int) -> str:
    """A byte count people can read; small limits (tests, strict setups) stay exact."""
    if count >= 1_000_000:
        return f"{count / 1e6:.1f} MB"
    if count >= 10_000:
        return f"{count / 1e3:.1f} KB"
    return f"{count} bytes"


def _file_offer(path: Path, data: bytes, kind: str, options: FileOptions) -> Item:
    label = str(path)
    location = options.url or path.resolve().as_uri()
    decoded = decode(data, html=kind == "html")
    item = DocumentIn(
        text="",
        sha256=hashlib.sha256(data).hexdigest(),
        location=location,
        url=options.url,
        published=options.published,
        fetched=datetime.now(UTC),
        tlp=options.tlp,
        size=len(data),
        lossy=decoded.lossy,
        notes=list(decoded.notes),
        meta={"path": str(path), "encoding": decoded.encoding},
    )
    if kind == "html":
        extracted = extract_html(decoded.text, options.url)
        if extracted is None:
            return _fail(label, "no main text found in the HTML")
        item.text, item.title = extracted.text, extracted.title
        item.content_type = "text/html"
        item.published = options.published or extracted.published
        item.language = extracted.language
        if extracted.author:
            item.meta["author"] = extracted.author
        if extracted.sitename:
            item.meta["site"] = extracted.sitename
    else:
        item.text = decoded.text.strip()
        item.title = _first_line_title(item.text, markdown=kind == "markdown")
        item.content_type = "text/markdown" if kind == "markdown" else "text/plain"
    if not item.text.strip():
        return _fail(label, "no text left after decoding")
    return Offer(label, item)


def _first_line_title(text: str, *, markdown: bool) -> str | None:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if markdown:
            stripped = stripped.lstrip("#").strip()
        return stripped[:_TITLE_MAX] if stripped else None
    return None


def _read_json(path: Path, data: bytes, options: FileOptions) -> Iterator[Item]:
    decoded = decode(data)
    try:
        value = json.loads(decoded.text)
    except json.JSONDecodeError as error:
        yield _fail(str(path), f"not valid JSON: {error.msg} at line {error.lineno}")
        return
    records = value if isinstance(value, list) else [value]
    for number, record in enumerate(records, start=1):
        label = f"{path}[{number}]" if isinstance(value, list) else str(path)
        raw = json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
        where = _Where(path, label, f"#item={number}", decoded)
        yield _record_offer(where, record, raw, options)


def _read_jsonl(path: Path, handle: BinaryIO, options: FileOptions) -> Iterator[Item]:
    number = 0
    while line := handle.readline(options.max_bytes + 1):
        number += 1
        label = f"{path}:{number}"
        if len(line) > options.max_bytes and not line.endswith(b"\n"):
            yield _fail(label, _too_big(len(line) + _skip_line(handle), options.max_bytes))
            continue
        if not line.strip():
            continue
        decoded = decode(line)
        try:
            record = json.loads(decoded.text)
        except json.JSONDecodeError as error:
            yield _fail(label, f"not valid JSON: {error.msg} at column {error.colno}")
            continue
        where = _Where(path, label, f"#line={number}", decoded)
        yield _record_offer(where, record, line.strip(), options)


def _skip_line(handle: BinaryIO) -> int:
    """Read past the rest of an over-long line in small pieces; return its length."""
    skipped = 0
    while chunk := handle.readline(64 * 1024):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


@dataclass(slots=True)
class _Where:
    """Where one JSON record was read from, and how its bytes were decoded."""

    path: Path
    label: str
    anchor: str  # the record's place in the file, for its location
    decoded: Decoded


def _record_offer(where: _Where, record: Any, raw: bytes, options: FileOptions) -> Item:
    """One JSON object as a document: ``text`` (or ``html``) is required; ``title``,
    ``url``, ``published`` (or ``date``), ``language``, ``tlp`` and ``id`` are read when present.

    A record keeps its own location (its ``url``, else the file and its place in it),
    so that records sharing ``options.url`` are not taken for versions of each other.
    """
    label = where.label
    if not isinstance(record, dict):
        return _fail(label, f"expected a JSON object, found {type(record).__name__}")
    text, html = record.get("text"), record.get("html")
    if not isinstance(text, str) and not isinstance(html, str):
        return _fail(label, "the record has no 'text' or 'html' string")
    try:
        own_url = _web_url(record.get("url"))
        published = _record_time(record) or options.published
        tlp = _stricter(_record_tlp(record), options.tlp)
    except InputError as error:
        return _fail(label, error.message)
    url = own_url or options.url
    identity = _string(record.get("id"))
    location = own_url or where.path.resolve().as_uri() + (
        f"#id={identity}" if identity else where.anchor
    )
    title = _string(record.get("title"))
    meta: dict[str, Any] = {"path": str(where.path)}
    if not isinstance(text, str):
        extracted = extract_html(str(html), url)
        if extracted is None:
            return _fail(label, "no main text found in the record's HTML")
        text, title = extracted.text, title or extracted.title
    if not text.strip():
        return _fail(label, "the record's text is empty")
    if identity:
        meta["record_id"] = identity
    item = DocumentIn(
        text=text.strip(),
        sha256=hashlib.sha256(raw).hexdigest(),
        location=location,
        title=title or _first_line_title(text, markdown=False),
        url=url,
        language=_string(record.get("language")),
        published=published,
        fetched=datetime.now(UTC),
        tlp=tlp,
        content_type="application/json",
        size=len(raw),
        lossy=where.decoded.lossy,
        notes=list(where.decoded.notes),
        meta=meta,
    )
    return Offer(label, item)


def _web_url(value: Any) -> str | None:
    """A record's ``url``, which must be http(s): it is shown to users as a link."""
    url = _string(value)
    if url is None:
        return None
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).netloc:
        raise InputError(
            f"the record's url {url[:100]!r} is not an http(s) address",
            "give a web address starting with https:// or http://, or leave 'url' out",
        )
    return url


def _record_tlp(record: dict[str, Any]) -> TLP | None:
    value = record.get("tlp")
    if value is None:
        return None
    try:
        return TLP.parse(str(value))
    except ValueError as error:
        raise InputError(str(error), "fix the record's 'tlp'") from None


def _stricter(first: TLP | None, second: TLP | None) -> TLP | None:
    """The more restrictive of two TLP levels: a record cannot loosen the user's --tlp."""
    if first is None or second is None:
        return first or second
    return max(first, second, key=lambda level: level.rank)


def _string(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _record_time(record: dict[str, Any]) -> datetime | None:
    value = record.get("published") or record.get("date")
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"'published' must be a string, found {value!r}", "use ISO 8601")
    return parse_when(value)

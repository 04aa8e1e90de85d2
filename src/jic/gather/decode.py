"""Bytes to text, keeping count of what could not be decoded.

Text files and pages arrive in UTF-8 most of the time, in a legacy single-byte
encoding some of the time, and broken now and then. We decode UTF-8 (with or without
a BOM) and UTF-16 with a BOM exactly; an HTML page's declared charset next; and
otherwise decode what is valid UTF-8 and read each stray byte as Windows-1252 (the
usual culprit: a '£' or curly quote pasted from a Windows editor), marking the
document ``lossy`` with a note saying how many bytes were guessed.

Whatever the encoding, C0 control characters other than tab, newline and carriage
return are taken out of the text (a vertical tab or form feed becomes a newline):
an escape sequence in a document would drive the terminal that prints it, and
PostgreSQL refuses NUL in text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_:.-]+)""", re.I)
_PROBE = 8192
# Every byte but the C0 controls that never occur in text (tab, newlines, form feed and
# escape do): deleting these leaves just the suspicious ones, counted at C speed.
_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 27))


# Page breaks keep separating what they separated; every other control is dropped.
_CONTROLS = {c: None for c in range(32) if c not in (9, 10, 13)} | {11: "\n", 12: "\n"}


@dataclass(slots=True)
class Decoded:
    text: str
    encoding: str
    lossy: bool = False
    notes: list[str] = field(default_factory=list)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or mostly control characters in the first 8 KB: not a text file."""
    head = data[:_PROBE]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = len(head.translate(None, _NOT_CONTROL))
    return len(head) > 0 and controls / len(head) > 0.1


_ESCAPED = re.compile("[\udc80-\udcff]")


def _as_cp1252(match: re.Match[str]) -> str:
    return bytes([ord(match.group()) - 0xDC00]).decode("cp1252", errors="replace")


def decode(data: bytes, *, html: bool = False) -> Decoded:
    """Decode ``data`` to text fit to store and print (see the module docstring)."""
    decoded = _decode(data, html=html)
    clean = decoded.text.translate(_CONTROLS)
    if clean != decoded.text:
        dropped = sum(decoded.text.count(chr(c)) for c, to in _CONTROLS.items() if to is None)
        decoded.text = clean
        if dropped:
            decoded.notes.append(f"{dropped} control character(s) were removed")
    return decoded


def _decode(data: bytes, *, html: bool) -> Decoded:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _lenient(data, "utf-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if html:
        declared = _CHARSET.search(data[:_PROBE])
        if declared:
            name = declared.group(1).decode("ascii", "replace")
            try:
                codecs.lookup(name)
            except LookupError:
                pass
            else:
                return _lenient(data, name)
    # surrogateescape keeps each invalid byte as one lone surrogate, in one linear pass.
    escaped = data.decode("utf-8", errors="surrogateescape")
    text, bad = _ESCAPED.subn(_as_cp1252, escaped)
    return Decoded(
        text,
        "utf-8",
        lossy=True,
        notes=[f"{bad} byte(s) were not valid UTF-8 and were read as Windows-1252"],
    )


def _lenient(data: bytes, encoding: str) -> Decoded:
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        return Decoded(text, encoding, lossy=True, notes=[f"some bytes were not valid {encoding}"])

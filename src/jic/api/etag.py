"""ETags on API reads: a hash of the answer's bytes; If-None-Match gives 304.

Answers depend on who reads them (the sharing policy), so the tag is computed from
the exact bytes this reader gets, and the response says ``Cache-Control: private,
no-cache`` and ``Vary: Authorization, Cookie``: a cache keeps it for this reader only
and asks again each time. A 304 saves the transfer, not the work of the read.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/api/v1/"


def matches(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (weak comparison, or ``*``)."""
    wanted = tag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


class ETagMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await _answer(scope, start, b"".join(chunks), send)
            else:
                await send(message)

        await self.app(scope, receive, keep)


async def _answer(scope: Scope, start: Message | None, body: bytes, send: Send) -> None:
    assert start is not None
    headers = MutableHeaders(raw=list(start["headers"]))
    if start["status"] != 200:
        await send(start)
        await send({"type": "http.response.body", "body": body})
        return
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers["ETag"] = tag
    headers["Cache-Control"] = "private, no-cache"
    headers["Vary"] = "Authorization, Cookie"
    asked = Headers(scope=scope).get("if-none-match")
    if asked is not None and matches(asked, tag):
        del headers["content-length"]
        if "content-type" in headers:
            del headers["content-type"]
        await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({**start, "headers": headers.raw})
    await send({"type": "http.response.body", "body": body})

"""Main text and metadata out of an HTML page.

``extract_html`` is the one entry point the rest of jic uses for pages, whether they
come from a file, a feed entry's link or a member's submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura


@dataclass(slots=True)
class Extracted:
    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    sitename: str | None = None
    language: str | None = None
    url: str | None = None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def extract_html(html: str | bytes, url: str | None = None) -> Extracted | None:
    """The article in ``html`` with its metadata, or None when it holds no main text."""
    result = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if result is None:
        return None
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    body = (data.get("text") or "").strip()
    if not body:
        return None
    return Extracted(
        text=body,
        title=data.get("title") or None,
        author=data.get("author") or None,
        published=_date(data.get("date")),
        sitename=data.get("sitename") or None,
        language=data.get("language") or None,
        url=data.get("url") or url,
    )

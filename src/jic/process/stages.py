"""jic's built-in stages, registered in the same registry a plug-in would use.

clean      normalised text with each source's recurring template lines removed
language   detected language, confidence, shares of a mixed text, and the route
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

from sqlalchemy import select

from jic.process.language import LanguageDetector, route
from jic.process.registry import Stage, StageContext, Work, registry
from jic.store.schema import documents, sources

_SPACES = re.compile(r"[^\S\n]+")
_MANY_BLANKS = re.compile(r"\n{3,}")
TEMPLATE_SAMPLE = 200  # recent documents of a source read to learn its template lines
TEMPLATE_MIN_DOCS = 5  # a source needs this many documents before lines count as template
TEMPLATE_SHARE = 0.3  # a line in this share of a source's documents is template


def normalise(text: str) -> str:
    """NFC, one kind of space, trimmed lines, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _line_key(line: str) -> str:
    return line.casefold()


class _Templates:
    """Lines that recur across many documents of one source: disclaimers, 'READ MORE'
    links, photo credits, membership footers. Learned from the source's own documents."""

    def __init__(self, context: StageContext) -> None:
        self.store = context.store
        self.cache: dict[str, frozenset[str]] = {}

    def lines_of(self, source: str | None) -> frozenset[str]:
        if source is None:
            return frozenset()
        if source not in self.cache:
            self.cache[source] = self._learn(source)
        return self.cache[source]

    def _learn(self, source: str) -> frozenset[str]:
        with self.store.read() as connection:
            texts = (
                connection.execute(
                    select(documents.c.text)
                    .join(sources, sources.c.id == documents.c.source_id)
                    .where(sources.c.name == source)
                    .order_by(documents.c.id.desc())
                    .limit(TEMPLATE_SAMPLE)
                )
                .scalars()
                .all()
            )
        if len(texts) < TEMPLATE_MIN_DOCS:
            return frozenset()
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update({_line_key(line) for line in normalise(text).split("\n") if line})
        floor = max(3, TEMPLATE_SHARE * len(texts))
        return frozenset(line for line, n in counts.items() if n >= floor)


@registry.stage(
    "clean", version=1, requires=("text", "source"), assigns=("clean_text", "template_lines")
)
def make_clean(context: StageContext) -> Stage:
    """Normalise the text and drop the source's template lines; the raw text stays."""
    templates = _Templates(context)

    def run(batch: list[Work]) -> None:
        for work in batch:
            template = templates.lines_of(work.fields["source"])
            kept, dropped = [], 0
            for line in normalise(work.fields["text"]).split("\n"):
                if line and _line_key(line) in template:
                    dropped += 1
                else:
                    kept.append(line)
            work.fields["clean_text"] = _MANY_BLANKS.sub("\n\n", "\n".join(kept)).strip()
            work.fields["template_lines"] = dropped

    return run


@registry.stage(
    "language",
    version=2,
    requires=("clean_text", "language_hint"),
    assigns=(
        "language",
        "language_confidence",
        "language_shares",
        "language_note",
        "route",
        "language_hint_given",
    ),
)
def make_language(_context: StageContext) -> Stage:
    """Detect the language and say which models it is routed to."""
    detector = LanguageDetector()

    def run(batch: list[Work]) -> None:
        for work in batch:
            guess = detector.detect(work.fields["clean_text"])
            language = guess.language
            note = guess.reason
            if language is None and work.fields["language_hint"]:
                language, note = work.fields["language_hint"], f"{note}; kept the source's hint"
            path = route(language)
            work.fields.update(
                language_hint_given=work.fields["language_hint"],
                language=language,
                language_confidence=round(guess.confidence, 4),
                language_shares={k: round(v, 4) for k, v in guess.shares.items()},
                language_note=note,
                route=_route_record(path),
            )

    return run


def _route_record(path: Any) -> dict[str, Any]:
    return {"ner": path.ner, "limits": list(path.limits)}

"""Generated documents at scale, recombined from the real corpora in ../shared/data.

Benchmarks that need 100,000 or 1,000,000 documents (search latency, API load) build
them here. Nothing is copied into the repository: the corpora are read at run time,
cut into titles and paragraphs per language, and each generated document is a new
combination: one article's title (sometimes with an editor's prefix) over a few of its
paragraphs and paragraphs from one to three other articles in the same language. The
documents are spread over 48 sources owned by four members, four languages, every TLP
level and one year of publication dates, so no two are the same text.

``add_facts(store)`` then gives every generated document, newest first, entity, place
and event rows (``doc_entities``, ``doc_places``, ``doc_events``) through
``store.facts.rewrite``, the writer the pipeline uses. They are derived by a cheap
heuristic, not by the pipeline (running spaCy over a million documents would take a
day here): capitalised phrases as entities, a list of well-known place names, PLOVER
trigger words as events. They give the fact filters and facets realistic row counts
and skew, not realistic quality.

``fill(store, n)`` stores them through jic's own ingest (``store.documents.store_batch``:
identity checks, one transaction and one audit entry per batch, and the full-text index
the triggers or the generated column keep), so the rows and index are what ``jic
ingest`` produces. Generation is deterministic per batch (seeded by the batch number),
so an interrupted fill resumes where it stopped.

    python bench/corpus_gen.py --home DIR [--db URL] --count N
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from jic.domain import TLP, DocumentIn
from jic.store import audit, facts
from jic.store import documents as repo
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.overview import fold_counts
from jic.store.schema import (
    doc_entities,
    doc_events,
    doc_places,
    documents,
    members,
    sources,
    users,
)

BATCH = 500  # documents per ingest batch: one source, one transaction, one audit entry
MEMBERS = ("org-a", "org-b", "org-c", "org-d")
LANGUAGES = {"en": 36, "fr": 4, "it": 4, "ru": 4}  # sources per language
TLPS = ((TLP.CLEAR, 15), (TLP.GREEN, 35), (TLP.AMBER, 35), (TLP.AMBER_STRICT, 10), (TLP.RED, 5))
OUTLETS = (
    "Herald", "Courier", "Wire", "Monitor", "Observer", "Gazette", "Dispatch", "Tribune",
    "Ledger", "Bulletin", "Post", "Chronicle",
)  # fmt: skip
PREFIXES = ("", "", "", "", "", "Update: ", "Analysis: ", "Live: ", "Explainer: ", "Breaking: ")
START = datetime(2025, 12, 1, tzinfo=UTC)
MAX_CHARS = 4000


@dataclass(slots=True)
class Article:
    title: str
    paragraphs: list[str]


@dataclass(slots=True)
class Corpora:
    """Real articles per language, as titles and paragraphs."""

    by_language: dict[str, list[Article]] = field(default_factory=dict)

    def add(self, language: str, title: str, paragraphs: list[str]) -> None:
        paragraphs = [p for p in (" ".join(p.split()) for p in paragraphs) if len(p) > 40]
        title = " ".join(title.split())
        if title and paragraphs:
            self.by_language.setdefault(language, []).append(Article(title[:300], paragraphs))

    def describe(self) -> str:
        return ", ".join(f"{lang} {len(arts)}" for lang, arts in sorted(self.by_language.items()))


def load_corpora(data: Path) -> Corpora:
    """BBC News, Wikinews (en, fr, it, ru), ECB+ and PolNeAr, read from ``data``."""
    corpora = Corpora()
    for path in sorted((data / "corpus" / "bbc_news" / "bbc").rglob("*.txt")):
        lines = path.read_bytes().decode("utf-8", errors="replace").split("\n")
        corpora.add("en", lines[0], "\n".join(lines[1:]).split("\n\n"))
    with (data / "corpus" / "wikinews" / "articles.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            corpora.add(row["lang"], row["title"], _paragraphs(row["text"].split("\n")))
    with (data / "stories" / "ecbplus-dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            sentences = [_detokenize(s) for s in json.loads(line)["text"].split("\n") if s]
            if len(sentences) > 1:
                corpora.add("en", sentences[0], _paragraphs(sentences[1:], group=3))
    for path in sorted((data / "claims" / "polnear").glob("*/text/*.txt")):
        title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
        corpora.add("en", title, body.split("\n\n"))
    return corpora


def _paragraphs(lines: list[str], group: int = 0) -> list[str]:
    """Lines as paragraphs; ``group`` joins that many lines (sentences) into one, and
    long lines are cut at sentence ends into paragraphs of about 600 characters."""
    if group:
        return [" ".join(lines[i : i + group]) for i in range(0, len(lines), group)]
    found: list[str] = []
    for line in lines:
        current = ""
        for sentence in re.split(r"(?<=[.!?])\s+", line.strip()):
            current = f"{current} {sentence}".strip()
            if len(current) > 600:
                found.append(current)
                current = ""
        if current:
            found.append(current)
    return found


def _detokenize(sentence: str) -> str:
    text = sentence.replace("`` ", '"').replace(" ''", '"').replace("( ", "(")
    return re.sub(r" ([,.;:!?)%]|'s|n't)", r"\1", text)


@dataclass(frozen=True, slots=True)
class SourcePlan:
    name: str
    language: str
    member: str
    submissions: bool  # members' submissions: RED items carry the submitting user


def source_plans() -> list[SourcePlan]:
    plans = []
    for language, count in LANGUAGES.items():
        for n in range(count):
            outlet = OUTLETS[n % len(OUTLETS)]
            name = f"{outlet} {language.upper()} {n + 1:02d}"
            member = MEMBERS[(len(plans)) % len(MEMBERS)]
            plans.append(SourcePlan(name, language, member, submissions=n % 9 == 8))
    return plans


class Generator:
    """Deterministic documents: batch ``k`` is always the same 500 documents."""

    def __init__(self, corpora: Corpora, seed: int = 7) -> None:
        self.corpora = corpora
        self.seed = seed
        self.plans = source_plans()
        self.tlps = [tlp for tlp, _ in TLPS]
        self.tlp_weights = [weight for _, weight in TLPS]

    def batch(self, k: int) -> tuple[SourcePlan, list[DocumentIn]]:
        rng = random.Random(self.seed * 1_000_003 + k)
        plan = self.plans[rng.randrange(len(self.plans))]
        return plan, [self.document(rng, plan, k * BATCH + i) for i in range(BATCH)]

    def document(self, rng: random.Random, plan: SourcePlan, number: int) -> DocumentIn:
        pool = self.corpora.by_language[plan.language]
        base = pool[rng.randrange(len(pool))]
        start = rng.randrange(max(1, len(base.paragraphs) - 1))
        paragraphs = base.paragraphs[start : start + rng.randint(1, 3)]
        for _ in range(rng.randint(1, 3)):
            other = pool[rng.randrange(len(pool))].paragraphs
            at = rng.randrange(len(other))
            paragraphs.insert(rng.randint(1, len(paragraphs)), " ".join(other[at : at + 2]))
        text = "\n\n".join(paragraphs)[:MAX_CHARS]
        prefix = rng.choice(PREFIXES) if plan.language == "en" else ""
        published = START + timedelta(seconds=rng.randrange(365 * 86400))
        slug = plan.name.lower().replace(" ", "-")
        url = f"https://{slug}.example/{published:%Y/%m}/{number}"
        return DocumentIn(
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            location=url,
            url=url,
            title=prefix + base.title,
            language=plan.language,
            published=published,
            fetched=published + timedelta(minutes=rng.randint(1, 90)),
            tlp=rng.choices(self.tlps, self.tlp_weights)[0],
            content_type="text/html",
            size=len(text.encode()),
        )


@dataclass(slots=True)
class FillReport:
    stored: int  # documents in the store afterwards
    added: int
    seconds: float
    analysts: dict[str, int]  # member name -> the user id of its analyst (a reader)
    member_ids: dict[str, int]


def fill(
    store: Store,
    n: int,
    *,
    data: Path,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> FillReport:
    """Fill ``store`` (a founded center) up to ``n`` generated documents.

    Members ``org-a``..``org-d`` (each with an analyst user ``analyst-org-x``) and the
    48 sources are created on first use. A store already holding some generated
    documents is topped up from the batch after the last one stored.
    """
    started = time.perf_counter()
    member_ids, analysts = _people(store)
    generator = Generator(load_corpora(data), seed)
    with store.read() as connection:
        have = int(connection.execute(select(func.count()).select_from(documents)).scalar_one())
    added = 0
    for k in _batches(have, n):
        plan, items = generator.batch(k)
        items = items[: n - k * BATCH]
        added += _store(store, plan, items, member_ids, analysts)
        if progress is not None:
            progress(have + added)
    return FillReport(have + added, added, time.perf_counter() - started, analysts, member_ids)


def _batches(have: int, n: int) -> Iterator[int]:
    k = have // BATCH
    while k * BATCH < n:
        yield k
        k += 1


def _people(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    actor = audit.Actor()
    with store.write() as connection:
        known = {row.name for row in connection.execute(select(members.c.name))}
        for name in MEMBERS:
            if name not in known:
                member_repo.add_member(connection, name, in_rotation=False, actor=actor)
        member_ids = {name: member_repo.get_member(connection, name).id for name in MEMBERS}
        names = {row.name for row in connection.execute(select(users.c.name))}
        for name in MEMBERS:
            if f"analyst-{name}" not in names:
                member = member_repo.get_member(connection, name)
                user_repo.add_user(
                    connection, f"analyst-{name}", member=member, role="analyst", actor=actor
                )
        analysts = {name: user_repo.get_user(connection, f"analyst-{name}").id for name in MEMBERS}
        for plan in source_plans():
            owner = member_repo.get_member(connection, plan.member)
            source_repo.get_or_create(connection, plan.name, owner=owner, actor=actor)
    return member_ids, analysts


def _store(
    store: Store,
    plan: SourcePlan,
    items: list[DocumentIn],
    member_ids: dict[str, int],
    analysts: dict[str, int],
) -> int:
    with store.write() as connection:
        member = member_repo.get_member(connection, plan.member)
        source = source_repo.find(connection, plan.name)
        assert source is not None
        context = repo.BatchContext(
            member=member,
            actor=audit.Actor(member=plan.member),
            source_id=source.id,
            submitted_by=analysts[plan.member] if plan.submissions else None,
        )
        offers = [repo.Offer(item.location, item) for item in items]
        outcomes = repo.store_batch(connection, offers, context)
    return sum(1 for outcome in outcomes if outcome.document_id is not None)


_COPY_COLUMNS = (
    "member_id", "source_id", "location", "url", "title", "text", "language",
    "published_at", "fetched_at", "ingested_at", "tlp", "sha256", "content_type", "size",
    "lossy", "submitted_by", "meta",
)  # fmt: skip


def bulk_fill_postgres(
    store: Store,
    n: int,
    *,
    data: Path,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> FillReport:
    """``fill`` for PostgreSQL with COPY: the same documents, the same row values
    ``store_batch`` writes (its identity rule, one member's bytes stored once, applied
    here in memory), the ``tsv`` column computed by the database as on every insert;
    one audit entry per COPY of 20 batches instead of one per batch. About 3x faster
    than ``fill`` on a loaded machine, which a million documents need."""
    started = time.perf_counter()
    member_ids, analysts = _people(store)
    generator = Generator(load_corpora(data), seed)
    with store.read() as connection:
        source_ids = {row.name: row.id for row in connection.execute(select(sources))}
        existing = {
            (row.member_id, row.sha256)
            for row in connection.execute(select(documents.c.member_id, documents.c.sha256))
        }
    have = len(existing)
    k, added = have // BATCH, 0
    while have + added < n:
        rows: list[tuple[Any, ...]] = []
        for _ in range(20):
            plan, items = generator.batch(k)
            k += 1
            member_id = member_ids[plan.member]
            for item in items:
                if (member_id, item.sha256) not in existing:
                    existing.add((member_id, item.sha256))
                    rows.append(_copy_row(item, member_id, source_ids[plan.name], plan, analysts))
        rows = rows[: n - have - added]
        _copy(store, rows)
        added += len(rows)
        if progress is not None:
            progress(have + added)
    return FillReport(have + added, added, time.perf_counter() - started, analysts, member_ids)


def _copy_row(
    item: DocumentIn, member_id: int, source_id: int, plan: SourcePlan, analysts: dict[str, int]
) -> tuple[Any, ...]:
    return (
        member_id,
        source_id,
        item.location,
        item.url,
        item.title,
        item.text,
        item.language,
        item.published,
        item.fetched,
        datetime.now(UTC),
        (item.tlp or TLP.AMBER).value,
        item.sha256,
        item.content_type,
        item.size,
        False,
        analysts[plan.member] if plan.submissions else None,
        "null",  # what SQLAlchemy's JSON type writes for None
    )


def _copy(store: Store, rows: list[tuple[Any, ...]]) -> None:
    with store.write() as connection:
        first = connection.execute(select(func.max(documents.c.id))).scalar() or 0
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:  # type: ignore[attr-defined]
            statement = f"COPY documents ({', '.join(_COPY_COLUMNS)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        last = connection.execute(select(func.max(documents.c.id))).scalar()
        audit.append(
            connection,
            audit.Actor(),
            "documents.ingest",
            object_type="document",
            object_id=f"{first + 1}..{last}",
            detail={"stored": len(rows), "bulk": "bench/corpus_gen.py"},
        )
        fold_counts(connection)  # the triggers added a count row per document copied


_PHRASE = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}\b")
_NOT_NAMES = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "He",
        "She",
        "It",
        "They",
        "We",
        "I",
        "But",
        "And",
        "This",
        "That",
        "There",
        "Then",
        "When",
        "While",
        "If",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "After",
        "Before",
        "Last",
        "Next",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
PLACES = [
    "Afghanistan",
    "Africa",
    "Baghdad",
    "Basra",
    "Beijing",
    "Berlin",
    "Boston",
    "Brazil",
    "Brussels",
    "Cairo",
    "California",
    "Canada",
    "Chicago",
    "China",
    "Damascus",
    "Dublin",
    "Egypt",
    "England",
    "Europe",
    "Florida",
    "France",
    "Gaza",
    "Germany",
    "Greece",
    "India",
    "Indonesia",
    "Iran",
    "Iraq",
    "Ireland",
    "Israel",
    "Italy",
    "Japan",
    "Jerusalem",
    "Kabul",
    "Kenya",
    "Kiev",
    "Libya",
    "Liverpool",
    "London",
    "Madrid",
    "Manchester",
    "Mexico",
    "Milan",
    "Moscow",
    "Mosul",
    "Nigeria",
    "Pakistan",
    "Paris",
    "Rome",
    "Russia",
    "Scotland",
    "Spain",
    "Sydney",
    "Syria",
    "Tehran",
    "Texas",
    "Tokyo",
    "Turkey",
    "Ukraine",
    "Venezuela",
    "Wales",
    "Washington",
    "Москва",
    "Россия",
    "Украина",
    "Париж",
    "Roma",
    "Parigi",
]
_PLACE = re.compile(r"\b(" + "|".join(PLACES) + r")\b")
TRIGGERS = {
    "attack": "ASSAULT", "bomb": "ASSAULT", "killed": "FIGHT", "troops": "MOBILIZE",
    "protest": "PROTEST", "agreed": "AGREE", "talks": "CONSULT", "accused": "ACCUSE",
    "rejected": "REJECT", "threatened": "THREATEN", "sanctions": "SANCTION",
    "arrested": "COERCE", "aid": "AID", "support": "SUPPORT",
}  # fmt: skip
_TRIGGER = re.compile(r"\b(" + "|".join(TRIGGERS) + r")\b")


def derived_facts(text: str) -> dict[str, Any]:
    """Entity, place and event fields for one text, in the stages' output shape."""
    names: dict[str, int] = {}
    for match in _PHRASE.finditer(text):
        words = match.group().split()
        while words and words[0] in _NOT_NAMES:
            words = words[1:]
        if words and (len(words) > 1 or len(words[0]) > 3):
            name = " ".join(words)
            names[name] = names.get(name, 0) + 1
    ranked = sorted(names.items(), key=lambda item: -item[1])[:12]
    places: dict[str, int] = {}
    for match in _PLACE.finditer(text):
        places[match.group()] = places.get(match.group(), 0) + 1
    events = []
    for match in list(_TRIGGER.finditer(text))[:4]:
        start = text.rfind(".", 0, match.start()) + 1
        end = text.find(".", match.end())
        events.append(
            {
                "type": TRIGGERS[match.group()],
                "trigger": {"text": match.group(), "start": match.start(), "end": match.end()},
                "sentence": {"start": start, "end": end if end > 0 else len(text)},
            }
        )
    return {
        "entities": [
            {
                "id": "MISC:" + "-".join(name.lower().split()),
                "name": name,
                "type": "MISC",
                "mentions": n,
                "aliases": [name.split()[-1]] if len(name.split()) > 1 else [],
            }
            for name, n in ranked
        ],
        "places": [{"name": name, "mentions": [{}] * n} for name, n in places.items()],
        "events": events,
    }


def add_facts(
    store: Store,
    *,
    batch: int = 2000,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Fact rows for every document that has none yet, newest first; returns how many
    documents were given them.

    Newest first because search samples the newest matches for its fact facets: a fill
    stopped early (``limit``, or an interrupted run) leaves the oldest documents
    without facts, which searches read least. A document keeps no rows when the
    heuristic finds nothing in it, and is looked at again by the next run."""
    done = 0
    below: int | None = None
    has_facts = (
        select(doc_entities.c.document_id)
        .where(doc_entities.c.document_id == documents.c.id)
        .exists()
        | select(doc_places.c.document_id)
        .where(doc_places.c.document_id == documents.c.id)
        .exists()
        | select(doc_events.c.document_id)
        .where(doc_events.c.document_id == documents.c.id)
        .exists()
    )
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        with store.write() as connection:
            statement = select(documents.c.id, documents.c.text).where(~has_facts)
            if below is not None:
                statement = statement.where(documents.c.id < below)
            rows = connection.execute(statement.order_by(documents.c.id.desc()).limit(size)).all()
            if not rows:
                return done
            facts.rewrite(connection, {row.id: derived_facts(row.text) for row in rows})
        below = rows[-1].id
        done += len(rows)
        if progress is not None:
            progress(done)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, help="the data home (SQLite) to fill")
    parser.add_argument("--db", help="a PostgreSQL URL instead of SQLite")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--facts", action="store_true", help="then add fact rows")
    args = parser.parse_args()
    if args.home is None:  # `make bench` runs every script: this one only on request
        print("corpus_gen: a generator for other benchmarks; give --home to fill a store")
        return
    from jic.center.founding import Founding, found_center
    from jic.errors import NoCenterError
    from jic.settings import Settings
    from jic.store.database import open_store
    from results import shared_data

    settings = Settings(home=args.home, database_url=args.db)
    try:
        store = open_store(settings)
    except NoCenterError:
        store, _ = found_center(settings, Founding())
    report = fill(
        store,
        args.count,
        data=shared_data(),
        progress=lambda done: print(f"\r{done:,}", end="", file=sys.stderr, flush=True),
    )
    print(f"\n{report.stored:,} documents ({report.added:,} added in {report.seconds:.0f} s)")
    if args.facts:
        started = time.perf_counter()
        added = add_facts(store)
        print(f"fact rows for {added:,} documents in {time.perf_counter() - started:.0f} s")
    store.close()


if __name__ == "__main__":
    main()

"""The pipeline: registry, incremental runs, failures, resumability, workers."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Backend

from jic.domain import DocumentIn
from jic.errors import ConfigError
from jic.process.pipeline import Pipeline, ProcessOptions, redo, run_workers
from jic.process.registry import Registry, Stage, StageContext, Work, registry
from jic.settings import Settings
from jic.store import audit, processing
from jic.store import documents as repo
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.search import search

TEXTS = [
    "Water trucks reached the camps near Hasakah on Saturday, the agency said.",
    "Вода была доставлена в лагеря возле Хасаке в субботу, сообщило агентство.",
    "وصلت شاحنات المياه إلى المخيمات قرب الحسكة يوم السبت، بحسب الوكالة.",
    "Les camions-citernes sont arrivés samedi dans les camps près de Hassaké.",
]


def fill(store: Store, texts: list[str], source: str | None = "wire") -> None:
    with store.write() as connection:
        member = member_repo.get_member(connection, "local")
        actor = audit.Actor()
        source_id = None
        if source:
            source_id = source_repo.get_or_create(connection, source, owner=member, actor=actor).id
        offers = [
            Offer(
                str(n),
                DocumentIn(
                    text=t,
                    sha256=hashlib.sha256(t.encode()).hexdigest(),
                    location=f"file:///{n}-{hashlib.md5(t.encode()).hexdigest()}",
                ),
            )
            for n, t in enumerate(texts)
        ]
        repo.store_batch(connection, offers, BatchContext(member, actor, source_id=source_id))


def outputs(store: Store) -> dict[int, dict[str, Any]]:
    with store.read() as connection:
        ids = [d.id for d in repo.iterate(connection)]
        return processing.outputs(connection, ids)


def counting_registry(calls: dict[str, int], versions: dict[str, int]) -> Registry:
    """A registry of three small stages that count what they are asked to do."""
    stages = Registry()

    def make(name: str, requires: tuple[str, ...], assigns: str, fn: Any) -> None:
        @stages.stage(name, version=versions.get(name, 1), requires=requires, assigns=(assigns,))
        def factory(_context: StageContext) -> Stage:
            def run(batch: list[Work]) -> None:
                for work in batch:
                    calls[name] = calls.get(name, 0) + 1
                    work.fields[assigns] = fn(work)

            return run

    make("upper", ("text",), "upper", lambda w: w.fields["text"].upper())
    make("length", ("upper",), "length", lambda w: len(w.fields["upper"]))
    make("title", ("title",), "has_title", lambda w: w.fields["title"] is not None)
    return stages


def test_builtin_stages_are_registered() -> None:
    assert registry.names() == [
        "clean",
        "language",
        "dedup",
        "nlp",
        "entities",
        "places",
        "dates",
        "claims",
        "events",
    ]
    assert all(registry.get(name).version >= 1 for name in registry.names())


def test_the_chain_is_checked_before_running() -> None:
    stages = Registry()

    @stages.stage("needs", version=1, requires=("nothing_assigns_this",), assigns=("x",))
    def factory(_context: StageContext) -> Stage:
        raise AssertionError("never made")

    with pytest.raises(ConfigError, match="nothing_assigns_this"):
        stages.plan()


def test_only_stale_stages_and_their_dependents_run_again(store: Store) -> None:
    fill(store, TEXTS[:3])
    calls: dict[str, int] = {}
    Pipeline(store, None, stage_registry=counting_registry(calls, {})).run(ProcessOptions())
    assert calls == {"upper": 3, "length": 3, "title": 3}
    calls.clear()
    Pipeline(store, None, stage_registry=counting_registry(calls, {})).run(ProcessOptions())
    assert calls == {}  # nothing pending
    Pipeline(store, None, stage_registry=counting_registry(calls, {"upper": 2})).run(
        ProcessOptions()
    )
    assert calls == {"upper": 3, "length": 3}  # "title" rests on nothing that changed


def test_a_failing_document_is_marked_with_its_reason_and_the_run_goes_on(store: Store) -> None:
    fill(store, ["fine", "boom", "also fine"])
    stages = Registry()

    @stages.stage("fragile", version=1, requires=("text",), assigns=("ok",))
    def fragile(_context: StageContext) -> Stage:
        def run(batch: list[Work]) -> None:
            for work in batch:
                if work.fields["text"] == "boom":
                    raise ValueError("cannot digest boom")
                work.fields["ok"] = True

        return run

    @stages.stage("after", version=1, requires=("ok",), assigns=("after",))
    def after(_context: StageContext) -> Stage:
        def run(batch: list[Work]) -> None:
            for work in batch:
                work.fields["after"] = 1

        return run

    report = Pipeline(store, None, stage_registry=stages).run(ProcessOptions())
    assert report.done == {"fragile": 2, "after": 2}
    assert report.failed == {"fragile": 1, "after": 1}
    reasons = {stage: reason for _doc, stage, reason in report.errors}
    assert reasons["fragile"] == "ValueError: cannot digest boom"
    assert reasons["after"] == "an earlier stage failed"
    assert Pipeline(store, None, stage_registry=stages).pending() == 0  # failures are final


@pytest.mark.slow
def test_an_interrupted_run_resumes_to_the_same_result(
    store: Store, tmp_path: Path, stage_settings: Settings
) -> None:
    texts = [f"Report {n}: {TEXTS[n % 4]}" for n in range(12)]
    fill(store, texts)
    batches = 0

    def stop_after_two(_count: int) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Pipeline(store, stage_settings).run(ProcessOptions(batch_size=4), progress=stop_after_two)
    pipeline = Pipeline(store, stage_settings)
    assert pipeline.pending() == 4
    report = pipeline.run(ProcessOptions(batch_size=4))
    assert report.documents == 4  # nothing committed is repeated
    resumed = outputs(store)

    from jic.center.founding import Founding, found_center

    other, _ = found_center(Settings(home=tmp_path / "other"), Founding())
    fill(other, texts)
    Pipeline(other, stage_settings).run(ProcessOptions(batch_size=100))
    straight = outputs(other)
    other.close()

    def by_text(found: dict[int, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {stages["clean"]["clean_text"]: stages for stages in found.values()}

    # Document ids differ between the two stores, and duplicate links name ids.
    for stages in (*resumed.values(), *straight.values()):
        stages["dedup"]["duplicate_of"] = stages["dedup"]["duplicate_of"] is not None
    assert by_text(resumed) == by_text(straight)


def test_clean_drops_a_sources_template_lines_and_keeps_the_raw_text(store: Store) -> None:
    footer = "Become a member of Example News for unlimited access."
    texts = [
        f"Story {n}\n\nThe council met on day {n} to discuss water.\n\n{footer}\nREAD MORE: x"
        for n in range(6)
    ]
    fill(store, texts)
    Pipeline(store, None, stages=["clean"]).run(ProcessOptions())
    done = outputs(store)
    cleaned = [o["clean"]["clean_text"] for o in done.values()]
    assert all(footer not in text and "READ MORE" not in text for text in cleaned)
    assert all("discuss water" in text for text in cleaned)
    with store.read() as connection:
        assert all(footer in d.text for d in repo.iterate(connection))


def test_language_is_detected_and_routed(store: Store) -> None:
    fill(store, [*TEXTS, "   12 34 56   ", "ეს ტექსტი ქართულ ენაზეა დაწერილი და საკმაოდ გრძელია."])
    Pipeline(store, None, stages=["clean", "language"]).run(ProcessOptions())
    found = [o["language"] for _, o in sorted(outputs(store).items())]
    assert [f["language"] for f in found[:4]] == ["en", "ru", "ar", "fr"]
    assert found[0]["route"]["ner"] and found[2]["route"]["ner"] is None
    assert found[4]["language"] is None and found[4]["language_note"]
    assert found[5]["language"] is None and "Georgian" in found[5]["language_note"]
    with store.read() as connection:  # the documents carry it too: filters and facets read it
        languages = [d.language for d in repo.iterate(connection)]
        assert search(connection, "lang:ru").total == 1
    assert languages[:4] == ["en", "ru", "ar", "fr"] and languages[4] is None


def test_redo_runs_a_stage_and_what_rests_on_it(store: Store) -> None:
    fill(store, TEXTS[:2])
    Pipeline(store, None, stages=["clean", "language"]).run(ProcessOptions())
    assert redo(store, "language") == [
        "language",
        "nlp",
        "entities",
        "places",
        "dates",
        "claims",
        "events",
    ]
    assert Pipeline(store, None, stages=["clean", "language"]).pending() == 2


@pytest.mark.slow
def test_two_workers_process_every_document_exactly_once(backend: Backend, store: Store) -> None:
    # Small batches make the two workers claim at the same moment again and again.
    fill(store, [f"Bulletin {n}: {TEXTS[n % 4]}" for n in range(120)])
    options = ProcessOptions(batch_size=2, only=["clean", "language"])
    report = run_workers(backend.settings, 2, options)
    assert report.documents == 120
    assert report.done["clean"] == 120 and report.done["language"] == 120
    assert Pipeline(store, backend.settings, stages=["clean", "language"]).pending() == 0

"""Running the pipeline: claim a batch, run the stages it needs, save, repeat.

    pipeline = Pipeline(store, settings)           # stages from the registry, checked
    report = pipeline.run(ProcessOptions())        # until nothing is pending

A document runs a stage when it has no finished row for that stage at the stage's
current version, or when a field the stage requires was computed again in this run;
so raising one stage's version re-runs that stage and what rests on it, and nothing
else. A stage that raises for a document marks that document failed for that stage
(with the reason), and the stages that need its output are marked failed too; the
run goes on. Each batch is saved in one transaction with its leases released.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

# Importing these registers jic's own stages, in pipeline order.
import jic.process.claim_stages
import jic.process.nlp_stages
import jic.process.stages  # noqa: F401
from jic.domain import Document
from jic.errors import ConfigError, JicError
from jic.process.registry import Registry, Stage, StageContext, StageSpec, Work, registry
from jic.store import audit, facts, processing
from jic.store import documents as document_repo
from jic.store.database import Store
from jic.store.times import iso

Progress = Callable[[int], None]
Result = tuple[int, str, int, str, str | None, dict[str, Any] | None]


@dataclass(slots=True)
class ProcessOptions:
    batch_size: int = 50
    only: list[str] | None = None
    lease_seconds: float = 900.0
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


@dataclass(slots=True)
class ProcessReport:
    documents: int = 0
    done: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    def merge(self, other: ProcessReport) -> None:
        self.documents += other.documents
        self.done.update(other.done)
        self.failed.update(other.failed)
        self.errors.extend(other.errors)


def document_fields(document: Document) -> dict[str, Any]:
    return {
        "text": document.text,
        "title": document.title,
        "published": iso(document.published) if document.published else None,
        "source": document.source,
        "language_hint": document.language,
        "url": document.url,
    }


class Pipeline:
    """The planned stages over one store; stage factories run on first use."""

    def __init__(
        self,
        store: Store,
        settings: Any,
        *,
        stages: list[str] | None = None,
        stage_registry: Registry = registry,
    ) -> None:
        self.store = store
        self.registry = stage_registry
        self.plan = stage_registry.plan(stages)
        self.context = StageContext(settings=settings, store=store)
        self._made: dict[str, Stage] = {}

    @property
    def versions(self) -> list[tuple[str, int]]:
        return [(spec.name, spec.version) for spec in self.plan]

    def load(self) -> None:
        """Make every planned stage now (models load here), not on the first batch."""
        for spec in self.plan:
            self._stage(spec)

    def pending(self) -> int:
        with self.store.read() as connection:
            return processing.pending_count(connection, self.versions)

    def run(self, options: ProcessOptions, progress: Progress | None = None) -> ProcessReport:
        """Process until nothing planned is pending; one audit entry for the run."""
        report = ProcessReport()
        lease = timedelta(seconds=options.lease_seconds)
        try:
            while True:
                with self.store.write() as connection:
                    ids = processing.claim(
                        connection,
                        self.versions,
                        worker=options.worker,
                        size=options.batch_size,
                        lease=lease,
                    )
                if not ids:
                    break
                report.merge(self._batch(ids, options.worker))
                if progress is not None:
                    progress(len(ids))
        finally:
            with self.store.write() as connection:
                processing.release(connection, options.worker)
                if report.documents:
                    audit.append(
                        connection,
                        audit.Actor(),
                        "process.run",
                        object_type="pipeline",
                        object_id=options.worker,
                        detail={
                            "documents": report.documents,
                            "done": dict(report.done),
                            "failed": dict(report.failed),
                            "stages": dict(self.versions),
                        },
                    )
        return report

    def _stage(self, spec: StageSpec) -> Stage:
        if spec.name not in self._made:
            try:
                self._made[spec.name] = spec.factory(self.context)
            except JicError:
                raise
            except Exception as error:  # a stage that cannot start is a set-up fault
                raise ConfigError(
                    f"the {spec.name} stage could not start: {type(error).__name__}: {error}",
                    "check the installation (`make run` installs the models), or leave the "
                    "stage out with --only",
                ) from error
        return self._made[spec.name]

    def _batch(self, ids: list[int], worker: str) -> ProcessReport:
        with self.store.read() as connection:
            docs = document_repo.get_many(connection, ids)
            states = processing.states(connection, ids)
            stored = processing.outputs(connection, ids)
        works = []
        for document in docs:
            work = Work(document, document_fields(document))
            for output in stored.get(document.id, {}).values():
                work.fields.update(output)
            works.append(work)
        needed = {w.document.id: self._needed(w, states) for w in works}
        results: list[Result] = []
        report = ProcessReport(documents=len(works))
        for spec in self.plan:
            todo = [w for w in works if spec.name in needed[w.document.id]]
            if todo:
                results.extend(self._run_stage(spec, todo, report))
        # The detected language becomes the document's language (search filters, facets
        # and counts read that column); the source's hint stays in the language output.
        detected = {
            doc_id: output["language"]
            for doc_id, stage, _v, state, _e, output in results
            if stage == "language" and state == "done" and output and output.get("language")
        }
        # Facts become rows (filters, facets, ledger, maps) in the same transaction.
        touched = {doc_id for doc_id, stage, *_ in results if stage in facts.FACT_STAGES}
        rows = {w.document.id: w.fields for w in works if w.document.id in touched}
        with self.store.write() as connection:
            processing.save(connection, results, worker=worker)
            processing.set_languages(connection, detected)
            facts.rewrite(connection, rows)
        return report

    def _needed(self, work: Work, states: dict[tuple[int, str], tuple[int, str]]) -> set[str]:
        """Stages this document must run: stale ones, what rests on them, and the
        producers of transient fields those need."""
        needed: set[str] = set()
        fresh: set[str] = set()
        producers = self.registry.producers()
        for spec in self.plan:
            version, state = states.get((work.document.id, spec.name), (None, None))
            stale = version != spec.version or state not in ("done", "failed")
            if stale or fresh & set(spec.requires):
                needed.add(spec.name)
                fresh.update(spec.stored_fields)
        changed = True
        while changed:
            changed = False
            for spec in self.plan:
                if spec.name not in needed:
                    continue
                for field_name in spec.requires:
                    producer = producers.get(field_name)
                    if field_name.startswith("_") and producer and producer not in needed:
                        needed.add(producer)
                        changed = True
        return needed

    def _run_stage(self, spec: StageSpec, todo: list[Work], report: ProcessReport) -> list[Result]:
        ready = []
        results: list[Result] = []
        for work in todo:
            broken = [name for name in spec.requires if name not in work.fields]
            if work.failed or broken:
                reason = "an earlier stage failed" if work.failed else f"missing {broken}"
                work.fail(spec.name, reason)
            else:
                ready.append(work)
        if ready:
            self._call(spec, ready)
        for work in todo:
            if spec.name not in work.failed:
                missing = [name for name in spec.assigns if name not in work.fields]
                if missing:
                    work.fail(spec.name, f"the stage did not assign {', '.join(missing)}")
            doc_id = work.document.id
            if spec.name in work.failed:
                reason = work.failed[spec.name]
                report.failed[spec.name] += 1
                report.errors.append((doc_id, spec.name, reason))
                results.append((doc_id, spec.name, spec.version, "failed", reason, None))
            else:
                report.done[spec.name] += 1
                output = {name: work.fields[name] for name in spec.stored_fields}
                results.append((doc_id, spec.name, spec.version, "done", None, output))
        return results

    def _call(self, spec: StageSpec, batch: list[Work]) -> None:
        """Run a stage on a batch; if it raises, run it per document to isolate the cause."""
        stage = self._stage(spec)
        try:
            stage(batch)
        except Exception:  # a stage's bug must fail documents, not the whole run
            for work in batch:
                try:
                    stage([work])
                except Exception as error:
                    work.fail(spec.name, f"{type(error).__name__}: {error}"[:1000])


def redo(store: Store, stage: str, stage_registry: Registry = registry) -> list[str]:
    """Forget ``stage`` and every stage resting on it, for all documents."""
    stages = stage_registry.dependents(stage)
    with store.write() as connection:
        processing.forget(connection, stages)
        audit.append(
            connection,
            audit.Actor(),
            "process.redo",
            object_type="stage",
            object_id=stage,
            detail={"stages": stages},
        )
    return stages


def _worker(args: tuple[Any, list[str] | None, int, str]) -> ProcessReport:
    from jic.store.database import open_store

    settings, only, batch_size, worker = args
    store = open_store(settings)
    try:
        pipeline = Pipeline(store, settings, stages=only)
        return pipeline.run(ProcessOptions(batch_size=batch_size, only=only, worker=worker))
    finally:
        store.close()


def run_workers(settings: Any, workers: int, options: ProcessOptions) -> ProcessReport:
    """Run ``workers`` processes on this machine, each claiming its own batches."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    jobs = [
        (settings, options.only, options.batch_size, f"{options.worker}/{n}")
        for n in range(workers)
    ]
    report = ProcessReport()
    with context.Pool(workers) as pool:
        for part in pool.imap_unordered(_worker, jobs):
            report.merge(part)
    return report

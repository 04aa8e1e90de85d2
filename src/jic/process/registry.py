"""The stage registry: every processing stage, built-in or third-party, registers here.

    @registry.stage("language", version=1, requires=("clean_text",), assigns=("language",))
    def make_language(context: StageContext) -> Stage:
        detector = LanguageDetector()
        def run(batch: list[Work]) -> None:
            for work in batch:
                work.fields["language"] = detector.detect(work.fields["clean_text"]).language
        return run

A stage is made once per process by its factory (models load there), then called on
batches of ``Work``. It reads the fields it ``requires`` and must set every field it
``assigns`` on each item it does not mark as failed. Fields whose names start with
``_`` are transient (a spaCy Doc, say): kept in memory for later stages of the same
run, never stored; a stage that needs one makes its producer run again.

``plan`` checks the chain before anything runs: each requirement must be assigned
by an earlier stage or be a document field (``DOCUMENT_FIELDS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from jic.domain import Document
from jic.errors import ConfigError

DOCUMENT_FIELDS = ("text", "title", "published", "source", "language_hint", "url")


@dataclass(slots=True)
class Work:
    """One document going through the pipeline: its record and the fields set so far."""

    document: Document
    fields: dict[str, Any] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # stage -> reason

    def fail(self, stage: str, reason: str) -> None:
        self.failed[stage] = reason


class Stage(Protocol):
    def __call__(self, batch: list[Work]) -> None: ...


@dataclass(slots=True)
class StageContext:
    """What a stage factory may use: the settings, a read-only look at the store, and
    ``shared``: heavy objects (a loaded model) that several stages of one process use."""

    settings: Any
    store: Any
    shared: dict[str, Any] = field(default_factory=dict)

    def resource(self, name: str, make: Callable[[], Any]) -> Any:
        """The shared object called ``name``, made on first use."""
        if name not in self.shared:
            self.shared[name] = make()
        return self.shared[name]


Factory = Callable[[StageContext], Stage]


@dataclass(frozen=True, slots=True)
class StageSpec:
    name: str
    version: int
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    factory: Factory
    doc: str = ""

    @property
    def stored_fields(self) -> tuple[str, ...]:
        return tuple(name for name in self.assigns if not name.startswith("_"))


class Registry:
    """Named stages in registration order."""

    def __init__(self) -> None:
        self._specs: dict[str, StageSpec] = {}

    def stage(
        self,
        name: str,
        *,
        version: int,
        requires: Iterable[str] = (),
        assigns: Iterable[str] = (),
    ) -> Callable[[Factory], Factory]:
        def register(factory: Factory) -> Factory:
            if name in self._specs:
                raise ConfigError(f"a stage named {name!r} is registered twice", "rename one")
            self._specs[name] = StageSpec(
                name, version, tuple(requires), tuple(assigns), factory, (factory.__doc__ or "")
            )
            return factory

        return register

    def names(self) -> list[str]:
        return list(self._specs)

    def get(self, name: str) -> StageSpec:
        if name not in self._specs:
            known = ", ".join(self._specs) or "none"
            raise ConfigError(f"no stage named {name!r}", f"registered stages: {known}")
        return self._specs[name]

    def plan(self, names: Iterable[str] | None = None) -> list[StageSpec]:
        """The stages to run, in order, with every requirement checked."""
        chosen = [self.get(name) for name in (names or self._specs)]
        available = set(DOCUMENT_FIELDS)
        for spec in chosen:
            missing = [need for need in spec.requires if need not in available]
            if missing:
                raise ConfigError(
                    f"stage {spec.name!r} requires {', '.join(missing)}, "
                    "which no earlier stage assigns",
                    "register the stage that assigns it before this one",
                )
            available.update(spec.assigns)
        return chosen

    def producers(self) -> dict[str, str]:
        """Which stage assigns each field."""
        return {name: spec.name for spec in self._specs.values() for name in spec.assigns}

    def dependents(self, stage: str) -> list[str]:
        """Stages that rest, directly or not, on what ``stage`` assigns (itself included)."""
        tainted = {stage}
        fields = set(self.get(stage).assigns)
        for spec in self._specs.values():
            if spec.name in tainted:
                continue
            if fields & set(spec.requires):
                tainted.add(spec.name)
                fields |= set(spec.assigns)
        return [name for name in self._specs if name in tainted]


registry = Registry()
"""The registry jic's own stages use; a plug-in registers its stages here too."""

"""Settings for running the real stages in tests: one cache (the gazetteer index) for
the whole session, so it is built once and not per test."""

from __future__ import annotations

import pytest

from jic.settings import Settings


@pytest.fixture(scope="session")
def stage_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("stage-cache"))

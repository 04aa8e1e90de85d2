"""A processed two-member center for the page tests: documents with entities, places,
claims and stories, one of them AMBER+STRICT for alpha only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.web.conftest import add_user, put

from jic.analyse.ledger import assign_propositions
from jic.analyse.story_run import assign_stories
from jic.center.founding import Founding, found_center
from jic.domain import TLP
from jic.process.pipeline import Pipeline, ProcessOptions
from jic.settings import Settings
from jic.store.database import Store

QUAKE = (
    "Earthquake kills hundreds in eastern Turkey\n\n"
    "A magnitude 7.2 earthquake struck the eastern Turkish province of Van on Sunday, "
    "killing at least 200 people, officials in Ankara said. Rescue teams searched the "
    "rubble of collapsed buildings in Ercis and Van through the night."
)
QUAKE_LATER = (
    "Earthquake death toll rises in Van\n\n"
    "The death toll from the magnitude 7.2 earthquake in Van, Turkey, rose to 300 on "
    "Monday as rescue teams in Ercis pulled survivors from collapsed buildings, "
    "the Turkish Red Crescent said."
)
FLOOD = (
    "Floods close schools in Basra\n\n"
    "Heavy rain flooded parts of Basra in southern Iraq on Saturday, the governor said, "
    "and schools across Basra province were closed as water rose in the Shatt al-Arab."
)
FLOOD_DENIED = (
    "Iraq denies Basra schools closed\n\n"
    "The Iraqi education ministry denied on Sunday that schools across Basra province "
    "were closed, saying classes went on as usual despite the heavy rain."
)
# Only alpha may see this one: its title, words, entity and place must not appear
# anywhere for bravo's users.
STRICT_WORD = "Skjervoy"
STRICT = (
    f"Strict: convoy seen near {STRICT_WORD} harbour\n\n"
    f"A convoy of the Nordlys Brigade was seen near {STRICT_WORD} and Tromsø in northern "
    "Norway on Tuesday, a Norwegian official said."
)


@dataclass
class Processed:
    store: Store
    settings: Settings
    quake: int
    flood: int
    strict: int


def build(home: Path, stage_settings: Settings) -> Processed:
    settings = Settings(home=home, cache_dir=stage_settings.resolved_cache_dir())
    founding = Founding(
        founders=["alpha", "bravo"],
        first_chair="alpha",
        start=datetime.now(UTC) - timedelta(days=1),
    )
    store, _info = found_center(settings, founding)
    add_user(store, "alice", "alpha", "officer")
    add_user(store, "bob", "bravo")
    hours = [timedelta(hours=n) for n in (30, 20, 26, 10, 5)]
    now = datetime.now(UTC)
    quake = put(store, QUAKE, member="alpha", published=now - hours[0], url="https://a.example/q")
    put(store, QUAKE_LATER, member="bravo", tlp=TLP.GREEN, published=now - hours[1])
    flood = put(store, FLOOD, member="alpha", tlp=TLP.GREEN, published=now - hours[2])
    put(store, FLOOD_DENIED, member="bravo", published=now - hours[3])
    strict = put(store, STRICT, member="alpha", tlp=TLP.AMBER_STRICT, published=now - hours[4])
    Pipeline(store, settings).run(ProcessOptions())
    assign_stories(store)
    assign_propositions(store)
    return Processed(store, settings, quake, flood, strict)

"""Online story clustering: similar events apart, copies with their original, stable state."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jic.analyse.stories import (
    OnlineStoryClusterer,
    StoryDoc,
    StoryOptions,
    StoryStateError,
    pairwise_similarities,
)
from jic.analyse.story_features import (
    date_keys,
    entity_key,
    lead,
    lead_year,
    number_key,
    terms,
)
from jic.analyse.story_revision import average_linkage
from jic.errors import InputError, NotFoundError

T0 = datetime(2031, 3, 14, 6, 0, tzinfo=UTC)
T1 = datetime(2031, 9, 2, 22, 0, tzinfo=UTC)


def quake_a(doc_id: str, text: str, hours: float = 0, **extra: object) -> StoryDoc:
    """A report of the (invented) Valdera earthquake in March 2031."""
    return StoryDoc(
        id=doc_id,
        text=text,
        published=T0 + timedelta(hours=hours),
        places=("valdera", "norvia"),
        entities=("marta okonkwo",),
        numbers=("6.8", "41"),
        dates=("2031", "2031-03"),
        **extra,  # type: ignore[arg-type]
    )


def quake_b(doc_id: str, text: str, hours: float = 0) -> StoryDoc:
    """A report of the (invented) Port Selim earthquake in September 2031."""
    return StoryDoc(
        id=doc_id,
        text=text,
        published=T1 + timedelta(hours=hours),
        places=("port selim", "kestria"),
        entities=("ilhan varga",),
        numbers=("5.9", "12"),
        dates=("2031", "2031-09"),
    )


A1 = quake_a(
    "a1",
    "Earthquake of magnitude 6.8 strikes Valdera, killing at least 41\n"
    "A powerful earthquake struck the city of Valdera in northern Norvia early on Friday, "
    "collapsing buildings and killing at least 41 people, officials said.\n"
    "Rescue teams searched the rubble through the night, said regional governor Marta "
    "Okonkwo. Aftershocks rattled the region.",
)
A2 = quake_a(
    "a2",
    "Valdera earthquake: death toll reaches 41 as rescuers dig through rubble\n"
    "Rescuers in Valdera pulled survivors from collapsed buildings after Friday's magnitude "
    "6.8 earthquake in Norvia, governor Marta Okonkwo said, confirming 41 dead.\n"
    "Hospitals in the city were overwhelmed and aftershocks continued.",
    hours=8,
)
A3 = quake_a(
    "a3",
    "Norvia mourns 41 killed in Valdera quake\n"
    "Norvia declared three days of mourning for the 41 people killed when a 6.8 magnitude "
    "earthquake hit Valdera. Governor Marta Okonkwo thanked the rescue teams.\n"
    "Aftershocks kept families sleeping outside in the rubble-strewn streets.",
    hours=30,
)
B1 = quake_b(
    "b1",
    "Earthquake of magnitude 5.9 strikes Port Selim, killing at least 12\n"
    "A strong earthquake struck the port city of Port Selim in southern Kestria late on "
    "Tuesday, collapsing buildings and killing at least 12 people, officials said.\n"
    "Rescue teams searched the rubble, said mayor Ilhan Varga. Aftershocks rattled the coast.",
)
B2 = quake_b(
    "b2",
    "Port Selim quake: 12 dead, hundreds homeless\n"
    "Rescuers in Port Selim searched collapsed buildings after Tuesday's magnitude 5.9 "
    "earthquake in Kestria, mayor Ilhan Varga said, confirming 12 dead.\n"
    "Aftershocks continued as families slept outside.",
    hours=6,
)
FLOOD = StoryDoc(
    id="f1",
    text="River Amsel bursts its banks in Lindholm\n"
    "Flood water covered the old town of Lindholm after days of heavy rain, and the river "
    "Amsel reached a record height, the water authority said.\n"
    "Schools were closed and sandbags handed out.",
    published=T0 + timedelta(days=2),
    places=("lindholm",),
    dates=("2031",),
)


@pytest.fixture()
def clusterer() -> OnlineStoryClusterer:
    return OnlineStoryClusterer()


def assign_all(clusterer: OnlineStoryClusterer, docs: list[StoryDoc]) -> list[int]:
    return [clusterer.assign(doc).story_id for doc in docs]


def test_two_similar_earthquakes_become_two_stories(clusterer: OnlineStoryClusterer) -> None:
    ids = assign_all(clusterer, [A1, B1, FLOOD, A2, B2, A3])
    a1, b1, flood, a2, b2, a3 = ids
    assert a1 == a2 == a3
    assert b1 == b2
    assert len({a1, b1, flood}) == 3


def test_first_document_starts_a_story_and_the_next_joins_it(
    clusterer: OnlineStoryClusterer,
) -> None:
    first = clusterer.assign(A1)
    second = clusterer.assign(A2)
    assert first.is_new and not second.is_new
    assert second.story_id == first.story_id
    assert second.similarity >= clusterer.options.threshold


def test_crosspost_joins_its_original_and_is_marked_as_copy(
    clusterer: OnlineStoryClusterer,
) -> None:
    assign_all(clusterer, [A1, B1])
    # A syndicated copy under a new headline, and sharing nothing else with its original.
    copy = StoryDoc(id="copy", text="Different words entirely.", duplicate_of="b1")
    result = clusterer.assign(copy)
    assert result.is_copy and not result.is_new
    assert result.story_id == clusterer.story_of("b1")
    summary = clusterer.summary(result.story_id)
    assert summary.copies == ["copy"]
    assert "copy" not in summary.documents


def test_copy_of_unknown_original_is_clustered_on_its_own_text(
    clusterer: OnlineStoryClusterer,
) -> None:
    assign_all(clusterer, [A1, B1])
    orphan = quake_a("orphan", A2.text, duplicate_of="never-seen")
    result = clusterer.assign(orphan)
    assert not result.is_copy
    assert result.story_id == clusterer.story_of("a1")


def test_later_documents_never_move_earlier_ones(clusterer: OnlineStoryClusterer) -> None:
    early = assign_all(clusterer, [A1, B1, FLOOD])
    assign_all(clusterer, [A2, B2, A3])
    assert [clusterer.story_of(doc_id) for doc_id in ("a1", "b1", "f1")] == early


def test_same_document_twice_is_refused(clusterer: OnlineStoryClusterer) -> None:
    clusterer.assign(A1)
    with pytest.raises(InputError, match="already assigned"):
        clusterer.assign(A1)


def test_state_round_trip_continues_exactly(clusterer: OnlineStoryClusterer) -> None:
    assign_all(clusterer, [A1, B1, FLOOD])
    saved = json.loads(json.dumps(clusterer.to_state()))
    restored = OnlineStoryClusterer.from_state(saved)
    rest = [A2, B2, A3]
    assert [restored.assign(d) for d in rest] == [clusterer.assign(d) for d in rest]
    assert restored.to_state() == json.loads(json.dumps(clusterer.to_state()))


def test_state_from_another_version_is_refused() -> None:
    with pytest.raises(StoryStateError):
        OnlineStoryClusterer.from_state({"version": 999})


def test_summary_names_title_span_places_and_entities(clusterer: OnlineStoryClusterer) -> None:
    assign_all(clusterer, [A2, A1, A3])
    summary = clusterer.summary(clusterer.story_of("a1") or 0)
    assert summary.title.startswith(("Earthquake of", "Valdera earthquake", "Norvia mourns"))
    assert (summary.first, summary.last) == (A1.published, A3.published)
    assert summary.documents == ["a1", "a2", "a3"]  # in time order, not arrival order
    assert summary.places[:2] == ["valdera", "norvia"]
    assert summary.entities == ["marta okonkwo"]


def test_unknown_story_is_not_found(clusterer: OnlineStoryClusterer) -> None:
    with pytest.raises(NotFoundError):
        clusterer.summary(42)


def test_same_report_months_later_starts_a_new_story() -> None:
    clusterer = OnlineStoryClusterer(StoryOptions(time_scale_days=7.0))
    clusterer.assign(A1)
    again = StoryDoc(
        id="a1-later",
        text=A2.text,
        published=T0 + timedelta(days=400),
        places=A2.places,
        entities=A2.entities,
        numbers=A2.numbers,
        dates=A2.dates,
    )
    assert clusterer.assign(again).is_new


def test_closed_stories_take_no_new_documents() -> None:
    clusterer = OnlineStoryClusterer(StoryOptions(max_open_stories=1))
    first = clusterer.assign(A1)
    clusterer.assign(FLOOD)  # the quake story is now the oldest and is closed
    later = clusterer.assign(A2)
    assert later.is_new and later.story_id != first.story_id
    assert clusterer.summary(first.story_id).documents == ["a1"]


def test_keys_from_text_helpers() -> None:
    assert terms("The rescuers' boats and the cities") == ["rescuer", "boat", "city"]
    assert entity_key("  the Indian Navy's ") == "indian navy"
    assert number_key("1,000") == number_key("one thousand") == "1000"
    assert number_key("a 6.8 magnitude") == "6.8"
    assert number_key("several") is None
    assert date_keys("May 2, 2013") == ["2013", "2013-05"]
    assert date_keys("on Saturday") == []
    assert lead("Headline\nFirst. Second. Third.", 2) == "Headline\nFirst."
    assert lead_year("Cheeks hired\nMay 3, 2005. Coach since 2003, hired in 2005.") == "2005"
    assert lead_year("In 2008 and in 2005.") == "2008"  # a tie: the first named
    assert lead_year("Cheeks fired on Saturday, 1,999 fans watching.") is None


def coach(doc_id: str, year: str, *, in_lead: bool = True) -> StoryDoc:
    """One report of a coach's sacking; the lead names ``year`` (or only the body does)."""
    dateline = f"December 13, {year}\n" if in_lead else ""
    body = f"\nHe was hired in {year}." if not in_lead else ""
    return StoryDoc(
        id=doc_id,
        text=f"76ers fire coach Maurice Cheeks\n{dateline}The Philadelphia 76ers fired coach "
        f"Maurice Cheeks on Saturday after a 9-14 start. Tony DiLeo takes over. The team "
        f"had lost six of its last seven games. Cheeks was in his fourth season.{body}",
        entities=("cheeks", "dileo"),
    )


def test_leads_that_name_different_years_weigh_against_a_match() -> None:
    # The words are the same ("December 13, " without a year names none): the same year
    # adds weight * (1 - bias), another year takes weight * bias away, none does neither.
    options = StoryOptions()
    weight, bias = options.year_weight, options.year_bias
    assert weight > 0 and 0 < bias < 1
    docs = [coach("a", "2008"), coach("b", "2008"), coach("c", ""), coach("d", "2005")]
    matrix = pairwise_similarities(docs)
    assert matrix[0][1] - matrix[0][2] == pytest.approx(weight * (1 - bias))
    assert matrix[0][2] - matrix[0][3] == pytest.approx(weight * bias)
    off = pairwise_similarities(docs, replace(options, year_weight=0.0))
    assert off[0][1] == pytest.approx(off[0][2]) == pytest.approx(off[0][3])


def test_a_year_named_only_below_the_lead_gives_no_year_key() -> None:
    docs = [coach(x, y, in_lead=False) for x, y in (("a", "2008"), ("b", "2008"), ("c", "2005"))]
    matrix = pairwise_similarities(docs)
    assert matrix[0][1] == pytest.approx(matrix[0][2])


def test_a_story_core_weighs_the_lead_year_as_a_pair_does() -> None:
    # Without revision every member is frozen into its story's core at once: a report's
    # mean similarity to the core moves by the year's agreement and bias as a pair's does.
    options = StoryOptions()
    found = {}
    for year in ("2008", "", "2005"):
        clusterer = OnlineStoryClusterer()
        clusterer.assign(coach("a", "2008"))
        found[year] = clusterer.assign(coach("b", year)).similarity
    assert found["2008"] - found[""] == pytest.approx(options.year_weight * (1 - options.year_bias))
    assert found[""] - found["2005"] == pytest.approx(options.year_weight * options.year_bias)


# -- bounded revision of young stories ------------------------------------------------------


def undated(*docs: StoryDoc) -> list[StoryDoc]:
    """The fixtures without publication times, so that only their content tells them apart."""
    return [replace(doc, published=None) for doc in docs]


# A loose join threshold lets the first Port Selim report join the Valdera story (the
# early merge that online assignment cannot undo); average linkage over the young
# documents pulls the two events apart again once more reports of each have arrived.
LOOSE = StoryOptions(threshold=1.0, link_threshold=1.0)


def test_without_revision_an_early_merge_stays() -> None:
    clusterer = OnlineStoryClusterer(LOOSE)
    ids = assign_all(clusterer, undated(A1, B1, A2, B2, A3))
    assert len(set(ids)) == 1


def test_later_evidence_splits_an_early_merge_and_says_what_moved() -> None:
    clusterer = OnlineStoryClusterer(replace(LOOSE, revision_window=10))
    a1, b1, a2, b2, a3 = undated(A1, B1, A2, B2, A3)
    first = [clusterer.assign(doc) for doc in (a1, b1, a2, b2)]
    assert {placed.story_id for placed in first} == {first[0].story_id}  # merged so far
    last = clusterer.assign(a3)
    quake_a_story = clusterer.story_of("a1")
    quake_b_story = clusterer.story_of("b1")
    assert quake_a_story == last.story_id == clusterer.story_of("a2")
    assert quake_b_story == clusterer.story_of("b2") != quake_a_story
    assert last.moved == (("b1", quake_b_story), ("b2", quake_b_story))
    assert clusterer.summary(quake_b_story or 0).documents == ["b1", "b2"]
    assert clusterer.summary(quake_a_story or 0).documents == ["a1", "a2", "a3"]


def test_a_copy_moves_with_its_original() -> None:
    clusterer = OnlineStoryClusterer(replace(LOOSE, revision_window=10))
    a1, b1, a2, b2, a3 = undated(A1, B1, A2, B2, A3)
    assign_all(clusterer, [a1, b1])
    copy = StoryDoc(id="b1-copy", text="Syndicated.", duplicate_of="b1")
    assert clusterer.assign(copy).is_copy
    assign_all(clusterer, [a2, b2])
    moved = dict(clusterer.assign(a3).moved)
    assert clusterer.story_of("b1-copy") == clusterer.story_of("b1") == moved["b1-copy"]
    summary = clusterer.summary(clusterer.story_of("b1") or 0)
    assert summary.copies == ["b1-copy"]
    assert summary.documents == ["b1", "b2"]


def test_documents_of_old_stories_never_move() -> None:
    # A window of two documents: the merged story is old before the evidence arrives.
    clusterer = OnlineStoryClusterer(replace(LOOSE, revision_window=2))
    placed = [clusterer.assign(doc) for doc in undated(A1, B1, A2, B2, A3)]
    assert all(not p.moved for p in placed)
    assert len({p.story_id for p in placed}) == 1


def test_a_document_joins_an_old_story_without_regrouping_the_rest() -> None:
    window = 3
    clusterer = OnlineStoryClusterer(StoryOptions(revision_window=window))
    assign_all(clusterer, [A1, A2, A3, FLOOD, B1, B2])
    before = {doc_id: clusterer.story_of(doc_id) for doc_id in ("a1", "f1", "b1", "b2")}
    a4 = quake_a("a4", A3.text.replace("Norvia mourns", "Norvia buries"), hours=50)
    placed = clusterer.assign(a4)
    assert placed.story_id == clusterer.story_of("a1") and not placed.is_new
    assert placed.moved == ()
    assert {doc_id: clusterer.story_of(doc_id) for doc_id in before} == before
    # The work a document costs is bounded: only the young stories' documents are kept.
    assert len(clusterer.to_state()["recent"]) <= window


def test_state_round_trip_with_revision_continues_exactly() -> None:
    clusterer = OnlineStoryClusterer(replace(LOOSE, revision_window=10))
    a1, b1, a2, b2, a3 = undated(A1, B1, A2, B2, A3)
    assign_all(clusterer, [a1, b1, a2])
    saved = json.loads(json.dumps(clusterer.to_state()))
    restored = OnlineStoryClusterer.from_state(saved)
    rest = [b2, a3, FLOOD]
    assert [restored.assign(d) for d in rest] == [clusterer.assign(d) for d in rest]
    assert restored.to_state() == json.loads(json.dumps(clusterer.to_state()))


def version_1_state(docs: list[StoryDoc]) -> dict[str, object]:
    """A state as version 1 saved it: one story per document, a centroid, no revision."""
    reader = OnlineStoryClusterer()
    stories, df, postings = [], Counter[str](), {}
    for story_id, doc in enumerate(docs, start=1):
        counts = reader._tf(doc)
        df.update(counts)
        norm = math.sqrt(sum(v * v for v in counts.values()))
        for key in counts:
            postings.setdefault(key, []).append(story_id)
        published = doc.published.isoformat() if doc.published else None
        stories.append(
            {
                "id": story_id,
                "open": True,
                "centroid": {key: value / norm for key, value in counts.items()},
                "representatives": [
                    {
                        "doc_id": doc.id,
                        "title": doc.text.splitlines()[0],
                        "vector": counts,
                        "similarity": 1e9,
                        "norms": {},
                        "norm_n": -1,
                    }
                ],
                "members": [[doc.id, published, False]],
                "entities": dict(Counter(doc.entities)),
                "places": dict(Counter(doc.places)),
                "first": published,
                "last": published,
                "norms": [{}, -1],
            }
        )
    return {
        "version": 1,
        "options": {"threshold": 1.4, "centroid_mix": 0.35, "representatives": 8},
        "n": len(docs),
        "df": dict(df),
        "next_id": len(docs) + 1,
        "open": [story["id"] for story in stories],
        "postings": postings,
        "stories": stories,
    }


def test_state_saved_by_version_1_is_read_and_its_stories_take_new_reports() -> None:
    old = json.loads(json.dumps(version_1_state([A1, B1])))
    restored = OnlineStoryClusterer.from_state(old, StoryOptions(revision_window=10))
    assert restored.summary(1).title.startswith("Earthquake of magnitude 6.8")
    placed = restored.assign(A2)
    assert placed.story_id == restored.story_of("a1") == 1 and placed.moved == ()
    assert restored.assign(B2).story_id == restored.story_of("b1") == 2
    assert restored.summary(1).documents == ["a1", "a2"]


def test_average_linkage_does_not_depend_on_order() -> None:
    similarity = [
        [0.0, 5.0, 0.2, 1.5],
        [5.0, 0.0, 0.1, 1.4],
        [0.2, 0.1, 0.0, 0.3],
        [1.5, 1.4, 0.3, 0.0],
    ]
    assert average_linkage(similarity, 1.0) == [[0, 1, 3], [2]]
    order = [2, 3, 0, 1]
    permuted = [[similarity[i][j] for j in order] for i in order]
    groups = {frozenset(order[i] for i in group) for group in average_linkage(permuted, 1.0)}
    assert groups == {frozenset({0, 1, 3}), frozenset({2})}


def test_average_linkage_needs_the_mean_not_one_close_member() -> None:
    # Document 2 is close to 0 only: the mean over {0, 1} stays under the threshold.
    similarity = [[0.0, 5.0, 1.8], [5.0, 0.0, 0.0], [1.8, 0.0, 0.0]]
    assert sorted(average_linkage(similarity, 1.0)) == [[0, 1], [2]]


def test_a_report_that_bridges_two_stories_of_one_event_merges_them() -> None:
    # Two reports of one quake just miss the threshold and start two stories; both have
    # left the window (frozen into their stories' cores) when a digest of the two arrives.
    # Average linkage over the cores joins the digest to one and then the two stories.
    clusterer = OnlineStoryClusterer(
        StoryOptions(threshold=6.7, link_threshold=6.7, revision_window=1)
    )
    a1, a2, b1, b2, flood = undated(A1, A2, B1, B2, FLOOD)
    digest = replace(a1, id="digest", text=f"{A1.text}\n{A2.text}")
    placed = [clusterer.assign(doc) for doc in (flood, b1, a1, a2, b2)]
    assert placed[2].story_id != placed[3].story_id
    last = clusterer.assign(digest)
    assert last.story_id == clusterer.story_of("a1") == clusterer.story_of("a2")
    assert last.moved == (("a2", last.story_id),)
    assert clusterer.summary(last.story_id).documents == ["a1", "a2", "digest"]
    assert len(clusterer.story_ids()) == 3
    assert len(clusterer.to_state()["recent"]) <= 1


def test_average_linkage_weighs_groups_by_size_and_keeps_apart_nodes_apart() -> None:
    # Node 0 stands for three documents (a story's core): the sums are over all pairs.
    sums = [[0.0, 6.0, 2.5], [6.0, 0.0, 0.0], [2.5, 0.0, 0.0]]
    assert sorted(average_linkage(sums, 1.5, sizes=[3, 1, 1])) == [[0, 1], [2]]
    assert sorted(average_linkage(sums, 2.5, sizes=[3, 1, 1])) == [[0], [1], [2]]
    close = [[0.0, 9.0, 9.0], [9.0, 0.0, 9.0], [9.0, 9.0, 0.0]]
    assert sorted(average_linkage(close, 1.0, apart=frozenset({0, 1}))) == [[0, 2], [1]]


def test_pairwise_similarities_put_reports_of_one_event_above_the_similar_event() -> None:
    docs = [A1, B1, FLOOD, A2, B2, A3]
    matrix = pairwise_similarities(docs)
    same_event = min(matrix[0][3], matrix[0][5], matrix[3][5], matrix[1][4])
    other_event = max(matrix[a][b] for a in (0, 3, 5) for b in (1, 2, 4))
    assert same_event > StoryOptions().link_threshold > other_event


def test_pairwise_similarities_fall_with_the_time_between_documents() -> None:
    # the same text a week apart weighs half (1 / (1 + 7 / time_scale_days of 7)); the
    # IDF is of all documents at once, so other documents change a pair's similarity
    assert A1.published is not None
    same_day = replace(A1, id="copy")
    week_later = replace(A1, id="later", published=A1.published + timedelta(days=7))
    near, far = (pairwise_similarities([A1, d, B1])[0][1] for d in (same_day, week_later))
    assert far == pytest.approx(near / 2)
    alone = pairwise_similarities([A1, A2])[0][1]
    assert pairwise_similarities([A1, A2, B1, FLOOD])[0][1] != pytest.approx(alone)

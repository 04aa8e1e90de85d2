"""Duplicate detection: copies link to the earliest version; related stories do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jic.errors import InputError
from jic.process.dedup import (
    Deduplicator,
    DedupOptions,
    MinHasher,
    NearDuplicateIndex,
    Signature,
    content_hash,
    normalise_text,
)

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

PARAGRAPHS = [
    "Heavy rain caused the river Selna to burst its banks early on Tuesday, flooding "
    "the lower districts of the town of Marrow and cutting the main road to the coast.",
    "The regional emergency office said about 2,400 people had been moved to schools and "
    "sports halls on higher ground, and that two bridges had been closed as a precaution.",
    "A spokesman for the office, Daniel Reyes, said water levels were expected to peak on "
    "Wednesday evening and asked residents to keep away from the embankments until then.",
    "Farmers in the valley said fields of winter wheat were under water for the second "
    "time in three years, and that the losses would be hard to bear without state help.",
    "The national weather service has issued an amber warning for further rain across the "
    "north of the province, with up to 60 millimetres possible in the hills by Thursday.",
    "Volunteers from neighbouring villages brought boats, food and blankets, and the army "
    "sent two helicopters to reach farms cut off by the water on the eastern side of town.",
]
ORIGINAL = "River bursts its banks in Marrow\n\n" + "\n\n".join(PARAGRAPHS)

# Another story on the same topic, in the same words where news reports share them.
SAME_TOPIC = "\n\n".join(
    [
        "Floods close roads in the north",
        "Heavy rain caused flooding in several towns in the north of the province on "
        "Friday, and the regional emergency office said schools would stay closed.",
        "The national weather service has kept its amber warning for rain in the hills, and "
        "said the rivers in the valley were rising more slowly than they did in the spring.",
        "In Tarn, the mayor said about 300 people had left their homes and that volunteers "
        "were filling sandbags in the square outside the town hall through the night.",
        "Farmers said the rain had come too late in the season to damage the harvest, but "
        "that several roads to the markets in the south were still under water.",
    ]
)


def cross_post(headline: str, paragraphs: list[str]) -> str:
    """The article as another site publishes it: its own menu, headline and footer."""
    header = ["Home | World | Business | Sport", "Valley Herald", headline]
    footer = [
        "Share this article",
        "Related: Town council approves budget",
        "Copyright Valley Herald. All rights reserved. Reproduction without permission of "
        "the publisher is not allowed in any form.",
    ]
    return "\n\n".join(header + paragraphs + footer)


@pytest.fixture(scope="module")
def hasher() -> MinHasher:
    return MinHasher()


def test_normalisation_ignores_quotes_dashes_spaces_and_case() -> None:
    plain = 'He said "no" - twice.\n\nThen left.'
    styled = "He said \u201cNo\u201d \u2014 twice.\u00a0\n\n\n  Then   left."
    assert normalise_text(plain) == normalise_text(styled)
    assert content_hash('He said "no" - twice. Then left.') == content_hash(
        "He said \u201cNO\u201d \u2013 twice.\nThen\u00a0left."
    )


def test_exact_copy_is_linked_to_the_earlier_document() -> None:
    dedup = Deduplicator()
    assert dedup.add(1, ORIGINAL, T0).link is None
    result = dedup.add(2, ORIGINAL.replace("\n\n", "\n"), T0 + timedelta(hours=2))
    assert result.link is not None
    assert (result.link.duplicate_of, result.link.kind, result.link.similarity) == (1, "exact", 1.0)


def test_crosspost_with_new_headline_and_boilerplate_is_linked() -> None:
    dedup = Deduplicator()
    dedup.add(1, ORIGINAL, T0)
    dedup.add(2, SAME_TOPIC, T0 + timedelta(hours=1))
    copy = cross_post("Thousands leave homes as Selna floods Marrow", PARAGRAPHS)
    result = dedup.add(3, copy, T0 + timedelta(hours=5))
    assert result.link is not None
    assert result.link.duplicate_of == 1
    assert result.link.kind == "near"
    assert result.link.similarity > 0.7


def test_syndicated_copy_with_dropped_and_added_paragraph_is_linked() -> None:
    dedup = Deduplicator()
    dedup.add(1, ORIGINAL, T0)
    paragraphs = (
        PARAGRAPHS[:2]
        + PARAGRAPHS[3:]
        + [
            "Additional reporting by our correspondent in the capital, who spoke to officials "
            "at the ministry of the interior on Tuesday afternoon."
        ]
    )
    result = dedup.add(2, cross_post("Marrow flooded", paragraphs), T0 + timedelta(days=1))
    assert result.link is not None and result.link.duplicate_of == 1


def test_copy_truncated_to_its_lead_is_linked_by_containment() -> None:
    dedup = Deduplicator()
    dedup.add(1, ORIGINAL, T0)
    result = dedup.add(2, cross_post("Marrow floods", PARAGRAPHS[:3]), T0 + timedelta(hours=3))
    assert result.link is not None and result.link.duplicate_of == 1
    assert result.link.containment > result.link.similarity


def test_same_topic_story_is_not_a_duplicate() -> None:
    dedup = Deduplicator()
    dedup.add(1, ORIGINAL, T0)
    result = dedup.add(2, SAME_TOPIC, T0 + timedelta(hours=1))
    assert result.link is None


def test_follow_up_that_reuses_the_story_and_adds_more_is_not_a_copy() -> None:
    dedup = Deduplicator()
    dedup.add(1, "\n\n".join(PARAGRAPHS[:3]), T0)
    follow_up = [
        *PARAGRAPHS[:3],
        "On Thursday the water began to fall, and residents returned to find mud in their "
        "kitchens, cars swept into the square and the old mill on the embankment destroyed.",
        "The mayor said the town would ask the government for emergency funds and that the "
        "clean-up would take months, starting with the school and the health centre.",
        "Insurers said they had received more than 900 claims by Friday morning and that "
        "assessors would visit the worst affected streets over the weekend.",
        "Engineers from the water company began checking the treatment works north of the "
        "town, and residents were told to boil tap water until further notice this week.",
    ]
    result = dedup.add(2, "\n\n".join(follow_up), T0 + timedelta(days=2))
    assert result.link is None


def test_earlier_original_arriving_late_takes_over_the_copies() -> None:
    dedup = Deduplicator()
    copy = cross_post("Selna floods Marrow", PARAGRAPHS)
    assert dedup.add(10, copy, T0 + timedelta(hours=6)).link is None
    result = dedup.add(11, ORIGINAL, T0)
    assert result.link is None
    assert [(r.doc_id, r.duplicate_of) for r in result.relinked] == [(10, 11)]
    link = dedup.link_of(10)
    assert link is not None and link.duplicate_of == 11


def test_same_time_copies_link_to_the_lower_id() -> None:
    dedup = Deduplicator()
    dedup.add(7, ORIGINAL, None)
    result = dedup.add(5, ORIGINAL, None)
    assert result.link is None
    assert [(r.doc_id, r.duplicate_of) for r in result.relinked] == [(7, 5)]


def test_short_texts_are_only_checked_for_exact_copies() -> None:
    dedup = Deduplicator()
    dedup.add(1, "Explosion reported near the port.", T0)
    assert dedup.add(2, "Explosion reported near the airport.", T0).link is None
    exact = dedup.add(3, "Explosion reported near the port.", T0 + timedelta(minutes=1)).link
    assert exact is not None and exact.duplicate_of == 1


def test_signature_survives_bytes_round_trip(hasher: MinHasher) -> None:
    signature = hasher.sign(ORIGINAL)
    restored = Signature.from_bytes(signature.to_bytes())
    assert restored.size == signature.size
    assert restored.similarity(signature) == (1.0, 1.0, 1.0)


def test_garbage_bytes_are_refused() -> None:
    with pytest.raises(InputError):
        Signature.from_bytes(b"not a signature at all")


def test_index_rebuilt_from_bytes_finds_the_same_copies(hasher: MinHasher) -> None:
    rows = [
        (1, hasher.sign(ORIGINAL).to_bytes(), T0),
        (2, hasher.sign(SAME_TOPIC).to_bytes(), T0),
    ]
    index = NearDuplicateIndex.rebuild(rows)
    assert len(index) == 2
    copy = hasher.sign(cross_post("Marrow under water", PARAGRAPHS))
    found = index.query(copy)
    assert [c.doc_id for c in found if index.is_copy(c.jaccard, c.contained, copy.size)] == [1]


def test_signature_from_other_settings_is_refused(hasher: MinHasher) -> None:
    other = MinHasher(DedupOptions(shingle_size=3)).sign(ORIGINAL)
    index = NearDuplicateIndex()
    with pytest.raises(InputError, match="other settings"):
        index.add(1, other, T0)


def test_russian_and_arabic_copies_are_linked() -> None:
    russian = (
        "Сильный дождь вызвал наводнение в нижних районах города во вторник утром, "
        "и главная дорога к побережью была перекрыта на несколько часов подряд.\n"
        "Региональная служба по чрезвычайным ситуациям сообщила, что около двух тысяч "
        "человек были переселены в школы и спортивные залы на возвышенности города."
    )
    arabic = (
        "تسببت الأمطار الغزيرة في فيضان النهر صباح الثلاثاء وغمرت المياه الأحياء المنخفضة "
        "من المدينة وقطعت الطريق الرئيسي المؤدي إلى الساحل لعدة ساعات متتالية اليوم.\n"
        "وقال مكتب الطوارئ الإقليمي إن نحو ألفي شخص نقلوا إلى المدارس والقاعات الرياضية "
        "في المناطق المرتفعة وإن جسرين أغلقا كإجراء احترازي حتى إشعار آخر."
    )
    dedup = Deduplicator()
    dedup.add(1, russian, T0)
    dedup.add(2, arabic, T0)
    ru_copy = dedup.add(3, "Новости региона\n" + russian + "\nПоделиться", T0 + timedelta(hours=1))
    ar_copy = dedup.add(4, "أخبار\n" + arabic + "\nشارك", T0 + timedelta(hours=1))
    assert ru_copy.link is not None and ru_copy.link.duplicate_of == 1
    assert ar_copy.link is not None and ar_copy.link.duplicate_of == 2

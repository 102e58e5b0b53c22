"""Instructions per report of the Python stages, counted by valgrind's callgrind.

This machine's speed drifts by a factor of 1.5-2 within an hour, more than most
changes to the parsers move the CPU seconds of `xxgk bench`. The number of
instructions a workload executes does not drift: the same code on the same input
gives the same count whatever else the machine is doing. So two versions of the
code are compared by their counts here, and by `xxgk bench` for the whole job.

A synthetic corpus (synth.py, a fixed seed) is read by a child process under
callgrind, which runs the stages over every report once and then twice more:
the count of the two passes more, divided by 2 × reports, is the steady cost per
report (caches warm, as in a worker on its second batch); the first pass, less the
child's start, also counts what is warmed once (the converter's dictionaries,
cached labels). The stages are cumulative: text (decoding, rendering HTML and
spreadsheets), normalize, parse, tables (landing columns, identities, Arrow),
and each one's cost is its run's count less the run of the stage before. The
last, parts, runs the pipeline's own normalize and parse steps on the files
(pipeline.normalize_new and parse_new, in process): its cost over tables is what
a real run adds, reading the files, writing and reading the Parquet parts.

    xxgk instructions [--reports 200] [--out FILE]
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

STAGES = ("start", "text", "normalize", "parse", "tables", "parts")   # "start": the child reading the files, no stage
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def list_files_ok(corpus: Path):
    """The corpus's readable files, with their bytes: (RawDocument, bytes)."""
    from .ingest import describe, list_files
    return (d for d in map(describe, list_files([corpus])) if d[0].ok)


def run_stages(corpus: Path, until: str, passes: int) -> int:
    """The child's workload: every readable file of the corpus through the stages up to
    `until`, `passes` times. Returns the number of reports (for parts: that the steps parsed)."""
    from .extract import document_text, parse_normalized
    from .model import Report
    from .normalize import normalize
    from .pipeline import report_tables
    docs = list(list_files_ok(corpus))
    depth = STAGES.index(until)
    if until == "parts":
        return _run_steps(docs, passes)
    was_enabled = gc.isenabled()
    gc.disable()                       # as in a batch (pipeline._without_gc)
    try:
        for _ in range(passes if depth else 0):
            texts = [document_text(d, b) for d, b in docs]
            if depth >= 2:
                norms = [normalize(t) for t, _ in texts]
            if depth >= 3:
                reports = [parse_normalized(Report(doc=d.name, sha256=d.sha256), n, o)
                           for (d, _), n, (_, o) in zip(docs, norms, texts)]
            if depth >= 4:
                report_tables(reports)
    finally:
        if was_enabled:
            gc.enable()
    return len(docs)


def _run_steps(docs, passes: int) -> int:
    """The pipeline's normalize and parse steps on the files, each pass into a new warehouse.
    Returns the number of reports the last pass parsed."""
    import dataclasses

    import pandas as pd

    from .pipeline import Store, normalize_new, parse_new
    rows = pd.DataFrame([{"doc_id": d.sha256, **dataclasses.asdict(d)} for d, _ in docs])
    for _ in range(passes):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp))
            normalize_new(rows, store, workers=1)
            parsed = parse_new(store, workers=1)["parsed"]
    return parsed


def count(corpus: Path, until: str, passes: int) -> int:
    """Instructions callgrind counts for the child's whole run."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/callgrind.out",
               sys.executable, "-m", "xxgk.instructions", "--child", until, str(passes), str(corpus)]
        # a fixed hash seed: string hashes order sets and dicts, and so move the count by about 1%
        p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    m = _COLLECTED.search(p.stderr)
    if p.returncode != 0 or not m:
        raise RuntimeError(f"callgrind run failed ({until}, {passes} passes): {p.stderr[-800:]}")
    return int(m.group(1))


def measure(corpus: Path, workers: int = 2, progress=print) -> dict:
    """Per stage: instructions per report in a steady pass and in the first one."""
    n = sum(1 for _ in list_files_ok(corpus))
    runs = [(s, p) for s in STAGES for p in ((1,) if s == "start" else (1, 3))]
    with ThreadPoolExecutor(workers) as pool:
        counts = dict(zip(runs, pool.map(lambda r: count(corpus, *r), runs)))
    progress(f"{len(runs)} runs under callgrind done")
    out, prev_steady, prev_first = {}, 0.0, float(counts[("start", 1)])
    for s in STAGES[1:]:
        steady = (counts[(s, 3)] - counts[(s, 1)]) / 2
        first = counts[(s, 1)]
        out[s] = {"steady_per_report": round((steady - prev_steady) / n),
                  "first_pass_per_report": round((first - prev_first) / n)}
        prev_steady, prev_first = steady, first
    return {"reports": n, "stages": out, "counts": {f"{s}x{p}": c for (s, p), c in counts.items()}}


def report_lines(res: dict) -> list[str]:
    lines = [f"{res['reports']} readable synthetic documents; instructions per report (callgrind)",
             f"{'stage':<10} {'steady':>12} {'first pass':>12}"]
    for s, v in res["stages"].items():
        lines.append(f"{s:<10} {v['steady_per_report']:>12,} {v['first_pass_per_report']:>12,}")
    total = sum(v["steady_per_report"] for v in res["stages"].values())
    lines.append(f"{'all':<10} {total:>12,}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="xxgk instructions", description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", help="also write the figures to this JSON file")
    ap.add_argument("--child", nargs=3, metavar=("UNTIL", "PASSES", "CORPUS"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        run_stages(Path(a.child[2]), a.child[0], int(a.child[1]))
        return 0
    if not shutil.which("valgrind"):
        print("valgrind not found: install Debian's valgrind package (apt-get install valgrind)", file=sys.stderr)
        return 2
    from .synth import generate
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp, a.reports, seed=a.seed, workers=1).unlink()   # the truth is not a document
        res = measure(Path(tmp))
    res["seconds"] = round(time.perf_counter() - t, 1)
    print("\n".join(report_lines(res)))
    if a.out:
        Path(a.out).write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

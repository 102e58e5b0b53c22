"""Command line: `xxgk extract PATH...` prints one FIGURES.md JSON object per report."""
from __future__ import annotations

import argparse
import importlib
import json
import sys


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract import extract_paths, parse_failure
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    n = rejected = failed = 0
    for doc, report in extract_paths(args.paths, workers=args.workers):
        if not doc.ok:
            rejected += 1
            print(f"rejected {doc.name}: {doc.reason}", file=sys.stderr)
            continue
        if (why := parse_failure(report)) is not None:
            failed += 1
            print(f"{doc.name}: {why}", file=sys.stderr)
        row = report.to_figures_json()
        if args.details:
            row = report.to_dict()
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    print(f"{n} reports extracted ({failed} of them with a parse error, kept with what was read), "
          f"{rejected} files rejected", file=sys.stderr)
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    """Scan, normalize, parse and load a corpus into the warehouse's raw schema (no Dagster, no dbt)."""
    import duckdb

    from . import pipeline as P
    store = P.Store(args.warehouse)
    log = (lambda m: print(m, file=sys.stderr))
    docs = P.scan_documents(args.corpus, store)
    log(f"scanned {len(docs)} files ({int((docs['status'] != 'ok').sum())} rejected)")
    log(f"normalize: {P.normalize_new(docs, store, args.workers, progress=log)}")
    log(f"parse: {P.parse_new(store, args.workers, progress=log)}")
    with duckdb.connect(str(store.database)) as con:
        log(f"loaded: {P.load_landing(con, docs, store)}")
    return 0


# Commands whose module defines and reads its own options (each also runs as `python -m <module>`).
_OWN_OPTIONS = {"instructions": "xxgk.instructions", "fuzz": "xxgk.fuzz"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in _OWN_OPTIONS:
        return importlib.import_module(_OWN_OPTIONS[argv[0]]).main(argv[1:])
    ap = argparse.ArgumentParser(prog="xxgk", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("extract", help="parse report files or folders and print figures as JSON lines")
    ex.add_argument("paths", nargs="+")
    ex.add_argument("-o", "--output", help="write to this file instead of standard output")
    ex.add_argument("--workers", type=int, default=None, help="parallel processes (default: cores)")
    ex.add_argument("--details", action="store_true", help="print every cell with provenance, not only figures")
    ex.set_defaults(func=cmd_extract)
    ld = sub.add_parser("load", help="scan, normalize, parse and load a corpus into DuckDB's raw schema")
    ld.add_argument("corpus")
    ld.add_argument("--warehouse", default="warehouse", help="folder of the DuckDB file and parts")
    ld.add_argument("--workers", type=int, default=2)
    ld.set_defaults(func=cmd_load)
    bn = sub.add_parser("bench", help="generate a synthetic corpus, run the pipeline on it, print figures per stage")
    bn.add_argument("--reports", type=int, default=20000)
    bn.add_argument("--out", default="bench_out", help="folder of the JSON figures (and the run's work files)")
    bn.add_argument("--executor", choices=("in_process", "multiprocess"), default="in_process",
                    help="Dagster executor (multiprocess: one process per step, shards in parallel)")
    bn.add_argument("--shards", type=int, default=None,
                    help="normalize/parse steps (default: 1 in process, --workers with multiprocess)")
    bn.add_argument("--workers", type=int, default=2)
    bn.add_argument("--no-incremental", action="store_true", help="skip the runs with nothing new and 10 new")
    bn.add_argument("--no-reparse", action="store_true", help="skip the re-parse under a changed parser version")
    bn.add_argument("--until", choices=("load", "publish"), default="publish",
                    help="load: only ingest, normalize, parse and load raw.* (no dbt, checks, publish)")
    bn.add_argument("--keep", action="store_true", help="keep the corpus and warehouse in <out>/work_N")
    bn.set_defaults(func=lambda a: __import__("xxgk.bench", fromlist=["main"]).main(a))
    for name, module in _OWN_OPTIONS.items():           # listed here, with the first line of the module's docstring
        sub.add_parser(name, help=importlib.import_module(module).__doc__.split("\n")[0], add_help=False)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

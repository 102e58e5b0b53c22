"""The pipeline's stages as plain functions; Dagster assets only call these.

    scan_documents   every file of the corpus → one row each (hash, kind, encoding, status, reason)
    normalize_new    files not yet normalized → Parquet parts of normalized text
    parse_new        normalized documents not yet parsed → Parquet parts of reports, cells, checks
    load_landing     the current documents' parts → DuckDB schema `raw`, which dbt reads

Work is tracked by content hash and by the normalizer's and parser's version, so
a re-run does only what is new or changed, and nothing parsed is lost. Parts
are written by worker processes in batches; only load_landing opens the DuckDB
file, so parse workers never contend for its single writer.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from . import identities
from .extract import PARSER_VERSION, document_text, match_attachments, parse_normalized
from .ingest import RawDocument, describe, list_files
from .model import Report
from .normalize import Normalized, normalize

NORMALIZER_VERSION = "1"
BATCH_SIZE = 500
Progress = Callable[[str], None]


@dataclass
class Store:
    """Where a warehouse keeps its parts and its DuckDB file."""
    root: Path

    def __post_init__(self):
        self.root = Path(self.root)

    @property
    def database(self) -> Path:
        return self.root / "xxgk.duckdb"

    @property
    def analytics_database(self) -> Path:
        return self.root / "xxgk_analytics.duckdb"

    def parts(self, kind: str) -> Path:
        version = NORMALIZER_VERSION if kind == "normalized" else PARSER_VERSION
        d = self.root / "parts" / f"{kind}_v{version}"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def done_ids(self, kind: str) -> set[str]:
        files = sorted(self.parts(kind).glob("*.parquet"))
        if not files:
            return set()
        import duckdb
        rows = duckdb.sql(f"select distinct doc_id from read_parquet({[str(f) for f in files]!r})").fetchall()
        return {r[0] for r in rows}


# ---- scan ---------------------------------------------------------------------

def scan_documents(corpus: str | Path) -> pd.DataFrame:
    docs = [describe(p)[0] for p in list_files([corpus])]
    df = pd.DataFrame([d.__dict__ for d in docs], columns=list(RawDocument.__dataclass_fields__))
    df.insert(0, "doc_id", df["sha256"])
    return df


# ---- batches in worker processes -------------------------------------------

def _batches(rows: list, size: int) -> list[list]:
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def _run_batches(fn, batches: list, workers: int, progress: Progress | None, what: str) -> list[dict]:
    results: list[dict] = []
    if workers <= 1 or len(batches) <= 1:
        it = map(fn, batches)
        pool = None
    else:
        pool = ProcessPoolExecutor(min(workers, len(batches)))
        it = pool.map(fn, batches)
    try:
        for i, r in enumerate(it, 1):
            results.append(r)
            if progress:
                progress(f"{what}: batch {i}/{len(batches)} done ({r.get('n', 0)} documents)")
    finally:
        if pool:
            pool.shutdown()
    return results


def _write(df: pd.DataFrame, folder: Path, name: str) -> None:
    tmp = folder / f".{name}.tmp"
    df.to_parquet(tmp, index=False)
    os.replace(tmp, folder / name)     # a part appears whole or not at all


# ---- normalize ----------------------------------------------------------------

NORMALIZED_COLUMNS = ["doc_id", "name", "kind", "status", "reason", "text", "origin",
                      "simplified", "pinyin_removed", "duplicate_removed", "notes"]


def _normalize_batch(args: tuple[list[dict], str]) -> dict:
    rows, folder = args
    out = []
    for r in rows:
        rec = {"doc_id": r["doc_id"], "name": r["name"], "kind": r["kind"], "status": "ok", "reason": "",
               "text": "", "origin": "", "simplified": False, "pinyin_removed": 0, "duplicate_removed": False, "notes": ""}
        try:
            doc = RawDocument(**{k: r[k] for k in RawDocument.__dataclass_fields__})
            text, origin = document_text(doc, Path(r["path"]).read_bytes())
            n = normalize(text)
            rec.update(text=n.text, origin=json.dumps(origin, ensure_ascii=False) if origin else "",
                       simplified=n.simplified, pinyin_removed=n.pinyin_removed,
                       duplicate_removed=n.duplicate_removed, notes="; ".join(n.notes))
        except Exception as e:   # unreadable despite its kind: keep the row with the reason
            rec.update(status="rejected", reason=f"{r['kind']} could not be read: {type(e).__name__}: {e}"[:500])
        out.append(rec)
    _write(pd.DataFrame(out, columns=NORMALIZED_COLUMNS), Path(folder), f"part-{uuid.uuid4().hex}.parquet")
    return {"n": len(out), "rejected": sum(o["status"] != "ok" for o in out)}


def normalize_new(docs: pd.DataFrame, store: Store, workers: int = 2, batch_size: int = BATCH_SIZE,
                  progress: Progress | None = None) -> dict:
    """Normalize the readable documents whose content has not been normalized yet."""
    done = store.done_ids("normalized")
    todo = docs[(docs["status"] == "ok") & ~docs["doc_id"].isin(done)].drop_duplicates("doc_id")
    batches = [(b, str(store.parts("normalized"))) for b in _batches(todo.to_dict("records"), batch_size)]
    t = time.perf_counter()
    res = _run_batches(_normalize_batch, batches, workers, progress, "normalize")
    return {"normalized": len(todo), "already_done": int(docs["doc_id"].isin(done).sum()),
            "rejected": sum(r["rejected"] for r in res), "seconds": round(time.perf_counter() - t, 2)}


# ---- parse --------------------------------------------------------------------

def report_frames(reports: Iterable[Report]) -> dict[str, pd.DataFrame]:
    """Reports as the landing tables' rows (long format: one row per cell)."""
    reps, cells, checks, atts = [], {k: [] for k in CELL_COLUMNS}, [], []
    for r in reports:
        doc_id = r.sha256
        reps.append({"doc_id": doc_id, "doc": r.doc, "report_year": r.report_year, "agency": r.agency,
                     "template": r.template, "publish_date": r.publish_date, "scope": r.scope,
                     "province": r.province, "city": r.city, "county": r.county, "region_code": r.region_code,
                     "is_report": r.is_report, "n_cells": len(r.cells), "n_figures": len(r.figures()),
                     "notes": "; ".join(r.notes), "parser_version": PARSER_VERSION})
        for c in r.cells:
            for k, v in (("doc_id", doc_id), ("table_name", c.table), ("row_key", c.row), ("col_key", c.col),
                         ("figure_key", c.key), ("value", c.value), ("status", c.status), ("raw", c.raw),
                         ("source", c.source), ("method", c.method), ("mapped", c.mapped), ("note", c.note)):
                cells[k].append(v)
        for row in identities.evaluate(r) + _text_vs_table(r):
            row["doc_id"] = doc_id
            checks.append(row)
        for a in r.attachments:
            atts.append({"doc_id": doc_id, "doc": r.doc, **a})
    return {"reports": _typed(pd.DataFrame(reps, columns=REPORT_COLUMNS), {"report_year": "Int64", "n_cells": "int64",
                                                                          "n_figures": "int64", "is_report": "bool"}),
            "cells": _typed(pd.DataFrame(cells, columns=CELL_COLUMNS), {"value": "float64", "mapped": "bool"}),
            "checks": _typed(pd.DataFrame(checks, columns=CHECK_COLUMNS), {"lhs": "float64", "rhs": "float64"}),
            "attachments": _typed(pd.DataFrame(atts, columns=ATTACHMENT_COLUMNS), {})}


def _typed(df: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """Explicit column types, so a part whose column is all empty still has its type."""
    return df.astype({c: types.get(c, "string") for c in df.columns})


REPORT_COLUMNS = ["doc_id", "doc", "report_year", "agency", "template", "publish_date", "scope", "province",
                  "city", "county", "region_code", "is_report", "n_cells", "n_figures", "notes", "parser_version"]
CELL_COLUMNS = ["doc_id", "table_name", "row_key", "col_key", "figure_key", "value", "status", "raw",
                "source", "method", "mapped", "note"]
CHECK_COLUMNS = ["doc_id", "doc", "identity", "rule", "description", "severity", "lhs", "rhs", "status", "missing"]
ATTACHMENT_COLUMNS = ["doc_id", "doc", "name", "status", "path"]


def _text_vs_table(report: Report) -> list[dict]:
    try:
        from .consistency import text_vs_table
    except ImportError:
        return []
    return text_vs_table(report)


def _parse_batch(args: tuple[list[str], str, str]) -> dict:
    files, normalized_folder, folder = args
    import duckdb
    df = duckdb.sql(f"select * from read_parquet({files!r}) where status = 'ok'").df()
    reports = []
    for r in df.itertuples(index=False):
        norm = Normalized(text=r.text, simplified=r.simplified, pinyin_removed=r.pinyin_removed,
                          duplicate_removed=r.duplicate_removed, notes=[n for n in r.notes.split("; ") if n])
        origin = {int(k): v for k, v in json.loads(r.origin).items()} if r.origin else None
        reports.append(parse_normalized(Report(doc=r.name, sha256=r.doc_id), norm, origin))
    part = Path(files[0]).name          # named after its normalized part: a re-parse overwrites it
    frames = report_frames(reports)
    for name in ("cells", "checks", "attachments", "reports"):   # reports last: it marks the part done
        _write(frames[name], Path(folder) / name, part)
    return {"n": len(reports)}


def parse_new(store: Store, workers: int = 2, progress: Progress | None = None) -> dict:
    """Parse every normalized part this parser version has not parsed yet.

    A parsed part has its normalized part's name, so the parts done are known
    by name alone and a part parsed again (after a crash) is overwritten."""
    parsed = store.parts("parsed")
    for sub in ("reports", "cells", "checks", "attachments"):
        (parsed / sub).mkdir(exist_ok=True)
    done = {f.name for f in (parsed / "reports").glob("*.parquet")}
    todo = [str(f) for f in sorted(store.parts("normalized").glob("*.parquet")) if f.name not in done]
    t = time.perf_counter()
    batches = [([f], str(store.parts("normalized")), str(parsed)) for f in todo]
    res = _run_batches(_parse_batch, batches, workers, progress, "parse")
    return {"parsed": sum(r["n"] for r in res), "parts": len(todo), "seconds": round(time.perf_counter() - t, 2)}


# ---- load ---------------------------------------------------------------------

LANDING_TABLES = ("documents", "normalized", "reports", "cells", "checks", "attachments", "template_keys")


def template_keys() -> pd.DataFrame:
    """templates.py as a table, so the warehouse's labels come from the one definition."""
    from . import templates as T
    rows = []
    groups = (("applications", "row", T.APPLICATION_ROWS), ("applications", "column", T.APPLICANT_COLUMNS),
              ("reviews", "row", T.REVIEW_GROUPS), ("reviews", "column", T.REVIEW_COLUMNS),
              ("applications", "row", T.OLD_APPLICATION_ROWS), ("reviews", "row", T.OLD_REVIEW_ROWS))
    for table, kind, keys in groups:
        for pos, k in enumerate(keys, 1):
            rows.append({"table_name": table, "kind": kind, "key": k.key, "label_zh": k.label,
                         "outcome_group": k.group or None, "templates": ",".join(k.templates), "position": pos})
    return pd.DataFrame(rows)


def load_landing(con, docs: pd.DataFrame, store: Store) -> dict[str, int]:
    """Replace the `raw` schema with the current corpus's documents and their parts."""
    con.execute("create schema if not exists raw").fetchall()
    con.register("docs_df", docs)
    con.execute("create or replace table raw.documents as select * from docs_df").fetchall()
    con.unregister("docs_df")
    norm = sorted(str(f) for f in store.parts("normalized").glob("*.parquet"))
    _replace(con, "normalized", norm, "doc_id, name, kind, status, reason, simplified, pinyin_removed, "
                                      "duplicate_removed, notes, length(text) as text_chars")
    for kind in ("reports", "cells", "checks", "attachments"):
        files = sorted(str(f) for f in (store.parts("parsed") / kind).glob("*.parquet"))
        _replace(con, kind, files, "*")
    _refresh_attachments(con)
    _attachment_checks(con)
    keys = template_keys()
    con.register("keys_df", keys)
    con.execute("create or replace table raw.template_keys as select * from keys_df").fetchall()
    con.unregister("keys_df")
    return {t: con.execute(f"select count(*) from raw.{t}").fetchall()[0][0] for t in LANDING_TABLES}


def _replace(con, table: str, files: list[str], columns: str) -> None:
    """raw.<table> from parts, only for documents still in the corpus."""
    if not files:
        con.execute(f"create or replace table raw.{table} as select * from ({_EMPTY[table]}) where false").fetchall()
        return
    con.execute(f"""create or replace table raw.{table} as
                    select {columns} from read_parquet({files!r}, union_by_name = true)
                    where doc_id in (select doc_id from raw.documents)""").fetchall()


_EMPTY = {
    "normalized": "select ''::varchar doc_id, ''::varchar name, ''::varchar kind, ''::varchar status, ''::varchar reason, "
                  "false simplified, 0 pinyin_removed, false duplicate_removed, ''::varchar notes, 0 text_chars",
    "reports": "select " + ", ".join(f"null::{'int' if c in ('report_year', 'n_cells', 'n_figures') else 'boolean' if c == 'is_report' else 'varchar'} {c}" for c in REPORT_COLUMNS),
    "cells": "select " + ", ".join(f"null::{'double' if c == 'value' else 'boolean' if c == 'mapped' else 'varchar'} {c}" for c in CELL_COLUMNS),
    "checks": "select " + ", ".join(f"null::{'double' if c in ('lhs', 'rhs') else 'varchar'} {c}" for c in CHECK_COLUMNS),
    "attachments": "select " + ", ".join(f"null::varchar {c}" for c in ATTACHMENT_COLUMNS),
}


def _attachment_checks(con) -> None:
    """Where a page and its attachment both give a table, each figure both state
    is compared: both are kept, a disagreement fails `page_vs_attachment`."""
    con.execute("""
        insert into raw.checks
        select page.doc_id, r.doc, 'page_vs_attachment.' || page.figure_key, 'page_vs_attachment',
               'the page and its attachment ' || a.name || ' state the same figure', 'soft',
               page.value, att.value,
               case when page.value = att.value then 'pass' else 'fail' end, ''
        from raw.attachments a
        join raw.reports r on r.doc_id = a.doc_id
        join raw.documents d on d.path = a.path
        join raw.cells page on page.doc_id = a.doc_id
        join raw.cells att on att.doc_id = d.doc_id and att.figure_key = page.figure_key
        where a.status = 'found' and d.doc_id <> a.doc_id
          and page.method = 'table' and att.method = 'table' and page.mapped and att.mapped
          and page.status <> 'empty' and att.status <> 'empty'""").fetchall()


def _refresh_attachments(con) -> None:
    """An attachment's status depends on the whole corpus, so it is decided at load."""
    con.execute("""
        create or replace table raw.attachments as
        select a.doc_id, a.doc, a.name,
               case when d.path is not null then 'found' else 'missing' end as status,
               coalesce(d.path, '') as path
        from raw.attachments a
        left join (select name, min(path) as path from raw.documents group by name) d
          on d.name = a.name or d.name like '%' || a.name""").fetchall()



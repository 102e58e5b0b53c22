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

import functools
import gc
import hashlib
import json
import operator
import os
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from . import identities
from .extract import (NORMALIZER_VERSION, PARSER_VERSION, document_text, match_attachments, parse_failure,
                      parse_normalized)
from .ingest import RawDocument, describe, list_files
from .model import EMPTY, PROSE, Report, cell_ids, record_flags_of_batch
from .normalize import Normalized, normalize

BATCH_SIZE = 500
# Progress messages a stage sends at most (and one at its end): each is an event in Dagster's
# log, written by the run's process while the workers parse (half a CPU-second a stage at
# one a batch of 20,000 documents).
PROGRESS_REPORTS = 10
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

SCAN_CACHE = "scan_cache.parquet"


def scan_documents(corpus: str | Path, store: "Store | None" = None) -> pd.DataFrame:
    """One row per file. With a store, a file whose path, size and modification time are
    those of the previous scan keeps its row without being read again (its hash included)."""
    files = list_files([corpus])
    fields = list(RawDocument.__dataclass_fields__)
    cache: dict[str, tuple] = {}          # path -> (*fields, mtime_ns)
    cache_file = store.root / SCAN_CACHE if store else None
    if cache_file and cache_file.exists():
        old = pd.read_parquet(cache_file)
        at_path = fields.index("path")
        cache = {row[at_path]: row for row in zip(*(old[c].tolist() for c in [*fields, "mtime_ns"]))}
    at_size = fields.index("size")
    rows, stamps = [], []
    for p in files:
        st = p.stat()
        hit = cache.get(str(p))
        if hit is not None and hit[at_size] == st.st_size and hit[-1] == st.st_mtime_ns:
            row = hit[:-1]
        else:
            d = describe(p)[0].__dict__
            row = tuple(d[k] for k in fields)
        rows.append(row)
        stamps.append(st.st_mtime_ns)
    df = pd.DataFrame(rows, columns=fields)
    df.insert(0, "doc_id", df["sha256"])
    if cache_file:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        write_parquet(df.assign(mtime_ns=stamps), cache_file.parent, cache_file.name)
    return df


def shard_of(key: str, shards: int) -> int:
    """Which of `shards` parallel workers owns a document (by content hash) or a part (by name)."""
    if shards <= 1:
        return 0
    h = key if len(key) >= 8 and all(c in "0123456789abcdef" for c in key[:8]) else hashlib.md5(key.encode()).hexdigest()
    return int(h[:8], 16) % shards


def in_set(values: Iterable, members: set, negate: bool = False) -> list[bool]:
    """Whether each value is (negate: is not) in members, as a mask. Through a Python set:
    pandas' isin on Arrow-backed strings took 1.2 s for 100,000 document ids."""
    return [(v in members) != negate for v in values]


# ---- batches in worker processes -------------------------------------------

def _batches(rows: list, size: int) -> list[list]:
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def _worker_gc() -> None:
    gc.freeze()   # a forked worker inherits its parent's heap (Dagster, dbt, pandas), never to be collected


def _without_gc(fn, batch):
    """fn(batch) with the cycle collector paused, then one collection. A batch's many small
    objects live until it ends: collecting as they pile up traversed them again and again
    (a tenth of a parse). They hold almost no cycles, so memory still follows the batch.
    Nothing was collected during the batch, so nothing it made left the youngest generation:
    collecting that one finds its cycles without walking the rest of the heap (in the
    Dagster process, where a batch runs when it is the only one, a full collection takes
    0.2-0.4 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return fn(batch)
    finally:
        gc.collect(0)
        if was_enabled:
            gc.enable()


def _run_batches(fn, batches: list, workers: int, progress: Progress | None, what: str,
                 warm_up: Callable[[], None] | None = None) -> list[dict]:
    """fn over the batches, in forked workers when there are several. warm_up loads, before
    the workers are forked, what each of them would otherwise load for itself."""
    results: list[dict] = []
    task = functools.partial(_without_gc, fn)
    if workers <= 1 or len(batches) <= 1:
        it = map(task, batches)
        pool = None
    else:
        if warm_up:
            warm_up()
        pool = ProcessPoolExecutor(min(workers, len(batches)), initializer=_worker_gc)
        it = pool.map(task, batches)
    every = max(1, len(batches) // PROGRESS_REPORTS)
    try:
        for i, r in enumerate(it, 1):
            results.append(r)
            if progress and (i % every == 0 or i == len(batches)):
                done = sum(x.get("n", 0) for x in results)
                progress(f"{what}: batch {i}/{len(batches)} done ({done} documents so far)")
    finally:
        if pool:
            pool.shutdown()
    return results


# Columns whose every value differs: a dictionary page would only repeat them.
_UNIQUE_COLUMNS = frozenset({"cell_id", "text"})


def write_parquet(data: "pd.DataFrame | pa.Table", folder: Path, name: str) -> None:
    """A part, written whole. No column statistics: every part is read whole, so none would
    be used, and computing them (min and max of every string column) was a quarter of
    the writing; dictionaries only for columns whose values repeat. LZ4, not zstd: a
    sixth less time writing a batch's parts and a little less reading them, for parts
    three times the size (a batch's cells: 0.55 MB, not 0.16 MB)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    table = pa.Table.from_pandas(data, preserve_index=False) if isinstance(data, pd.DataFrame) else data
    tmp = folder / f".{name}.tmp"
    pq.write_table(table, tmp, compression="lz4", write_statistics=False,
                   use_dictionary=[c for c in table.column_names if c not in _UNIQUE_COLUMNS])
    os.replace(tmp, folder / name)     # a part appears whole or not at all


# ---- normalize ----------------------------------------------------------------

def _warm_up_normalizing() -> None:
    """The readers' libraries and the traditional-character pattern (0.1-0.2 s in each worker)."""
    import lxml.etree, python_calamine, xlrd  # noqa: E401,F401  (openpyxl reads only what calamine cannot)
    from .normalize import looks_traditional
    looks_traditional("")


def _warm_up_parsing() -> None:
    """cpca's division data (0.1 s in each worker), and the modules a parse imports when it
    first needs them (their patterns compiled once, not in each worker)."""
    from . import consistency, parse_old, prose  # noqa: F401
    from .regions import locate
    locate("北京市")


NORMALIZED_COLUMNS = ["doc_id", "name", "kind", "status", "reason", "text", "origin",
                      "simplified", "pinyin_removed", "duplicate_removed", "notes"]


def _read(path: str) -> bytes:
    """A file's bytes: unbuffered, without a Path (a quarter of Path.read_bytes's time)."""
    with open(path, "rb", buffering=0) as f:
        return f.readall()


def _normalize_batch(args: tuple[list[dict], str]) -> dict:
    rows, folder = args
    out = []
    for r in rows:
        rec = {"doc_id": r["doc_id"], "name": r["name"], "kind": r["kind"], "status": "ok", "reason": "",
               "text": "", "origin": "", "simplified": False, "pinyin_removed": 0, "duplicate_removed": False, "notes": ""}
        try:
            doc = RawDocument(**{k: r[k] for k in RawDocument.__dataclass_fields__})
            text, origin = document_text(doc, _read(r["path"]))
            n = normalize(text)
            rec.update(text=n.text, origin=json.dumps(origin, ensure_ascii=False) if origin else "",
                       simplified=n.simplified, pinyin_removed=n.pinyin_removed,
                       duplicate_removed=n.duplicate_removed, notes="; ".join(n.notes))
        except Exception as e:   # unreadable despite its kind: keep the row with the reason
            rec.update(status="rejected", reason=f"{r['kind']} could not be read: {type(e).__name__}: {e}"[:500])
        out.append(rec)
    write_parquet(_arrow([tuple(o[c] for c in NORMALIZED_COLUMNS) for o in out], NORMALIZED_COLUMNS, "normalized"),
                  Path(folder), f"part-{uuid.uuid4().hex}.parquet")
    return {"n": len(out), "rejected": sum(o["status"] != "ok" for o in out)}


def _records(frame: pd.DataFrame) -> list[dict]:
    """frame.to_dict("records"), a column at a time: pandas boxed every Arrow string one by
    one (0.3 s for 20,000 documents)."""
    columns = {c: frame[c].tolist() for c in frame.columns}
    return [dict(zip(columns, row)) for row in zip(*columns.values())]


def normalize_new(docs: pd.DataFrame, store: Store, workers: int = 2, batch_size: int = BATCH_SIZE,
                  progress: Progress | None = None, shard: tuple[int, int] | None = None) -> dict:
    """Normalize the readable documents whose content has not been normalized yet.
    shard=(i, k): only the documents of worker i of k (by content hash)."""
    if shard is not None:
        docs = docs[[shard_of(d, shard[1]) == shard[0] for d in docs["doc_id"]]]
    done = store.done_ids("normalized")
    is_done = pd.Series(in_set(docs["doc_id"], done), index=docs.index, dtype=bool)
    todo = docs[(docs["status"] == "ok") & ~is_done].drop_duplicates("doc_id")
    batches = [(b, str(store.parts("normalized"))) for b in _batches(_records(todo), batch_size)]
    t = time.perf_counter()
    res = _run_batches(_normalize_batch, batches, workers, progress, "normalize", _warm_up_normalizing)
    return {"normalized": len(todo), "already_done": int(is_done.sum()),
            "rejected": sum(r["rejected"] for r in res), "seconds": round(time.perf_counter() - t, 2)}


# ---- parse --------------------------------------------------------------------

def report_tables(reports: Iterable[Report]) -> dict[str, "pa.Table"]:
    """Reports as the landing tables' rows (long format: one row per cell), as Arrow tables.
    Built a column at a time: a batch holds a few hundred thousand cells."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    reports = list(reports)
    reps, atts = [], []
    cells: list = []
    counts: list[int] = []
    for r in reports:
        doc_id, n = r.sha256, len(r.cells)
        reps.append((doc_id, r.doc, r.report_year, r.agency, r.template, r.publish_date, r.scope, r.province, r.city,
                     r.county, r.region_code, r.is_report, n, 0, "; ".join(r.notes), PARSER_VERSION))
        cells.extend(r.cells)
        counts.append(n)
        atts.extend((doc_id, r.doc, a.get("name"), a.get("status"), a.get("path")) for a in r.attachments)
    cell_docs, ids = cell_ids([r[0] for r in reps], counts)
    struct = _cell_struct()
    read = pa.array(cells, struct) if cells else pa.StructArray.from_arrays(
        [pa.array([], f.type) for f in struct], fields=list(struct))
    cell_columns = dict(zip(struct.names, read.flatten()))
    # a dictionary: the keys are numbered once, for the cells of record, the identities and Parquet
    figure_keys = pc.dictionary_encode(_figure_keys(cell_columns["table_name"], cell_columns["row_key"],
                                                    cell_columns["col_key"]))
    owner = np.repeat(np.arange(len(reps)), counts)
    empty = pc.equal(cell_columns["status"], EMPTY).to_numpy(zero_copy_only=False)
    flags = record_flags_of_batch(owner, figure_keys.indices.to_numpy(),
                                  cell_columns["mapped"].to_numpy(zero_copy_only=False), empty, cell_columns["method"])
    cell_columns.update(cell_id=ids, doc_id=cell_docs, figure_key=figure_keys, is_record_cell=pa.array(flags))
    # the checks read in Python: the old format's identities, and prose against table where
    # a report has prose cells (few do: the search through every report's cells was a cost)
    with_prose = set(owner[pc.equal(cell_columns["method"], PROSE).to_numpy(zero_copy_only=False)].tolist())
    checks = []
    for i, r in enumerate(reports):
        found = [] if r.template in identities.GRID_TEMPLATES else identities.evaluate(r)
        if i in with_prose:
            found = found + _text_vs_table(r)
        checks.extend((r.sha256, *_CHECK_FIELDS(row)) for row in found)
    cells_table = pa.table({c: cell_columns[c] for c in CELL_COLUMNS})
    reports_table = _arrow(reps, REPORT_COLUMNS, "reports")
    reports_table = reports_table.set_column(     # a report's figures: its record cells that state a value
        REPORT_COLUMNS.index("n_figures"), "n_figures",
        pa.array(np.bincount(owner[flags & ~empty], minlength=len(reps)), _arrow_type("reports", "n_figures")))
    grid = identities.evaluate_grid(cells_table, reports_table)      # the new format's identities, all at once
    return {"reports": reports_table,
            "cells": cells_table,
            "checks": pa.concat_tables([grid, _arrow(checks, CHECK_COLUMNS, "checks").cast(grid.schema)]),
            "attachments": _arrow(atts, ATTACHMENT_COLUMNS, "attachments")}


def _figure_keys(tables: "pa.Array", rows: "pa.Array", cols: "pa.Array") -> "pa.Array":
    """templates.figure_key of every cell, made in Arrow: table.row.col, or table.row without a column."""
    import pyarrow.compute as pc
    no_col = pc.equal(cols, "")
    return pc.binary_join_element_wise(tables, rows, pc.if_else(no_col, None, cols), ".", null_handling="skip")


def _arrow(rows: list[tuple], columns: list[str], kind: str) -> "pa.Table":
    """Rows as an Arrow table with the landing table's column types (COLUMN_TYPES), so a
    part whose column is all empty still has its type."""
    import pyarrow as pa
    cols = list(zip(*rows)) if rows else [()] * len(columns)
    return pa.table({c: pa.array(list(v), type=_arrow_type(kind, c)) for c, v in zip(columns, cols)})


def _arrow_type(kind: str, column: str):
    import pyarrow as pa
    return getattr(pa, COLUMN_TYPES[kind].get(column, "string"))()


def report_frames(reports: Iterable[Report]) -> dict[str, pd.DataFrame]:
    """report_tables as pandas DataFrames."""
    return {k: t.to_pandas() for k, t in report_tables(reports).items()}


REPORT_COLUMNS = ["doc_id", "doc", "report_year", "agency", "template", "publish_date", "scope", "province",
                  "city", "county", "region_code", "is_report", "n_cells", "n_figures", "notes", "parser_version"]
# cell_id: model.cell_ids; is_record_cell: model.record_flags (record_flags_of_batch).
CELL_COLUMNS = ["cell_id", "doc_id", "table_name", "row_key", "col_key", "figure_key", "value", "status", "raw",
                "source", "method", "mapped", "is_record_cell", "note"]
CHECK_COLUMNS = ["doc_id", *identities.CHECK_FIELDS]
ATTACHMENT_COLUMNS = ["doc_id", "doc", "name", "status", "path"]
_CHECK_FIELDS = operator.itemgetter(*CHECK_COLUMNS[1:])
# landing column ← Cell field (cell_id, doc_id, is_record_cell come from the report)
_CELL_ATTRS = {"table": "table_name", "row": "row_key", "col": "col_key"}
# The Arrow type of each landing column that is not a string: the parts are written with
# these types and an empty landing table is created with their SQL equivalents.
COLUMN_TYPES = {
    "normalized": {"simplified": "bool_", "pinyin_removed": "int64", "duplicate_removed": "bool_"},
    "reports": {"report_year": "int64", "n_cells": "int64", "n_figures": "int64", "is_report": "bool_"},
    "cells": {"value": "float64", "mapped": "bool_", "is_record_cell": "bool_"},
    "checks": {"lhs": "float64", "rhs": "float64"},
    "attachments": {},
}
_SQL_TYPES = {"int64": "bigint", "float64": "double", "bool_": "boolean", "string": "varchar"}


def _cell_struct():
    """The landing columns of a Cell's fields, in its order: Arrow reads the tuples into it."""
    import pyarrow as pa
    from .model import Cell
    names = [_CELL_ATTRS.get(f, f) for f in Cell._fields]
    return pa.struct([(n, _arrow_type("cells", n)) for n in names])


def _text_vs_table(report: Report) -> list[dict]:
    try:
        from .consistency import text_vs_table
    except ImportError:
        return []
    return text_vs_table(report)


def _parse_batch(args: tuple[list[str], str, str]) -> dict:
    files, normalized_folder, folder = args
    import pyarrow.parquet as pq
    d = _concat_pydict([pq.read_table(f, columns=_PARSE_INPUT).to_pydict() for f in files])
    reports = []
    for i in range(len(d["doc_id"])):
        if d["status"][i] != "ok":
            continue
        notes = d["notes"][i]
        norm = Normalized(text=d["text"][i], simplified=bool(d["simplified"][i]), pinyin_removed=d["pinyin_removed"][i],
                          duplicate_removed=bool(d["duplicate_removed"][i]), notes=[n for n in notes.split("; ") if n])
        origin = {int(k): v for k, v in json.loads(d["origin"][i]).items()} if d["origin"][i] else None
        reports.append(parse_normalized(Report(doc=d["name"][i], sha256=d["doc_id"][i]), norm, origin))
    part = Path(files[0]).name          # named after its normalized part: a re-parse overwrites it
    tables = report_tables(reports)
    for name in ("cells", "checks", "attachments", "reports"):   # reports last: it marks the part done
        write_parquet(tables[name], Path(folder) / name, part)
    return {"n": len(reports), "failed": sum(parse_failure(r) is not None for r in reports)}


_PARSE_INPUT = ["doc_id", "name", "status", "text", "origin", "simplified", "pinyin_removed", "duplicate_removed", "notes"]


def _concat_pydict(ds: list[dict]) -> dict:
    return {k: [v for d in ds for v in d[k]] for k in ds[0]} if ds else {}


def parse_todo(store: Store, shard: tuple[int, int] | None = None) -> list[Path]:
    """Normalized parts this parser version has not parsed. shard=(i, k): those of worker i of k,
    dealt by position among all the normalized parts (so shards stay even, and fixed during a run)."""
    done = {f.name for f in (store.parts("parsed") / "reports").glob("*.parquet")}
    parts = sorted(store.parts("normalized").glob("*.parquet"))
    return [f for n, f in enumerate(parts) if f.name not in done and (shard is None or n % shard[1] == shard[0])]


def parse_new(store: Store, workers: int = 2, progress: Progress | None = None,
              shard: tuple[int, int] | None = None) -> dict:
    """Parse every normalized part this parser version has not parsed yet.

    A parsed part has its normalized part's name, so the parts done are known
    by name alone and a part parsed again (after a crash) is overwritten.
    shard=(i, k): only the parts of worker i of k (parse_todo)."""
    parsed = store.parts("parsed")
    for sub in ("reports", "cells", "checks", "attachments"):
        (parsed / sub).mkdir(exist_ok=True)
    todo = [str(f) for f in parse_todo(store, shard)]
    t = time.perf_counter()
    batches = [([f], str(store.parts("normalized")), str(parsed)) for f in todo]
    res = _run_batches(_parse_batch, batches, workers, progress, "parse", _warm_up_parsing)
    return {"parsed": sum(r["n"] for r in res), "parse_failed": sum(r["failed"] for r in res), "parts": len(todo),
            "seconds": round(time.perf_counter() - t, 2)}


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
    """Bring the `raw` schema to the current corpus's documents and their parts.

    Incremental: each raw table records the part each row came from (column
    `part`, and raw._parts with the part's size and mtime), so a load inserts
    the parts it has not loaded and deletes the rows of parts gone or rewritten
    (a parser change puts every part in a new folder). When the corpus lost a
    document, or regained one whose part is already loaded, or the tables'
    columns are not the parts' columns, every table is loaded again from its parts."""
    con.execute("create schema if not exists raw").fetchall()
    con.register("docs_df", docs)
    con.execute("create or replace table raw.documents as select * from docs_df").fetchall()
    con.unregister("docs_df")
    parts = {"normalized": sorted(store.parts("normalized").glob("*.parquet"))}
    for kind in ("reports", "cells", "checks", "attachments"):
        parts[kind] = sorted((store.parts("parsed") / kind).glob("*.parquet"))
    full = not _layout_current(con)
    while True:
        if full:
            for table in _LOADED:
                con.execute(f"drop table if exists raw.{table}").fetchall()
            con.execute("drop table if exists raw._parts").fetchall()
        con.execute("create table if not exists raw._parts (table_name varchar, part varchar, stamp varchar)").fetchall()
        for kind, files in parts.items():
            _sync(con, kind, files, store.root)
        if full or _corpus_matches(con):
            break
        full = True
    _refresh_attachments(con)
    _attachment_checks(con)
    keys = template_keys()
    con.register("keys_df", keys)
    con.execute("create or replace table raw.template_keys as select * from keys_df").fetchall()
    con.unregister("keys_df")
    return {t: con.execute(f"select count(*) from raw.{t}").fetchall()[0][0] for t in LANDING_TABLES}


# landing table ← the parts it is loaded from (attachments: their status is decided at load, see
# _refresh_attachments); the columns read from the parts
_LOADED = {"normalized": "normalized", "reports": "reports", "cells": "cells", "checks": "checks",
           "attachments": "attachments_parsed"}
_COLUMNS = {"normalized": "doc_id, name, kind, status, reason, simplified, pinyin_removed, duplicate_removed, "
                          "notes, length(text) as text_chars"}


def _sync(con, kind: str, files: list[Path], root: Path) -> None:
    """raw.<table> holds the rows of exactly these parts, for documents in raw.documents."""
    table = _LOADED[kind]
    stamps = {}
    for f in files:
        st = f.stat()
        stamps[str(f.relative_to(root))] = f"{st.st_size}:{st.st_mtime_ns}"
    loaded = dict(con.execute("select part, stamp from raw._parts where table_name = ?", [kind]).fetchall())
    gone = [p for p, st in loaded.items() if stamps.get(p) != st]
    new = [p for p, st in stamps.items() if loaded.get(p) != st]
    if gone:
        con.execute(f"delete from raw.{table} where part in (select unnest(?))", [gone]).fetchall()
        con.execute("delete from raw._parts where table_name = ? and part in (select unnest(?))", [kind, gone]).fetchall()
    exists = con.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                         "and table_name = ?", [table]).fetchall()[0][0]
    if not new:
        if not exists:
            con.execute(f"create table raw.{table} as select *, ''::varchar as part "
                        f"from ({_EMPTY[kind]}) where false").fetchall()
        return
    paths = [str(root / p) for p in new]
    # part: the part's path under the warehouse folder, as in raw._parts
    select = f"""select {_COLUMNS.get(kind, '* exclude (filename)')}, substr(filename, {len(str(root)) + 2}) as part
                 from read_parquet({paths!r}, union_by_name = true, filename = true)
                 where doc_id in (select doc_id from raw.documents)"""
    if exists:
        con.execute(f"insert into raw.{table} by name {select}").fetchall()
    else:
        con.execute(f"create table raw.{table} as {select}").fetchall()
    con.execute("insert into raw._parts select ?, unnest(?), unnest(?)", [kind, new, [stamps[p] for p in new]]).fetchall()


def _layout_current(con) -> bool:
    """Do the landing tables exist with this code's columns (plus `part`)?"""
    for kind, table in _LOADED.items():
        have = [r[0] for r in con.execute("select column_name from information_schema.columns where table_schema = 'raw' "
                                          "and table_name = ? order by ordinal_position", [table]).fetchall()]
        want = [r[0] for r in con.execute(f"describe select * from ({_EMPTY[kind]})").fetchall()] + ["part"]
        if have != want:
            return False
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                            "and table_name = '_parts'").fetchall()[0][0])


def _corpus_matches(con) -> bool:
    """No row of a document the corpus lost, and every readable document normalized in raw.normalized
    (a document that came back has its part loaded without it)."""
    lost = sum(con.execute(f"select count(*) from raw.{t} where doc_id not in (select doc_id from raw.documents)")
               .fetchall()[0][0] for t in ("normalized", "reports"))
    missing = con.execute("""select count(*) from raw.documents where status = 'ok'
                             and doc_id not in (select doc_id from raw.normalized)""").fetchall()[0][0]
    return lost == 0 and missing == 0


_EMPTY = {
    "normalized": "select ''::varchar doc_id, ''::varchar name, ''::varchar kind, ''::varchar status, ''::varchar reason, "
                  "false simplified, 0 pinyin_removed, false duplicate_removed, ''::varchar notes, 0 text_chars",
    **{kind: "select " + ", ".join(f"null::{_SQL_TYPES[COLUMN_TYPES[kind].get(c, 'string')]} {c}" for c in columns)
       for kind, columns in (("reports", REPORT_COLUMNS), ("cells", CELL_COLUMNS), ("checks", CHECK_COLUMNS),
                             ("attachments", ATTACHMENT_COLUMNS))},
}


def _attachment_checks(con) -> None:
    """Where a page and its attachment both give a table, each figure both state
    is compared: both are kept, a disagreement fails `page_vs_attachment`."""
    con.execute("delete from raw.checks where rule = 'page_vs_attachment'").fetchall()
    con.execute("""
        insert into raw.checks by name
        select page.doc_id as doc_id, r.doc as doc, 'page_vs_attachment.' || page.figure_key as identity,
               'page_vs_attachment' as rule,
               'the page and its attachment ' || a.name || ' state the same figure' as description,
               'soft' as severity, page.value as lhs, att.value as rhs,
               case when page.value = att.value then 'pass' else 'fail' end as status, '' as missing
        from raw.attachments a
        join raw.reports r on r.doc_id = a.doc_id
        join raw.documents d on d.path = a.path
        join raw.cells page on page.doc_id = a.doc_id
        join raw.cells att on att.doc_id = d.doc_id and att.figure_key = page.figure_key
        where a.status = 'found' and d.doc_id <> a.doc_id
          and page.method = 'table' and att.method = 'table' and page.mapped and att.mapped
          and page.status <> 'empty' and att.status <> 'empty'""").fetchall()


def _refresh_attachments(con) -> None:
    """An attachment's status depends on the whole corpus, so it is decided at load.

    A page names its attachment as the file is called, or the corpus saved the file under
    a longer name ending with it: found is a document whose name ends with the name given
    (the same name before a longer one, then the first path), as extract.match_attachments.
    Matched by an equi-join on each document's suffixes of the lengths named: a LIKE against
    every document made this step grow with documents × attachments (9 s at 100,000)."""
    con.execute("""
        create or replace table raw.attachments as
        with wanted as (select distinct name, length(name) as n from raw.attachments_parsed),
        suffixes as (
            select right(d.name, l.n) as suffix, d.name, d.path
            from raw.documents d cross join (select distinct n from wanted) l
        ),
        found as (
            select w.name, arg_min(s.path, (s.name <> w.name, s.path)) as path
            from wanted w join suffixes s on s.suffix = w.name
            group by w.name
        )
        select a.doc_id, a.doc, a.name,
               case when f.path is not null then 'found' else 'missing' end as status,
               coalesce(f.path, '') as path
        from raw.attachments_parsed a
        left join found f using (name)""").fetchall()

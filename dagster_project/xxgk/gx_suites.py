"""Great Expectations suites for the accounting identities.

The suites in expectations/ are generated from identities.IDENTITIES (run
`python -m xxgk.gx_suites expectations` after changing an identity; a test
fails while the files and the definitions disagree). Each identity gives a
residual per report (left side minus right side, missing when not assessable,
so an empty cell is never read as 0). GX validates them in long form, one row
per report × assessable identity, with one expectation per rule (I3.1, …,
O.I6: residual = 0 on that rule's rows); each expectation lists its
identities, the suite's meta their operands. One expectation per rule rather than
per identity: GX's cost is per expectation (76 identities in table 三 took
2.1 s on 20,000 reports, its 3 rules 0.6 s). GX is fed pandas DataFrames from
an ephemeral context (see STACK_NOTES).
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from .identities import IDENTITIES, assess, for_template, operands
from .model import EMPTY, RECONSTRUCTED, TABLE

# Suite name -> the identity rules it holds.
SUITES = {
    "applications_identities": ("I3.1", "I3.2", "I3.3"),
    "reviews_identities": ("I4.1",),
    "old_format_identities": ("O.I1", "O.I2", "O.I3", "O.I4", "O.I5", "O.I6"),
}


def suite_definition(name: str) -> dict:
    exps = []
    for rule in SUITES[name]:
        members = [i for i in IDENTITIES if i.rule == rule]
        exps.append({"type": "expect_column_values_to_be_between",
                     "kwargs": {"column": "residual", "min_value": 0, "max_value": 0,
                                "row_condition": f'rule=="{rule}"', "condition_parser": "pandas"},
                     "meta": {"rule": rule, "severity": members[0].severity,
                              "identities": [i.id for i in members]}})
    # the operands live in the suite's meta: GX re-serializes an expectation's meta on every
    # access, and with them inside table 三's suite took twice as long
    return {"name": name, "expectations": exps,
            "meta": {"generated_from": "xxgk.identities.IDENTITIES",
                     "note": "one row per report x assessable identity: doc, identity, rule, "
                             "residual = left side - right side",
                     "identities": {i.id: {"description": i.description, "lhs": list(i.lhs), "rhs": list(i.rhs)}
                                    for i in IDENTITIES if i.rule in SUITES[name]}}}


_RULE_OF = {i.id: i.rule for i in IDENTITIES}


def residuals(frame: pd.DataFrame, identities: list[str]) -> pd.DataFrame:
    """The wide frame's residuals of these identities in long form (doc, identity, rule, residual),
    assessable ones only, identity by identity (as a melt would give them). Built from the
    positions of the assessable values, without a Python object per row: doc taken from the
    frame's string column, identity and rule categoricals (a melt of the 20,000 × 76 frame of
    table 三 spent 0.6 s copying the docs; at 100,000 reports, turning 3 M Python strings into
    pandas strings took 0.6 s for the docs and more for the rules)."""
    values = frame[identities].to_numpy(dtype="float64").T          # identity × report
    which, row = np.nonzero(~np.isnan(values))
    rules = list(dict.fromkeys(_RULE_OF[i] for i in identities))
    rule_of = np.array([rules.index(_RULE_OF[i]) for i in identities], dtype="int64")
    return pd.DataFrame({"doc": frame["doc"].array.take(row),
                         "identity": pd.Categorical.from_codes(which, categories=identities),
                         "residual": values[which, row],
                         "rule": pd.Categorical.from_codes(rule_of[which], categories=rules)})


def write_suites(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in SUITES:
        p = folder / f"{name}.json"
        p.write_text(json.dumps(suite_definition(name), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        out.append(p)
    return out


def load_suite(folder: str | Path, name: str) -> dict:
    return json.loads((Path(folder) / f"{name}.json").read_text(encoding="utf-8"))


class _Row:
    """A raw.cells row as identities.operands() reads a Cell."""
    __slots__ = ("key", "value", "status", "method", "mapped", "note", "table")

    def __init__(self, figure_key, value, status, method, mapped, note, table):
        self.key, self.value, self.status, self.method = figure_key, value, status, method
        self.mapped, self.note, self.table = mapped, note, table


CELL_COLUMNS = ["figure_key", "value", "status", "method", "mapped", "note", "table_name"]


def identity_frame(cells: pd.DataFrame, reports: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """identity_frame_sql over DataFrames shaped like raw.cells and raw.reports."""
    import duckdb
    con = duckdb.connect()
    con.register("cells_df", cells)
    con.register("reports_df", reports)
    return identity_frame_sql(con, "cells_df", "reports_df")


def identity_frame_sql(con, cells: str = "raw.cells", reports: str = "raw.reports") -> tuple[pd.DataFrame, dict]:
    """One row per report, one residual column per identity; and (doc, identity) -> (lhs, rhs) of failures.

    New-format reports, the bulk of any corpus, are computed column-wise on a
    report × figure-key grid of their table cells pivoted in DuckDB (an empty
    or absent cell is missing, so its identities stay missing). Old-format
    reports also read prose and unmapped categories: they go through
    identities.operands(), report by report."""
    reps = con.execute(f"select doc_id, doc, template from {reports}").df()
    template = dict(zip(reps["doc_id"], reps["template"]))
    docs = dict(zip(reps["doc_id"], reps["doc"]))
    frames, sides = [], {}
    for tpl in ("2019", "2021"):
        grid = con.execute(f"""
            pivot (select c.doc_id, c.figure_key, case when c.status = '{EMPTY}' then null else c.value end as v
                   from {cells} c join {reports} r using (doc_id)
                   where r.template = '{tpl}' and c.mapped and c.method in ('{TABLE}', '{RECONSTRUCTED}'))
            on figure_key using first(v) group by doc_id""").df().set_index("doc_id")
        if grid.empty:
            continue
        out = {}
        for idn in for_template(tpl):
            lhs = grid.reindex(columns=list(idn.lhs)).sum(axis=1, skipna=False)
            rhs = grid.reindex(columns=list(idn.rhs)).sum(axis=1, skipna=False)
            out[idn.id] = res = lhs - rhs
            bad = (res.abs() > 1e-9).to_numpy()
            for doc_id, l, r in zip(res.index[bad], lhs.to_numpy()[bad], rhs.to_numpy()[bad]):
                sides[(docs.get(doc_id), idn.id)] = (l, r)
        frames.append(pd.DataFrame(out, index=grid.index).assign(template=tpl))
    rows = []
    old = con.execute(f"""select c.doc_id, {', '.join('c.' + col for col in CELL_COLUMNS)}
                          from {cells} c join {reports} r using (doc_id)
                          where r.template is null or r.template not in ('2019', '2021')""").fetchall()
    old.sort(key=lambda t: t[0])                    # stable: cells keep their order within a report
    for doc_id, group in itertools.groupby(old, key=lambda t: t[0]):
        tpl = template.get(doc_id)
        vals = operands((_Row(*t[1:]) for t in group), tpl)
        row = {"doc_id": doc_id, "template": tpl}
        for idn in for_template(tpl):
            r = assess(idn, vals)
            if r and r["status"] != "not_assessable":
                row[idn.id] = r["lhs"] - r["rhs"]
                sides[(docs.get(doc_id), idn.id)] = (r["lhs"], r["rhs"])
        rows.append(row)
    if rows:
        frames.append(pd.DataFrame(rows).set_index("doc_id"))
    df = pd.concat(frames) if frames else pd.DataFrame(index=pd.Index([], name="doc_id"))
    df = df.rename_axis("doc_id").reset_index()
    df.insert(1, "doc", df["doc_id"].map(docs))
    for i in IDENTITIES:             # every identity is a column, even where no report assesses it
        if i.id not in df.columns:
            df[i.id] = pd.Series([None] * len(df), dtype="float64")
    return df.astype({i.id: "float64" for i in IDENTITIES}), sides


def identity_frame_cached(con, cache: str | Path) -> tuple[pd.DataFrame, dict]:
    """identity_frame_sql, computed only for the reports not in the cache.

    A report's residuals depend on its cells alone, which its doc_id (content)
    and parser_version fix; the cache keeps them per (doc_id, parser_version)
    in Parquet beside the warehouse, so a run that adds a few reports computes
    a few rows. The cache file is named after this module's code and the
    identities (through the parser version), so a change to either starts over."""
    from .extract import source_version
    from .pipeline import in_set, write_parquet
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    frame_file = cache / f"identity_frame_{source_version(('gx_suites',))}.parquet"
    sides_file = frame_file.with_name(frame_file.stem + "_sides.parquet")
    current = con.execute("select doc_id, parser_version from raw.reports").df()
    cached = pd.read_parquet(frame_file) if frame_file.exists() and sides_file.exists() else None
    old = None if cached is None else cached.merge(current, on=["doc_id", "parser_version"])   # still current
    todo = current if old is None else current[in_set(current["doc_id"], set(old["doc_id"]), negate=True)]
    sides = {}
    if old is not None:
        kept = pd.read_parquet(sides_file)
        if todo.empty and len(old) == len(cached):
            # the cache holds exactly the current reports (a run with nothing new): nothing to write
            return old.drop(columns=["parser_version"]), _sides(kept)
        sides = _sides(kept[in_set(kept["doc"], set(old["doc"]))])
    new, new_sides = _frame_in_batches(con, todo["doc_id"])
    # every report gets a row, its residuals missing where it has no cells (a page that is not
    # a report): one without a row would look new in every run, and the cache be rewritten
    new = todo.merge(new, on="doc_id", how="left")
    frame = pd.concat([f for f in (old, new) if f is not None and len(f)] or [new], ignore_index=True)
    sides.update(new_sides)
    frame = frame.sort_values("doc_id", kind="stable").reset_index(drop=True)
    write_parquet(frame, cache, frame_file.name)
    write_parquet(pd.DataFrame([(d, i, l, r) for (d, i), (l, r) in sides.items()],
                               columns=["doc", "identity", "lhs", "rhs"]), cache, sides_file.name)
    return frame.drop(columns=["parser_version"]), sides


def _sides(rows: pd.DataFrame) -> dict:
    """The sides file's rows (doc, identity, lhs, rhs) as (doc, identity) -> (lhs, rhs)."""
    return {(d, i): (l, r) for d, i, l, r in rows.itertuples(index=False)}


FRAME_BATCH = 10_000


def _frame_in_batches(con, doc_ids: pd.Series) -> tuple[pd.DataFrame, dict]:
    """identity_frame_sql for these reports, FRAME_BATCH at a time: memory follows the batch,
    not the corpus (the frame itself is small: one row of residuals per report)."""
    frames, sides = [], {}
    for i in range(0, max(len(doc_ids), 1), FRAME_BATCH):
        con.register("batch_df", pd.DataFrame({"doc_id": doc_ids.iloc[i:i + FRAME_BATCH].to_numpy()}))
        try:
            f, s = identity_frame_sql(
                con, "(select * from raw.cells where doc_id in (select doc_id from batch_df))",
                "(select * from raw.reports where doc_id in (select doc_id from batch_df))")
        finally:
            con.unregister("batch_df")
        frames.append(f)
        sides.update(s)
    return pd.concat(frames, ignore_index=True), sides


def import_gx():
    """Great Expectations, imported quietly (no analytics). Importing it takes 3–4 s (it
    loads scipy and altair): a caller about to wait on something else can do it ahead
    in a thread (import_gx_in_background)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations
    return great_expectations


def import_gx_in_background() -> threading.Thread:
    """import_gx in a daemon thread; a later import waits for it on the module's import lock."""
    t = threading.Thread(target=import_gx, name="import-gx", daemon=True)
    t.start()
    return t


def validate(suite: dict, frame: pd.DataFrame, sides: dict) -> dict:
    """Run one suite on the frame; failing reports with both sides of each identity."""
    gx = import_gx()
    from great_expectations.core.expectation_suite import ExpectationSuite

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = {"globally": False}
    gsuite = ctx.suites.add(ExpectationSuite(name=suite["name"], expectations=suite["expectations"]))
    batch_def = ctx.data_sources.add_pandas("xxgk").add_dataframe_asset(suite["name"]) \
        .add_batch_definition_whole_dataframe("all_reports")
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=suite["name"], data=batch_def, suite=gsuite))
    long = residuals(frame, [i for e in suite["expectations"] for i in e["meta"]["identities"]])
    res = vd.run(batch_parameters={"dataframe": long},
                 result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["doc", "identity"]})
    failures, errors, evaluated = [], [], 0
    for r in res.results:
        rule = r.expectation_config.meta["rule"]
        if r.exception_info and r.exception_info.get("raised_exception"):
            errors.append(f"{rule}: {r.exception_info.get('exception_message')}")
            continue
        evaluated += int((r.result or {}).get("element_count") or 0)
        for idx in (r.result or {}).get("unexpected_index_list") or []:
            doc, identity = (idx["doc"], idx["identity"]) if isinstance(idx, dict) else long.loc[idx, ["doc", "identity"]]
            lhs, rhs = sides.get((doc, identity), (None, None))
            failures.append({"doc": doc, "identity": identity, "lhs": lhs, "rhs": rhs})
    return {"suite": suite["name"], "success": not failures and not errors, "expectations": len(res.results),
            "evaluated": evaluated, "failed": len(failures), "failures": failures, "errors": errors}


if __name__ == "__main__":
    for p in write_suites(sys.argv[1] if len(sys.argv) > 1 else "expectations"):
        print(p)

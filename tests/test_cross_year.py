"""Across reports: the carry-over chain on a multi-year series generated here
(one agency, 2019–2022, a break planted in 2021→2022), and the analytics copy
that analysts open read-only while the pipeline writes."""
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from xxgk import pipeline as P
from xxgk import templates as T
from xxgk.publish import publish_copy

AGENCY = "测试市交通运输局"


def report_text(year: int, carried_over: list[int], carried_forward: list[int]) -> str:
    """A new-format report as markdown rows, its table balanced by construction."""
    tpl = "2019" if year < 2021 else "2021"
    rows = T.rows_for(tpl)
    outcome = [r.key for r in rows if r.group]
    vals = {k: [(i + j + year) % 3 for j in range(6)] for i, k in enumerate(outcome)}
    vals["handled_total"] = [sum(vals[k][j] for k in outcome) for j in range(6)]
    vals["carried_over"], vals["carried_forward"] = carried_over, carried_forward
    vals["new_received"] = [h + f - c for h, f, c in zip(vals["handled_total"], carried_forward, carried_over)]
    assert min(vals["new_received"]) >= 0
    lines = [f"{AGENCY}{year}年政府信息公开工作年度报告",
             f"本报告所列数据统计期限为{year}年1月1日至{year}年12月31日。",
             "三、收到和处理政府信息公开申请情况",
             "| 申请人情况 | " + " | ".join(c.label for c in T.APPLICANT_COLUMNS) + " |",
             "|---" * 8 + "|"]
    lines += [f"| {r.label} | " + " | ".join(str(v) for v in vals[r.key] + [sum(vals[r.key])]) + " |" for r in rows]
    lines += ["四、政府信息公开行政复议、行政诉讼情况",
              "| " + " | ".join(c.label for _ in T.REVIEW_GROUPS for c in T.REVIEW_COLUMNS) + " |",
              "| " + " | ".join(["1", "0", "0", "0", "1"] * 3) + " |",
              "五、存在的主要问题及改进情况", "无。"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def series_warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("series")
    corpus = base / "corpus"
    corpus.mkdir()
    chain = {2019: ([0, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 1]),
             2020: ([2, 0, 0, 0, 0, 1], [3, 1, 0, 0, 0, 0]),
             2021: ([3, 1, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0]),
             2022: ([5, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0])}   # break: 4 carried forward, 5 carried over
    for year, (c_in, c_out) in chain.items():
        (corpus / f"{year}.txt").write_text(report_text(year, c_in, c_out), encoding="utf-8")
    store = P.Store(base / "warehouse")
    docs = P.scan_documents(corpus)
    P.normalize_new(docs, store, workers=1)
    P.parse_new(store, workers=1)
    with duckdb.connect(str(store.database)) as con:
        P.load_landing(con, docs, store)
    dbt = str(Path(sys.executable).with_name("dbt"))
    run = subprocess.run([dbt, "build", "--profiles-dir", ".", "--quiet"], cwd=ROOT / "dbt", capture_output=True,
                         text=True, env={**__import__("os").environ, "XXGK_DUCKDB": str(store.database)})
    assert run.returncode == 0, run.stdout[-3000:]
    return store


def test_generated_series_parses_as_one_agency(series_warehouse):
    with duckdb.connect(str(series_warehouse.database), read_only=True) as con:
        rows = con.execute("""select report_year, template, n_figures, count(distinct agency_id) over ()
                              from marts.dim_report order by report_year""").fetchall()
    assert [r[:2] for r in rows] == [(2019, "2019"), (2020, "2019"), (2021, "2021"), (2022, "2021")]
    assert {r[2] for r in rows} <= {23 * 7 + 15, 25 * 7 + 15} and rows[0][3] == 1


def test_carry_over_chain_finds_the_break(series_warehouse):
    with duckdb.connect(str(series_warehouse.database), read_only=True) as con:
        res = con.execute("""select report_year, check_id, lhs, rhs, status, severity from marts.fact_checks
                             where rule = 'X1' order by report_year, check_id""").fetchall()
    by_year = {}
    for year, check, lhs, rhs, status, severity in res:
        by_year.setdefault(year, {})[check] = (lhs, rhs, status)
        assert severity == "warning"
    assert set(by_year) == {2020, 2021, 2022}                   # the first year has nothing to compare with
    assert all(s == "pass" for y in (2020, 2021) for *_, s in by_year[y].values())
    failed = {c: v for c, v in by_year[2022].items() if v[2] == "fail"}
    assert failed == {"X1.natural_person": (4, 5, "fail"), "X1.total": (4, 5, "fail")}


def test_analytics_copy_opens_read_only_while_the_pipeline_writes(series_warehouse, tmp_path):
    target = tmp_path / "xxgk_analytics.duckdb"
    publish_copy(series_warehouse.database, target)
    probe = ("import duckdb,sys; c = duckdb.connect(sys.argv[1], read_only=True); "
             "print(c.execute('select count(*) from marts.dim_report').fetchall()[0][0])")
    with duckdb.connect(str(series_warehouse.database)) as writer:      # the pipeline holds its working file
        writer.execute("create or replace table raw.scratch as select 1 as x").fetchall()
        out = subprocess.run([sys.executable, "-c", probe, str(target)], capture_output=True, text=True)
        assert out.returncode == 0 and out.stdout.strip() == "4", out.stderr
    # an analyst keeps the copy open while a new copy is published over it
    with duckdb.connect(str(target), read_only=True) as analyst:
        publish_copy(series_warehouse.database, target)
        assert analyst.execute("select count(*) from marts.dim_report").fetchall() == [(4,)]

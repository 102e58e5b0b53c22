"""Integration: every Dagster asset and check materialized into a temporary
warehouse on the seeds, then queried; a second run parses nothing and loses nothing."""
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from conftest import ROOT, SEEDS


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Run the job `everything` twice on a copy of the seeds; yield (warehouse dir, results)."""
    import os
    base = tmp_path_factory.mktemp("run")
    corpus, wh = base / "corpus", base / "warehouse"
    shutil.copytree(SEEDS, corpus)
    if not (ROOT / "dbt" / "target" / "manifest.json").exists():
        subprocess.run([str(Path(sys.executable).with_name("dbt")), "parse", "--profiles-dir", ".", "--quiet"],
                       cwd=ROOT / "dbt", check=True)
    from xxgk_dagster.definitions import defs
    from xxgk_dagster.resources import XxgkSettings
    old = os.environ.get("XXGK_DUCKDB")
    os.environ["XXGK_DUCKDB"] = str(wh / "xxgk.duckdb")        # dbt's profile reads it
    try:
        settings = XxgkSettings(corpus_dir=str(corpus), warehouse_dir=str(wh), workers=1)
        job = defs.resolve_job_def("everything")
        results = []
        with dg.instance_for_test() as instance:
            for _ in range(2):
                results.append(job.execute_in_process(instance=instance, resources={"settings": settings},
                                                      raise_on_error=False))
        yield wh, results
    finally:
        if old is None:
            os.environ.pop("XXGK_DUCKDB", None)
        else:
            os.environ["XXGK_DUCKDB"] = old


def _meta(result, key: str, asset: str):
    mats = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == asset]
    return mats[-1].materialization.metadata[key].value


def test_both_runs_succeed(warehouse):
    _, (first, second) = warehouse
    assert first.success and second.success


def test_second_run_parses_nothing(warehouse):
    _, (first, second) = warehouse
    assert _meta(first, "parsed", "parsed_reports") == 5
    assert _meta(second, "parsed", "parsed_reports") == 0
    assert _meta(second, "normalized", "normalized_documents") == 0


def test_marts_hold_the_seed_figures(warehouse):
    wh, _ = warehouse
    with duckdb.connect(str(wh / "xxgk_analytics.duckdb"), read_only=True) as con:
        n_reports = con.execute("select count(*) from marts.dim_report").fetchall()[0][0]
        assert n_reports == 5
        v = con.execute("""select value from marts.fact_applications
                           where doc = '002_8296641daa62e8d3.txt' and row_key = 'new_received'
                             and applicant_type = 'natural_person'""").fetchall()
        assert v == [(159.0,)]
        failed = con.execute("""select doc, check_id, lhs, rhs from marts.fact_checks
                                where status = 'fail' and rule like 'I%' order by check_id""").fetchall()
        assert failed == [("004_6d9098e69707ff9c.txt", "I4.1.litigation_after_review", 3.0, 2.0),
                          ("004_6d9098e69707ff9c.txt", "I4.1.litigation_direct", 0.0, 1.0)]


def test_checks_show_in_dagster_with_both_sides(warehouse):
    _, (first, _) = warehouse
    evals = {e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
             for e in first.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    rev = evals["reviews_identities"]
    assert not rev.passed and rev.metadata["failed"].value == 2
    assert "I4.1.litigation_direct" in rev.metadata["failures"].value
    assert evals["applications_identities"].passed
    assert not evals["text_vs_table"].passed      # seed 003: overview says 1 application, tables 0


def test_nothing_lost_on_rerun(warehouse):
    wh, _ = warehouse
    with duckdb.connect(str(wh / "xxgk.duckdb"), read_only=True) as con:
        counts = con.execute("select (select count(*) from raw.documents), (select count(*) from raw.cells)").fetchall()[0]
        assert counts[0] == 5 and counts[1] > 400

"""Two parse shards run in parallel under the multiprocess executor, into one
warehouse, without DuckDB lock errors: shards write Parquet parts only, and the
one step that writes the DuckDB file (landing) holds the pool "duckdb" from
dagster.yaml (DAGSTER_HOME must hold that file for pools to apply)."""
from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from conftest import ROOT
from xxgk import synth

N = 40


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    base = tmp_path_factory.mktemp("parallel")
    corpus, wh, home = base / "corpus", base / "warehouse", base / "dagster_home"
    synth.generate(corpus, N, seed=11, workers=1)
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    saved = {k: os.environ.get(k) for k in ("DAGSTER_HOME", "XXGK_CORPUS", "XXGK_WAREHOUSE", "XXGK_DUCKDB",
                                            "XXGK_SHARDS", "XXGK_WORKERS")}
    os.environ.update({"DAGSTER_HOME": str(home), "XXGK_CORPUS": str(corpus), "XXGK_WAREHOUSE": str(wh),
                       "XXGK_DUCKDB": str(wh / "xxgk.duckdb"), "XXGK_SHARDS": "2", "XXGK_WORKERS": "2"})
    try:
        yield corpus, wh
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run(selection, executor: str):
    """A run of the job `everything` restricted to `selection`, in a DagsterInstance at DAGSTER_HOME."""
    import dagster as dg

    from xxgk.bench import everything_job, executor_config
    settings = {"corpus_dir": os.environ["XXGK_CORPUS"], "warehouse_dir": os.environ["XXGK_WAREHOUSE"],
                "workers": 2, "shards": 2}
    config = {**executor_config(executor, max_concurrent=2), "resources": {"settings": {"config": settings}}}
    instance = dg.DagsterInstance.get()
    assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    with dg.execute_job(dg.reconstructable(everything_job), instance=instance, run_config=config,
                        asset_selection=[dg.AssetKey(k) for k in selection], raise_on_error=False) as result:
        events = [(e.step_key, e.event_type_value, e) for e in result.all_events]
        return result.success, events


def test_two_parse_shards_in_parallel_then_one_writer(env):
    corpus, wh = env
    ok, _ = _run(["raw_documents", "normalized_documents"], "in_process")
    assert ok
    landing = [["raw", t] for t in ("documents", "normalized", "reports", "cells", "checks", "attachments",
                                    "template_keys")]
    ok, events = _run([["parsed_reports"], *landing], "multiprocess")
    failures = [e.event_specific_data.error.message for _, kind, e in events if kind == "STEP_FAILURE"]
    assert ok, failures
    assert not any("lock" in m.lower() for m in failures)
    shards = {k for k, kind, _ in events if kind == "STEP_SUCCESS" and k and k.startswith("parsed_reports.parse_shard[")}
    assert shards == {"parsed_reports.parse_shard[shard_0_of_2]", "parsed_reports.parse_shard[shard_1_of_2]"}
    in_subprocess = {k for k, kind, _ in events if kind == "STEP_WORKER_STARTED"}
    assert shards <= in_subprocess
    truth = synth.load_jsonl(corpus / "labels.jsonl")
    with duckdb.connect(str(wh / "xxgk.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.reports").fetchall()[0][0] == len(truth)
        # both shards wrote parts and every document was parsed exactly once
        assert con.execute("select count(*) - count(distinct doc_id) from raw.reports").fetchall()[0][0] == 0

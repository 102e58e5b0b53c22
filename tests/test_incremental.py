"""Incremental runs: the landing tables, the incremental marts and the cached
identity frame after documents are added, removed and brought back must equal
what a load and build from scratch give."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from test_cross_year import report_text
from xxgk import gx_suites
from xxgk import pipeline as P

CHAIN = {2019: ([0, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 1]),
         2020: ([2, 0, 0, 0, 0, 1], [3, 1, 0, 0, 0, 0]),
         2021: ([3, 1, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0])}
MARTS = ("fact_applications", "fact_reviews", "fact_other_cells", "fact_applications_harmonized", "fact_checks")


def write(corpus: Path, year: int) -> None:
    (corpus / f"{year}.txt").write_text(report_text(year, *CHAIN[year]), encoding="utf-8")


def run(corpus: Path, store: P.Store, target: Path, *dbt_args: str) -> dict:
    """Ingest → load as the assets do, then dbt build; what each stage did."""
    docs = P.scan_documents(corpus, store)
    P.normalize_new(docs, store, workers=1)
    parsed = P.parse_new(store, workers=1)
    with duckdb.connect(str(store.database)) as con:
        P.load_landing(con, docs, store)
        parts = con.execute("select table_name, count(*) from raw._parts group by 1").fetchall()
    out = dbt(store, target, "build", *dbt_args)
    assert out.returncode == 0, out.stdout[-3000:]
    return {"parsed": parsed["parsed"], "parts": dict(parts)}


def dbt(store: P.Store, target: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("dbt")), *args, "--profiles-dir", ".",
                           "--target-path", str(target)],
                          cwd=ROOT / "dbt", capture_output=True, text=True,
                          env={**os.environ, "XXGK_DUCKDB": str(store.database)})


def snapshot(store: P.Store) -> dict:
    with duckdb.connect(str(store.database), read_only=True) as con:
        # parser_version and the dbt invocation that wrote a row differ between the builds
        snap = {t: sorted(con.execute(f"select columns(lambda c: c not in ('parser_version', 'invocation_id')) "
                                      f"from marts.{t}").fetchall(), key=repr)
                for t in MARTS}
        for t in ("reports", "cells", "checks", "normalized"):
            snap[f"raw.{t}"] = sorted(con.execute(f"select * exclude (part) from raw.{t}").fetchall(), key=repr)
        snap["years"] = [r[0] for r in con.execute("select report_year from marts.dim_report order by 1").fetchall()]
        frame, sides = gx_suites.identity_frame_cached(con, store.root / "checks_cache")
    snap["frame"] = frame.sort_values("doc_id").reset_index(drop=True)
    snap["sides"] = sides
    return snap


def same(a: dict, b: dict) -> None:
    for k in a:
        if k == "frame":
            assert a[k].equals(b[k]), "identity frame differs"
        else:
            assert a[k] == b[k], k


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return tmp_path_factory.mktemp("incremental")


def test_added_removed_and_returning_documents_match_a_full_build(base):
    corpus, store, target = base / "corpus", P.Store(base / "warehouse"), base / "dbt_target"
    corpus.mkdir()
    write(corpus, 2019)
    write(corpus, 2020)
    first = run(corpus, store, target)
    assert first["parsed"] == 2
    assert snapshot(store)["years"] == [2019, 2020]

    # one more report: only it is parsed and loaded, and the marts gain it
    write(corpus, 2021)
    added = run(corpus, store, target)
    assert added["parsed"] == 1 and added["parts"]["cells"] == 2
    incremental = snapshot(store)
    assert incremental["years"] == [2019, 2020, 2021]
    # the rows this invocation wrote, which its tests read (macros/tests_of_written_rows.sql), are the new report's
    invocation = json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]
    with duckdb.connect(str(store.database), read_only=True) as con:
        # fact_checks: the new report's own checks; its cross-year checks (X1) are all written again
        written = {t: con.execute(f"select distinct doc from marts.{t} where invocation_id = ?"
                                  + (" and origin = 'python'" if t == "fact_checks" else ""),
                                  [invocation]).fetchall() for t in MARTS}
        cross_year = con.execute("select doc, invocation_id = ? from marts.fact_checks where origin = 'dbt_cross_year'",
                                 [invocation]).fetchall()
    assert written["fact_applications"] == written["fact_checks"] == [("2021.txt",)]
    assert all(set(docs) <= {("2021.txt",)} for docs in written.values()), written
    assert {doc for doc, _ in cross_year} == {"2020.txt", "2021.txt"} and all(new for _, new in cross_year)

    # the same corpus built from scratch gives the same rows everywhere
    fresh = P.Store(base / "fresh")
    run(corpus, fresh, base / "dbt_target_fresh")
    same(incremental, snapshot(fresh))

    # a document leaves the corpus: its rows leave the landing tables and the marts
    gone = corpus / "2019.txt"
    kept = base / "2019.txt"
    shutil.move(gone, kept)
    run(corpus, store, target)
    without = snapshot(store)
    assert without["years"] == [2020, 2021]
    assert all("2019.txt" not in repr(r) for r in without["fact_applications"])
    # and so does the cross-year check of 2020 against it, although 2020's own rows stay
    with duckdb.connect(str(store.database), read_only=True) as con:
        assert con.execute("select distinct origin from marts.fact_checks where doc = '2020.txt'").fetchall() \
            == [("python",)]

    # and comes back: nothing is parsed again, and every row is back
    shutil.move(kept, gone)
    back = run(corpus, store, target)
    assert back["parsed"] == 0
    same(incremental, snapshot(store))
    # nothing new: the identity frame comes from its cache as it is, the cache not rewritten
    cache = sorted((store.root / "checks_cache").glob("*.parquet"))
    stamps = [f.stat().st_mtime_ns for f in cache]
    same(incremental, snapshot(store))
    assert [f.stat().st_mtime_ns for f in cache] == stamps


def changed_reports(target: Path, mart: str) -> str:
    """How the last build's SQL of a mart selected the reports to insert (macros/incremental_reports.sql)."""
    sql = (target / "compiled" / "xxgk" / "models" / "marts" / f"{mart}.sql").read_text(encoding="utf-8")
    found = re.findall(r"\band (false|doc_id in \((?:'[0-9a-f]+'(?:, )?)+\)|doc_id in \(\s*select)", sql)
    assert len(found) == 1, found
    return "and " + found[0]


def test_a_report_without_rows_in_a_mart_is_not_built_again(tmp_path):
    """A page that gives a mart no rows (here: not a report) is recorded as built, so a later
    build lists only what is new, not every such page again."""
    corpus, store, target = tmp_path / "corpus", P.Store(tmp_path / "warehouse"), tmp_path / "dbt_target"
    corpus.mkdir()
    write(corpus, 2019)
    (corpus / "notice.txt").write_text("关于开展春季植树活动的通知\n各单位：请于三月十二日前报名。\n", encoding="utf-8")
    run(corpus, store, target)
    with duckdb.connect(str(store.database), read_only=True) as con:
        reports = {r[0]: r[1] for r in con.execute("select doc, doc_id from staging.stg_reports").fetchall()}
        assert con.execute("select count(*) from marts.fact_applications where doc = 'notice.txt'").fetchall() == [(0,)]
        for mart in MARTS:   # each mart's record of the reports it built: all of them, rows or not
            built = con.execute(f'select doc_id from dbt_state."{mart}__reports" order by 1').fetchall()
            assert [b[0] for b in built] == sorted(reports.values()), mart
        # the identity frame's cache has a row for the notice too, so looking again rewrites nothing
        cache = store.root / "checks_cache"
        frame, _ = gx_suites.identity_frame_cached(con, cache)
        assert len(frame) == len(reports)
        stamps = {f: f.stat().st_mtime_ns for f in cache.glob("*.parquet")}
        gx_suites.identity_frame_cached(con, cache)
    assert {f: f.stat().st_mtime_ns for f in stamps} == stamps
    run(corpus, store, target)
    assert all(changed_reports(target, m) == "and false" for m in MARTS)
    write(corpus, 2020)
    run(corpus, store, target)
    with duckdb.connect(str(store.database), read_only=True) as con:
        new = con.execute("select doc_id from staging.stg_reports where doc = '2020.txt'").fetchall()[0][0]
    assert all(changed_reports(target, m) == f"and doc_id in ('{new}')" for m in MARTS)
    # a warehouse without that record (built by an older version) goes by the rows: the notice,
    # which has none, is built again, and the record is made
    with duckdb.connect(str(store.database)) as con:
        con.execute("drop schema dbt_state cascade")
    run(corpus, store, target)
    assert changed_reports(target, "fact_applications") == f"and doc_id in ('{reports['notice.txt']}')"
    run(corpus, store, target)
    assert all(changed_reports(target, m) == "and false" for m in MARTS)


def test_a_bad_value_fails_dbt_test_and_a_build_tests_the_rows_it_wrote(tmp_path):
    corpus, store, target = tmp_path / "corpus", P.Store(tmp_path / "warehouse"), tmp_path / "dbt_target"
    corpus.mkdir()
    write(corpus, 2019)
    run(corpus, store, target)
    with duckdb.connect(str(store.database)) as con:
        con.execute("""update marts.fact_applications set value_status = 'bogus'
                       where cell_id = (select min(cell_id) from marts.fact_applications)""")
        # and a row of each of the two big marts twice: the uniqueness tests go by hash first
        # (macros/unique_by_hash.sql) and must still name the key
        for mart in ("fact_applications", "fact_applications_harmonized"):
            con.execute(f"insert into marts.{mart} select * from marts.{mart} limit 1")
    # `dbt test` reads every row: the model's column rules (tests/generic/valid_columns.sql) catch it
    out = dbt(store, target, "test", "--select", "fact_applications", "fact_applications_harmonized")
    assert out.returncode != 0 and "FAIL 1 valid_columns_fact_applications " in out.stdout, out.stdout[-3000:]
    assert "FAIL 1 unique_fact_applications_cell_id" in out.stdout, out.stdout[-3000:]
    assert "FAIL 1 unique_combination_of_columns_fact_applications_harmonized_" in out.stdout, out.stdout[-3000:]
    with duckdb.connect(str(store.database)) as con:       # the copies go (other tests count rows)
        for mart in ("fact_applications", "fact_applications_harmonized"):
            con.execute(f"delete from marts.{mart} where rowid = (select max(rowid) from marts.{mart})")
    # a build that adds a report tests the rows it wrote; the row broken after its test is not read again
    write(corpus, 2020)
    assert run(corpus, store, target)["parsed"] == 1


def test_a_changed_dbt_project_means_a_full_refresh(tmp_path):
    from xxgk_dagster.dbt_models import project_fingerprint
    shutil.copytree(ROOT / "dbt", tmp_path / "dbt", ignore=shutil.ignore_patterns("target", "logs"))
    before = project_fingerprint(tmp_path / "dbt")
    (tmp_path / "dbt" / "README.md").write_text("docs only", encoding="utf-8")
    assert project_fingerprint(tmp_path / "dbt") == before            # not a model: no rebuild
    seed = tmp_path / "dbt" / "seeds" / "agency_aliases.csv"
    seed.write_text(seed.read_text(encoding="utf-8") + "某局,某市某局,test\n", encoding="utf-8")
    assert project_fingerprint(tmp_path / "dbt") != before


def test_old_dbt_invocation_folders_are_pruned(tmp_path):
    """Each dbt build leaves a folder in dbt/target; only the newest few stay, nothing else is touched."""
    from xxgk_dagster.dbt_models import prune_invocation_folders
    for i in range(7):
        d = tmp_path / f"warehouse_models-run{i}-abc"
        d.mkdir()
        (d / "run_results.json").write_text("{}")
        os.utime(d, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "partial_parse.msgpack").write_bytes(b"x")
    (tmp_path / "other_step-run0-abc").mkdir()
    removed = prune_invocation_folders(tmp_path, "warehouse_models", keep=5)
    assert sorted(p.name for p in removed) == ["warehouse_models-run0-abc", "warehouse_models-run1-abc"]
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["other_step-run0-abc", "partial_parse.msgpack"] + [f"warehouse_models-run{i}-abc" for i in range(2, 7)])


def test_a_batch_runs_without_collections_and_its_cycles_go_with_it():
    """A batch runs with the cycle collector paused and ends with one collection of the
    youngest generation only: the batch's cycles are freed, the rest of the heap (the
    Dagster process's, when a single batch runs there) is not walked."""
    import gc
    import weakref

    class Node:
        pass

    refs, generations = [], []

    def batch(n):
        for _ in range(n):
            a, b = Node(), Node()
            a.other, b.other = b, a          # a cycle: only the collector frees it
            refs.append(weakref.ref(a))
        return "done"

    def watch(phase, info):
        if phase == "start":
            generations.append(info["generation"])

    gc.collect()
    gc.callbacks.append(watch)
    try:
        assert P._without_gc(batch, 50_000) == "done"
    finally:
        gc.callbacks.remove(watch)
    assert generations == [0]                       # no collection during the batch, then the youngest
    assert not any(r() is not None for r in refs)  # and its cycles are gone
    assert gc.isenabled()

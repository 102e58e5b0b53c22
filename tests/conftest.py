import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def load_labels(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["doc"]: r for r in rows}


@pytest.fixture(scope="session")
def seed_labels() -> dict[str, dict]:
    return load_labels(DATA / "seeds_labels.jsonl")


@pytest.fixture(scope="session")
def seed_reports():
    """Every seed extracted once: doc name -> Report."""
    from xxgk.extract import extract_paths
    return {doc.name: report for doc, report in extract_paths([SEEDS], workers=1)}


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory):
    """The job `everything` run twice on a copy of the seeds into a temporary
    warehouse, as `make run` does: yields (warehouse dir, [first, second] results)."""
    import dagster as dg
    base = tmp_path_factory.mktemp("seeds_run")
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
        with dg.instance_for_test() as instance:
            results = [job.execute_in_process(instance=instance, resources={"settings": settings},
                                              raise_on_error=False) for _ in range(2)]
        yield wh, results
    finally:
        if old is None:
            os.environ.pop("XXGK_DUCKDB", None)
        else:
            os.environ["XXGK_DUCKDB"] = old

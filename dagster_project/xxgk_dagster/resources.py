"""Settings injected into the assets; paths come from the environment so the
same definitions serve `make run`, `make ui`, tests and benchmarks."""
from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from xxgk.pipeline import Store

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _dbt_duckdb_settings() -> dict:
    """The DuckDB settings of dbt's profile, the one place the memory limit is set."""
    import yaml
    profiles = yaml.safe_load((PROJECT_ROOT / "dbt" / "profiles.yml").read_text(encoding="utf-8"))
    return profiles["xxgk"]["outputs"]["dev"]["settings"]


DUCKDB_MEMORY = _dbt_duckdb_settings()["memory_limit"]


class XxgkSettings(dg.ConfigurableResource):
    corpus_dir: str = os.environ.get("XXGK_CORPUS", str(PROJECT_ROOT / "seeds"))
    warehouse_dir: str = os.environ.get("XXGK_WAREHOUSE", str(PROJECT_ROOT / "warehouse"))
    workers: int = int(os.environ.get("XXGK_WORKERS", "2"))
    # parallel steps for normalize and parse (each runs workers // shards processes)
    shards: int = int(os.environ.get("XXGK_SHARDS", "1"))

    @property
    def store(self) -> Store:
        return Store(self.warehouse_dir)

    def connect(self, read_only: bool = False):
        import duckdb
        if read_only and not self.store.database.exists():
            raise FileNotFoundError(f"no warehouse yet at {self.store.database}")
        # bounded like dbt's profile: DuckDB spills beyond this rather than grow with the corpus
        return duckdb.connect(str(self.store.database), read_only=read_only, config={"memory_limit": DUCKDB_MEMORY})

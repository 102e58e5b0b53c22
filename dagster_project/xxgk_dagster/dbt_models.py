"""The dbt project as Dagster assets: `dbt build` runs models and their tests
(the tests show up as asset checks). Keys and groups follow the schema.

The cell-grain marts are incremental by report (dbt/macros/incremental_reports.sql);
when the dbt project itself changed since the warehouse's last build, the build
is a --full-refresh, so no table keeps rows made by older models or seeds."""

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from xxgk import gx_suites

from .assets import DUCKDB_POOL
from .resources import PROJECT_ROOT, XxgkSettings

DBT_DIR = PROJECT_ROOT / "dbt"
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))   # the venv's dbt, which need not be on PATH
dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
if os.environ.get("DAGSTER_IS_DEV_CLI"):
    # under `dagster dev`, parse again so edited models show up (elsewhere `make manifest` did it)
    subprocess.run([DBT_EXECUTABLE, "parse", "--profiles-dir", str(DBT_DIR), "--quiet"], cwd=DBT_DIR, check=True)


class SchemaTranslator(DagsterDbtTranslator):
    """Asset key = [schema, name], group = schema: `staging/stg_cells`, `marts/fact_applications`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema") or "dbt"


class DbtCli(DbtCliResource):
    """DbtCliResource without two start-up costs it pays before every command, about 3 s each:
    - it asks `dbt --version` in a subprocess; the dbt it runs is this venv's, whose version
      the installed package states;
    - it opens a dbt-core adapter in this process, used only by fetch_row_counts() and
      fetch_column_metadata(), which these assets do not call.
    The build itself runs in the dbt subprocess either way."""

    @cached_property
    def _cli_version(self):
        from packaging import version
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def project_fingerprint(folder: Path = DBT_DIR) -> str:
    """A hash of what decides the marts' rows: models, macros, seeds and dbt_project.yml."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if p.is_file() and (rel.parts[0] in ("models", "macros", "seeds") or rel.name == "dbt_project.yml"):
            h.update(str(rel).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


FINGERPRINT_FILE = "dbt_project_fingerprint"


# Priority: when the identity checks and dbt are both ready, dbt goes first, so that the
# checks' import of GX happens while dbt works (below) rather than in their own step.
@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
            dagster_dbt_translator=SchemaTranslator(), pool=DUCKDB_POOL, op_tags={"dagster/priority": "1"})
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCli, settings: XxgkSettings):
    state = settings.store.root / FINGERPRINT_FILE
    fingerprint = project_fingerprint()
    args = ["build"]
    if not state.exists() or state.read_text() != fingerprint:
        context.log.info("the dbt project changed since this warehouse's last build (or there was none): "
                         "--full-refresh rebuilds the incremental marts")
        args.append("--full-refresh")
    invocation = dbt.cli(args, context=context)
    # dbt works in a process of its own: meanwhile this one imports GX for the identity checks
    # that follow (3–4 s otherwise spent in their step). That pays when they run in this
    # process (`make run`, the benchmark); a step process of the multiprocess executor
    # spends the import for nothing, on a core dbt leaves partly idle.
    gx_suites.import_gx_in_background()
    yield from invocation.stream()
    state.write_text(fingerprint)
    prune_invocation_folders(invocation.target_path.parent, context.op_def.name)


KEEP_INVOCATIONS = 5


def prune_invocation_folders(target: Path, step: str, keep: int = KEEP_INVOCATIONS) -> list[Path]:
    """dagster-dbt gives each build a folder of its own in dbt/target (<step>-<run>-<id>: the
    manifest, run_results.json, the compiled SQL; ~5 MB) and never removes one. Keep the
    newest few, for looking into a recent build, so the folder does not grow with every run."""
    folders = sorted((p for p in target.glob(f"{step}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    old = folders[:-keep] if keep else folders
    for p in old:
        shutil.rmtree(p, ignore_errors=True)
    return old

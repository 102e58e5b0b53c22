"""The xxgk code location: assets, checks, resources, and the job `make run` executes."""
from __future__ import annotations

import os

import dagster as dg
from . import assets, checks, publish
from .dbt_models import DBT_EXECUTABLE, DbtCli, dbt_project, warehouse_models
from .resources import XxgkSettings

settings = XxgkSettings()
# dbt's profile reads the warehouse file from the environment: point it at this warehouse.
os.environ["XXGK_DUCKDB"] = str(settings.store.database)

everything = dg.define_asset_job("everything", selection=dg.AssetSelection.all(),
                                 description="Ingest, normalize, parse, load, build the warehouse, check, publish")

defs = dg.Definitions(
    assets=[assets.raw_documents, assets.normalized_documents, assets.parsed_reports, assets.landing_tables,
            warehouse_models, publish.analytics_copy],
    asset_checks=[checks.identity_checks],
    jobs=[everything],
    resources={"settings": settings,
               "dbt": DbtCli(project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir),
                          dbt_executable=DBT_EXECUTABLE)},
)

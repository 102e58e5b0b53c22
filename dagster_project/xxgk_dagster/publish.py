"""A read-only copy of the warehouse for analysts, published after the dbt
build (models and their blocking tests) has succeeded, so analysts never hold
the pipeline's working file open."""

import os

import dagster as dg

from .assets import DUCKDB_POOL
from .dbt_models import warehouse_models
from .resources import XxgkSettings


@dg.asset(group_name="publish", kinds={"duckdb"}, deps=[warehouse_models], pool=DUCKDB_POOL,
          description="warehouse/xxgk_analytics.duckdb: a copy of the warehouse for analysts to open read-only")
def analytics_copy(context: dg.AssetExecutionContext, settings: XxgkSettings) -> dg.MaterializeResult:
    from xxgk.publish import publish_copy
    target = settings.store.analytics_database
    tables = publish_copy(settings.store.database, target)
    context.log.info(f"published {len(tables)} tables to {target}")
    return dg.MaterializeResult(metadata={"path": str(target), "tables": len(tables),
                                          "size_bytes": os.path.getsize(target)})

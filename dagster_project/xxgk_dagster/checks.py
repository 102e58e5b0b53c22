"""Asset checks: the accounting identities through the Great Expectations suites
in expectations/, and the text-vs-table comparison. A failed identity is a
warning: the report is flagged and kept, its figures as published."""

import pandas as pd

import dagster as dg
from xxgk import gx_suites

from .assets import DUCKDB_POOL, md_table
from .resources import PROJECT_ROOT, XxgkSettings

EXPECTATIONS = PROJECT_ROOT / "expectations"
CELLS = dg.AssetKey(["raw", "cells"])
CHECKS = dg.AssetKey(["raw", "checks"])


@dg.multi_asset_check(
    specs=[*(dg.AssetCheckSpec(name, asset=CELLS, additional_deps=[dg.AssetKey(["raw", "reports"])],
                               description=f"GX suite expectations/{name}.json: every assessable identity balances")
             for name in gx_suites.SUITES),
           dg.AssetCheckSpec("text_vs_table", asset=CHECKS,
                             description="Where prose and a table of the same report state the same figure, "
                                         "they agree")],
    pool=DUCKDB_POOL)
def identity_checks(context: dg.AssetCheckExecutionContext, settings: XxgkSettings):
    """One step for all of them: one read of the warehouse, one step's overhead per run."""
    with settings.connect(read_only=True) as con:
        frame, sides = gx_suites.identity_frame_cached(con, settings.store.root / "checks_cache")
        prose = con.execute("""select doc, identity, lhs as prose, rhs as table_value, status
                               from raw.checks where rule = 'text_vs_table' order by doc, identity""").df()
    for name in gx_suites.SUITES:
        r = gx_suites.validate(gx_suites.load_suite(EXPECTATIONS, name), frame, sides)
        context.log.info(f"{name}: {r['evaluated']} identity results assessed, {r['failed']} failed")
        yield dg.AssetCheckResult(
            check_name=name, asset_key=CELLS, passed=r["success"], severity=dg.AssetCheckSeverity.WARN,
            metadata={"expectations": r["expectations"], "assessed": r["evaluated"], "failed": r["failed"],
                      "failures": md_table(pd.DataFrame(r["failures"], columns=["doc", "identity", "lhs", "rhs"])),
                      "errors": dg.MetadataValue.json(r["errors"])})
    failed = prose[prose["status"] == "fail"]
    yield dg.AssetCheckResult(check_name="text_vs_table", asset_key=CHECKS, passed=failed.empty,
                              severity=dg.AssetCheckSeverity.WARN,
                              metadata={"compared": len(prose), "disagree": len(failed),
                                        "disagreements": md_table(failed)})

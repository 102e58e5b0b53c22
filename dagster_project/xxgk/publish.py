"""Publishing the warehouse as a separate file analysts open read-only."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

# dbt's views name the working file's catalog ("xxgk"), so in a copy they would
# point at nothing; dbt_state is the incremental marts' bookkeeping (which reports
# each has built). The copy keeps the tables analysts read: raw and marts.
UNPUBLISHED_SCHEMAS = ("staging", "intermediate", "dbt_state")


def publish_copy(source: str | Path, target: str | Path) -> list[str]:
    """Copy the warehouse file to `target` and return the tables it holds.

    The caller holds the warehouse's writer pool, so after a checkpoint the
    file is consistent and a byte copy is the fastest copy there is. It is
    made under a temporary name, stripped of the views, then renamed over the
    target: an analyst who has the old copy open keeps reading it undisturbed."""
    import duckdb
    source, target = Path(source), Path(target)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(source)) as con:
        con.execute("checkpoint").fetchall()
    shutil.copyfile(source, tmp)
    with duckdb.connect(str(tmp)) as con:
        for schema in UNPUBLISHED_SCHEMAS:
            con.execute(f'drop schema if exists "{schema}" cascade').fetchall()
        tables = con.execute("""select table_schema || '.' || table_name from information_schema.tables
                                where table_type = 'BASE TABLE' order by 1""").fetchall()
        con.execute("checkpoint").fetchall()
    os.replace(tmp, target)
    return [t[0] for t in tables]

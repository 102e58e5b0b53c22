"""Publishing the warehouse as a separate file analysts open read-only."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

# The copy keeps the tables analysts read. Every other schema goes: dbt's views name
# the working file's catalog ("xxgk"), so in a copy they would point at nothing, and
# dbt_state is the incremental marts' bookkeeping.
PUBLISHED_SCHEMAS = ("raw", "marts")


def publish_copy(source: str | Path, target: str | Path) -> list[str]:
    """Copy the warehouse file to `target` and return the tables it holds.

    The caller holds the warehouse's writer pool, so after a checkpoint the
    file is consistent and a byte copy is the fastest copy there is. It is
    made under a temporary name, stripped of all but PUBLISHED_SCHEMAS, then renamed over the
    target: an analyst who has the old copy open keeps reading it undisturbed."""
    import duckdb
    source, target = Path(source), Path(target)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(source)) as con:
        con.execute("checkpoint").fetchall()
    shutil.copyfile(source, tmp)
    with duckdb.connect(str(tmp)) as con:
        others = con.execute("""select schema_name from information_schema.schemata
                                where catalog_name = current_database() and schema_name <> 'main'
                                  and schema_name not in (select unnest(?))""", [list(PUBLISHED_SCHEMAS)]).fetchall()
        for (schema,) in others:
            con.execute(f'drop schema "{schema}" cascade').fetchall()
        tables = con.execute("""select table_schema || '.' || table_name from information_schema.tables
                                where table_type = 'BASE TABLE' order by 1""").fetchall()
        con.execute("checkpoint").fetchall()
    os.replace(tmp, target)
    return [t[0] for t in tables]

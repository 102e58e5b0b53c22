"""Publishing the warehouse as a separate file analysts open read-only."""
from __future__ import annotations

import os
from pathlib import Path


def publish_copy(source: str | Path, target: str | Path) -> list[str]:
    """Copy every schema and table of `source` into `target`, replacing it atomically.

    Written to a temporary file first, then renamed over the target: an analyst
    who has the old copy open keeps reading it undisturbed."""
    import duckdb
    source, target = Path(source), Path(target)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as con:
        con.execute(f"attach '{source}' as src (read_only)").fetchall()
        tables = con.execute("""select table_schema, table_name, table_type from information_schema.tables
                                where table_catalog = 'src' order by all""").fetchall()
        for schema, name, _ in tables:
            con.execute(f'create schema if not exists "{schema}"').fetchall()
            # views are materialized too: the copy must not depend on the working file
            con.execute(f'create table "{schema}"."{name}" as select * from src."{schema}"."{name}"').fetchall()
        con.execute("detach src").fetchall()
    os.replace(tmp, target)
    return [f"{s}.{n}" for s, n, _ in tables]

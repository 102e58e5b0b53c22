"""README sections generated from the project's own sources and a run on seeds/.

    python tests/readme_sections.py WAREHOUSE_DIR   rewrites them in README.md

The tests regenerate them from a fresh run and compare, so the README's
queries and outputs stay true."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
QUERIES = ROOT / "dbt" / "analyst_queries"


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("|", "/").replace("\n", " ")


def markdown(cols: list[str], rows: list[tuple]) -> str:
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(_cell(v) for v in r) + " |" for r in rows]
    return "\n".join(out)


def analyst_queries(con) -> str:
    parts = []
    for f in sorted(QUERIES.glob("*.sql")):
        sql = f.read_text(encoding="utf-8").strip()
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        title = f.stem.split("_", 1)[1].replace("_", " ").capitalize()
        parts.append(f"### {title}\n\n`dbt/analyst_queries/{f.name}`\n\n```sql\n{sql}\n```\n\n"
                     f"{markdown(cols, cur.fetchall())}\n")
    return "\n".join(parts)


def summary(con) -> str:
    from xxgk.summary import summarize
    return "```\n" + summarize(con) + "\n```\n"


SECTIONS = {"analyst-queries": analyst_queries, "seeds-summary": summary}


def render(con) -> dict[str, str]:
    return {name: fn(con) for name, fn in SECTIONS.items()}


def section(text: str, name: str) -> str:
    m = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    if not m:
        raise KeyError(f"README has no section {name}")
    return m.group(1)


def rewrite(con) -> None:
    text = README.read_text(encoding="utf-8")
    for name, body in render(con).items():
        text = re.sub(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)",
                      lambda m: m.group(1) + body + m.group(2), text, flags=re.S)
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    import duckdb
    sys.path.insert(0, str(ROOT / "dagster_project"))
    with duckdb.connect(str(Path(sys.argv[1]) / "xxgk_analytics.duckdb"), read_only=True) as c:
        rewrite(c)

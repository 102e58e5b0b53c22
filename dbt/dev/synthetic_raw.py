"""Add synthetic reports to a copy of a warehouse's raw schema, to exercise the
dbt models on cases the real corpus does not have yet: an agency alias joining
years (泸州市政府 / 泸州市 人民政府 / 标题:泸州市人民政府), the cross-year X1 check
(pass, fail, not_assessable, 2018→2019 skipped, jurisdiction summary excluded),
old-format rows with table + prose duplicates, nil and unmapped cells, the
2019 （六） row against 2021's three sub-rows, and a file sharing its content.

    cp /tmp/whdbt/xxgk.duckdb /tmp/whsyn/xxgk.duckdb
    python dbt/dev/synthetic_raw.py /tmp/whsyn/xxgk.duckdb
    cd dbt && XXGK_DUCKDB=/tmp/whsyn/xxgk.duckdb dbt build --profiles-dir .

Expected in marts.fact_checks: syn_a_2020 X1.total pass, X1.natural_person
fail (5 vs 4), X1.commercial not_assessable; syn_a_2021 X1.total pass; no X1
row for syn_a_2019 (2018→2019) and none from the jurisdiction summary.
"""
from __future__ import annotations

import sys

import duckdb


def insert(con, table: str, **cols) -> None:
    names = ", ".join(cols)
    marks = ", ".join("?" for _ in cols)
    con.execute(f"insert into raw.{table} ({names}) values ({marks})", list(cols.values()))


def main(path: str) -> None:
    con = duckdb.connect(path)
    reports = [
        ("synA2018", "syn_a_2018.txt", 2018, "泸州市人民政府", "pre2019", "own_agency"),
        ("synA2019", "syn_a_2019.txt", 2019, "泸州市政府", "2019", "own_agency"),
        ("synA2020", "syn_a_2020.txt", 2020, "泸州市 人民政府", "2019", "own_agency"),
        ("synA2021j", "syn_a_2021_summary.txt", 2021, "泸州市人民政府", "2021", "jurisdiction_summary"),
        ("synA2021", "syn_a_2021.txt", 2021, "标题:泸州市人民政府", "2021", "own_agency"),
    ]
    for doc_id, name, year, agency, template, scope in reports:
        insert(con, "documents", doc_id=doc_id, path="/x/" + name, name=name, sha256=doc_id, size=1,
               kind="text", encoding="utf-8", status="ok", reason="")
        insert(con, "normalized", doc_id=doc_id, name=name, kind="text", status="ok", reason="",
               simplified=False, pinyin_removed=0, duplicate_removed=False, notes="", text_chars=100)
        insert(con, "reports", doc_id=doc_id, doc=name, report_year=year, agency=agency, template=template,
               publish_date=f"{year + 1}-01-20", scope=scope, province="四川省", city="泸州市",
               county=None, region_code="510500", is_report=True, n_cells=0, n_figures=0, notes="",
               parser_version="1")
    insert(con, "documents", doc_id="synA2019", path="/y/syn_a_2019_copy.txt", name="syn_a_2019_copy.txt",
           sha256="synA2019", size=1, kind="text", encoding="utf-8", status="ok", reason="")

    def cell(doc_id, table, row, col, value, status="number", method="table", source="line 1", mapped=True):
        insert(con, "cells", doc_id=doc_id, table_name=table, row_key=row, col_key=col,
               figure_key=f"{table}.{row}.{col}" if col else f"{table}.{row}", value=value, status=status,
               raw="" if value is None else str(value), source=source, method=method, mapped=mapped, note="")

    for row, value, method in [("received", 10, "table"), ("received", 11, "prose"),
                               ("answered_granted", 4, "table"), ("answered_already_public", 2, "table"),
                               ("denied_commercial_secret", 1, "table"), ("denied_privacy", 1, "table"),
                               ("denied_not_gov_info", 2, "table"), ("answered_denied", 4, "table"),
                               ("denied_state_secret", 0, "table")]:
        cell("synA2018", "applications", row, "", value, method=method, source=f"{method} {row}")
    cell("synA2018", "applications", "answered_partial", "", None, "nil", source="line 9")
    cell("synA2018", "applications", "其余情况", "", 93, method="prose", source="chars 10-20", mapped=False)
    cell("synA2018", "reviews", "review_total", "", 3)
    cell("synA2018", "reviews", "review_other", "", 1)
    cell("synA2018", "reviews", "review_upheld", "", 2)
    cell("synA2018", "reviews", "litigation_total", "", 2, method="prose", source="chars 1-9")
    cell("synA2019", "applications", "carried_forward", "total", 5)
    cell("synA2019", "applications", "carried_forward", "natural_person", 5)
    cell("synA2019", "applications", "carried_forward", "commercial", None, "empty")
    cell("synA2019", "applications", "carried_over", "total", 7)
    cell("synA2019", "applications", "other", "total", 3)
    cell("synA2019", "reviews", "litigation_direct", "pending", 1)
    cell("synA2019", "reviews", "litigation_after_review", "other", 2)
    cell("synA2020", "applications", "carried_over", "total", 5)
    cell("synA2020", "applications", "carried_over", "natural_person", 4)
    cell("synA2020", "applications", "carried_over", "commercial", 0)
    cell("synA2020", "applications", "carried_forward", "total", 1)
    cell("synA2020", "applications", "other", "total", 2)
    cell("synA2020", "applications", "granted", "total", 6)
    cell("synA2020", "applications", "granted", "total", 5, method="prose", source="chars 5-9")
    cell("synA2021j", "applications", "carried_over", "total", 99)
    cell("synA2021", "applications", "carried_over", "total", 1)
    for row, value in [("other_overdue_correction", 1), ("other_overdue_fee", 0), ("other_other", 2)]:
        cell("synA2021", "applications", row, "total", value)
    cell("synA2021", "applications", "小计", "total", 3, mapped=False)
    insert(con, "checks", doc_id="synA2020", doc="syn_a_2020.txt", identity="text_vs_table.granted.total",
           rule="text_vs_table", description="正文 vs 表格", severity="soft", lhs=5, rhs=6, status="fail",
           missing="")
    insert(con, "attachments", doc_id="synA2018", doc="syn_a_2018.txt", name="统计表.xls", status="found",
           path="/x/统计表.xls")
    con.close()


if __name__ == "__main__":
    main(sys.argv[1])

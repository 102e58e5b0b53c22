"""Prose against table (CODEBOOK §4.2 S.prose): a figure the text states and a
table of the same report also states must agree.

text_vs_table(report) gives one row per stated prose value of a key the table
also gives, shaped like identities.evaluate(): the table's value is the figure
of record (Report.figures()), the check only says the report contradicts
itself (seed 003: the overview's 1 application against the appendix's 0).
"""
from __future__ import annotations

from .model import EMPTY, PROSE, Report

PASS, FAIL = "pass", "fail"


def text_vs_table(report: Report) -> list[dict]:
    prose = [c for c in report.cells if c.method == PROSE and c.mapped and c.value is not None]
    if not prose:                       # most reports: a table and no prose figures
        return []
    table: dict[str, float] = {}
    for c in report.cells:
        if c.mapped and c.value is not None and c.method != PROSE and c.status != EMPTY:
            table.setdefault(c.key, c.value)
    if not table:
        return []
    out: list[dict] = []
    seen: set[tuple[str, float]] = set()
    for c in prose:
        if c.key not in table:
            continue
        if (c.key, c.value) in seen:
            continue
        seen.add((c.key, c.value))
        rhs = table[c.key]
        n = sum(1 for k, _ in seen if k == c.key)      # a second statement of the same key: its own check
        out.append({"doc": report.doc, "identity": f"text_vs_table.{c.key}" + (f"#{n}" if n > 1 else ""),
                    "rule": "text_vs_table",
                    "description": f"prose states {c.key} = {_n(c.value)} ({c.source}: {c.raw[:60]}); table states {_n(rhs)}",
                    "severity": "soft", "lhs": c.value, "rhs": rhs,
                    "status": PASS if abs(c.value - rhs) < 1e-9 else FAIL, "missing": ""})
    return out


def _n(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v

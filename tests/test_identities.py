"""Accounting identities on real seed data, and the GX suites that enforce them."""
import json
from pathlib import Path

import pandas as pd

from xxgk import gx_suites
from xxgk.identities import FAIL, NOT_ASSESSABLE, PASS, evaluate
from xxgk.pipeline import report_frames

EXPECTATIONS = Path(__file__).resolve().parents[1] / "expectations"


def test_004_fails_exactly_the_two_lawsuit_identities(seed_reports):
    rows = evaluate(seed_reports["004_6d9098e69707ff9c.txt"])
    failed = {r["identity"]: (r["lhs"], r["rhs"]) for r in rows if r["status"] == FAIL}
    assert failed == {"I4.1.litigation_direct": (0, 1), "I4.1.litigation_after_review": (3, 2)}


def test_004_identities_touching_empty_cells_are_not_assessable(seed_reports):
    rows = {r["identity"]: r for r in evaluate(seed_reports["004_6d9098e69707ff9c.txt"])}
    r = rows["I3.3.new_received.2019"]          # 总计 12 = 12 + five empty cells
    assert r["status"] == NOT_ASSESSABLE and r["rhs"] is None and "commercial" in r["missing"]
    assert rows["I4.1.review"]["status"] == PASS


def test_002_passes_every_identity(seed_reports):
    rows = evaluate(seed_reports["002_8296641daa62e8d3.txt"])
    assert len(rows) == 7 + 7 + 25 + 3            # I3.1, I3.2 per column, I3.3 per row, I4.1 per group
    assert {r["status"] for r in rows} == {PASS}


def test_committed_suites_are_generated_from_the_identities():
    for name in gx_suites.SUITES:
        committed = json.loads((EXPECTATIONS / f"{name}.json").read_text(encoding="utf-8"))
        assert committed == gx_suites.suite_definition(name), f"regenerate: python -m xxgk.gx_suites expectations"


def test_gx_suite_flags_004_with_both_sides(seed_reports):
    frames = report_frames(seed_reports.values())
    frame, sides = gx_suites.identity_frame(frames["cells"], frames["reports"])
    res = gx_suites.validate(gx_suites.load_suite(EXPECTATIONS, "reviews_identities"), frame, sides)
    assert not res["success"] and not res["errors"]
    got = sorted((f["doc"], f["identity"], f["lhs"], f["rhs"]) for f in res["failures"])
    assert got == [("004_6d9098e69707ff9c.txt", "I4.1.litigation_after_review", 3, 2),
                   ("004_6d9098e69707ff9c.txt", "I4.1.litigation_direct", 0, 1)]
    apps = gx_suites.validate(gx_suites.load_suite(EXPECTATIONS, "applications_identities"), frame, sides)
    assert apps["success"] and apps["evaluated"] > 0
    old = gx_suites.validate(gx_suites.load_suite(EXPECTATIONS, "old_format_identities"), frame, sides)
    assert [(f["doc"], f["identity"], f["lhs"], f["rhs"]) for f in old["failures"]] == \
        [("001_7cd061f8be914d19.txt", "O.I4", 38, 33)]          # 17 (combined reason) + 4 + 12


def test_gx_reports_a_broken_identity_in_generated_data():
    cells = pd.DataFrame([
        {"doc_id": "x", "figure_key": "reviews.review.total", "value": 5.0},
        *[{"doc_id": "x", "figure_key": f"reviews.review.{c}", "value": 1.0} for c in ("upheld", "corrected", "other", "pending")]])
    cells = cells.assign(status="number", method="table", mapped=True, note="", table_name="reviews")
    reports = pd.DataFrame([{"doc_id": "x", "doc": "x.txt", "template": "2021"}])
    frame, sides = gx_suites.identity_frame(cells, reports)
    res = gx_suites.validate(gx_suites.suite_definition("reviews_identities"), frame, sides)
    assert res["failures"] == [{"doc": "x.txt", "identity": "I4.1.review", "lhs": 5.0, "rhs": 4.0}]

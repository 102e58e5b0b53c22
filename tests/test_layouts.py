"""Text layouts of real reports: HTML, OCR markdown, PDF text, glued cells, lost labels.

tests/data/real holds copies of real reports and the hand-made labels of those
that have them (FIGURES.md keys); new-format figures must match exactly.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from xxgk import glued
from xxgk import parse_new
from xxgk.extract import extract_document
from xxgk.identities import FAIL, evaluate

REAL = Path(__file__).resolve().parent / "data" / "real"
LABELS = {r["doc"]: r for r in map(json.loads, (REAL / "labels.jsonl").read_text(encoding="utf-8").splitlines())}


def _new_format(figs: dict) -> dict:
    return {k: v for k, v in figs.items() if k.count(".") == 2}


@pytest.mark.parametrize("doc", sorted(LABELS))
def test_labelled_real_reports_exact(doc):
    label = LABELS[doc]
    _, report = extract_document(REAL / doc)
    assert report.template == label["template"]
    assert report.report_year == label["report_year"]
    assert _new_format(report.figures()) == _new_format(label["figures"])


def test_table_copied_from_a_browser_keeps_its_empty_cells():
    """The Shanghai 2019 page as a browser copies it (innerText): a tab between cells, an
    empty cell as two tabs in a row, a merged cell written once. Spaces instead of the
    tabs would shift every value after an empty cell."""
    copied = Path(__file__).resolve().parent / "data" / "browser_copy" / "01_shanghai_bgt_2019_innertext.txt"
    assert "\t\t" in copied.read_text(encoding="utf-8")
    _, report = extract_document(copied)
    label = LABELS["01_shanghai_bgt_2019.html"]
    assert (report.report_year, report.template) == (label["report_year"], label["template"])
    assert report.figures() == label["figures"]
    total = next(c for c in report.cells if c.key == "applications.granted.total")
    assert total.status == "empty" and total.source.startswith("line ")


@pytest.mark.parametrize("doc", ["01_shanghai_bgt_2019.html", "02_shuyang_county_2025.md",
                                 "06_testcity_hangzhou_style_2025.html"])
def test_an_empty_column_at_the_tables_edge_changes_nothing(tmp_path, doc):
    """An empty last column (a stray <td>, a spreadsheet's padding): its blanks on the
    header rows are not values, nor is the one after a small table's five cells."""
    text = (REAL / doc).read_text(encoding="utf-8")
    if doc.endswith(".html"):
        padded = re.sub(r"</tr>", "<td></td></tr>", text, flags=re.I)
    else:
        padded = re.sub(r"(?m)^(\|.*\|)[ \t]*$", r"\1  |", text)
    assert padded != text
    (tmp_path / doc).write_text(padded, encoding="utf-8")
    _, report = extract_document(tmp_path / doc)
    assert _new_format(report.figures()) == _new_format(LABELS[doc]["figures"])


def test_ocr_placeholder_headers_one_cell_per_line(tmp_path):
    """The OCR markdown of Shuyang 2025 heads each row's small table 类别 | 数据1 … 数据6 |
    总计. Written one cell per line (the same tables as PDF text), 数据1 is a header word:
    read as 数据 and a glued 1 it had become the row's first value."""
    doc = "02_shuyang_county_2025.md"
    lines = []
    for line in (REAL / doc).read_text(encoding="utf-8").split("\n"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else [line]
        lines.extend(c for c in cells if not re.fullmatch(r"-{3,}", c))
    text = "\n".join(lines)
    assert "\n数据1\n" in text and "|" not in text.split("三、收到和处理")[1]
    (tmp_path / "shuyang.txt").write_text(text, encoding="utf-8")
    _, report = extract_document(tmp_path / "shuyang.txt")
    assert _new_format(report.figures()) == _new_format(LABELS[doc]["figures"])


# Label drift (CODEBOOK 6.2): wordings that reports' own typing drifts to.
_DRIFT = {"本年新收": "本年度新收", "上年结转": "上年度结转", "(七)总计": "(七)合计", "（七）总计": "（七）合计",
          "结转下年度继续办理": "结转下一年度继续办理", "危及“三安全一稳定”": "危及国家安全、公共安全、经济安全和社会稳定"}


@pytest.mark.parametrize("doc", ["02_shuyang_county_2025.md", "06_testcity_hangzhou_style_2025.html",
                                 "13_pingtan_zone_2019.txt", "22_pingtan_shs_2021.txt"])
def test_label_drift_reads_the_same(tmp_path, doc):
    text = (REAL / doc).read_text(encoding="utf-8")
    drifted = text
    for a, b in _DRIFT.items():
        drifted = drifted.replace(a, b)
    assert sum(a in text for a in _DRIFT) >= 4
    (tmp_path / doc).write_text(drifted, encoding="utf-8")
    _, report = extract_document(tmp_path / doc)
    assert _new_format(report.figures()) == _new_format(LABELS[doc]["figures"])


def test_html_blank_total_column_is_empty_not_zero():
    _, report = extract_document(REAL / "01_shanghai_bgt_2019.html")
    granted_total = [c for c in report.cells if c.key == "applications.granted.total"]
    assert granted_total and granted_total[0].status == "empty"
    assert "applications.granted.total" not in report.figures()
    assert granted_total[0].source.startswith("table ")
    statuses = {r["identity"]: r["status"] for r in evaluate(report)}
    assert statuses["I3.3.granted.2019"] == "not_assessable"


def test_glued_rows_are_reconstructed_with_reasons():
    _, report = extract_document(REAL / "15_pingtan_zone_2021.txt")
    granted = {c.col: c for c in report.cells if c.table == "applications" and c.row == "granted"}
    assert [int(granted[c].value) for c in ("natural_person", "social_welfare", "other_org", "total")] == [27, 2, 1, 30]
    assert granted["total"].method == "reconstructed" and "column identities" in granted["total"].note
    review = [c for c in report.cells if c.table == "reviews"]
    assert review[0].method == "reconstructed" and "only one" in review[0].note


def test_lost_labels_placed_by_row_count():
    _, report = extract_document(REAL / "04_shanghai_kewei_2024.md")
    assert report.template == "2021"
    rows = {c.row for c in report.cells if c.table == "applications"}
    assert len(rows) == 25
    placed = [c for c in report.cells if c.method == "reconstructed"]
    assert placed and all("template's row order" in c.note for c in placed)
    f = report.figures()
    assert f["applications.unable_creation.natural_person"] == 6
    assert f["applications.other_overdue_correction.total"] == 10
    assert not [r for r in evaluate(report) if r["status"] == FAIL]


def test_pdf_text_with_footers_and_broken_labels():
    _, report = extract_document(REAL / "05_shanghai_bgt_2025.md")
    f = report.figures()
    assert report.template == "2021"
    assert f["applications.new_received.total"] == 1295
    assert f["applications.ignored_confirm.total"] == 0
    assert f["applications.other_overdue_correction.total"] == 43
    assert f["reviews.litigation_after_review.total"] == 22
    assert not [r for r in evaluate(report) if r["status"] == FAIL]


def test_year_glued_to_prose_and_typo_label():
    _, report = extract_document(REAL / "21_pingtan_scj_2025.txt")
    f = report.figures()
    assert f["applications.denied_enforcement.natural_person"] == 3      # 行政执法案件 for 案卷
    assert f["applications.carried_forward.total"] == 2                  # "20000022025年…": 2025 is the year
    assert f["applications.partial.natural_person"] == 11
    assert len(_new_format(f)) == 190


def test_three_digit_cells():
    _, report = extract_document(REAL / "17_pingtan_zone_2025.txt")
    f = report.figures()
    assert f["applications.new_received.natural_person"] == 151 and f["applications.new_received.total"] == 154
    assert not [r for r in evaluate(report) if r["status"] == FAIL]


# ---- glued runs ---------------------------------------------------------------------

ROW = (7,)


@pytest.mark.parametrize("tokens,expected,reconstructed", [
    (["7000007"], (7, 0, 0, 0, 0, 0, 7), False),
    (["230", "000023"], (23, 0, 0, 0, 0, 0, 23), True),
    (["15130000154"], (151, 3, 0, 0, 0, 0, 154), True),
    (["20", "00", "0", "0", "2"], (2, 0, 0, 0, 0, 0, 2), False),
    (["0", "0", "0", "0", "0", "0", "0"], (0,) * 7, False),
])
def test_glued_row_readings(tokens, expected, reconstructed):
    g = glued.read(tokens, ROW)
    assert g.values == expected and g.reconstructed == reconstructed


def test_glued_ambiguous_and_unbalanced_left_out():
    amb = glued.read(["270020130"], ROW)                 # 2,7,0,0,20,1,30 and 27,0,0,2,0,1,30
    assert amb.values is None and len(amb.balanced) == 2
    none = glued.read(["1234567"], ROW)                  # one split, it does not balance: stated as is
    assert none.values == (1, 2, 3, 4, 5, 6, 7) and not none.reconstructed
    bad = glued.read(["12345678"], ROW)
    assert bad.values is None and "none in which" in bad.note


def test_review_header_words_broken_at_a_line_end():
    """PDF text breaks a header word at the cell's edge (其 / 他结果): still header, not a
    text that ends the run of cells read so far."""
    groups = [("行政复议", "27 10 9 15 61"), ("行政诉讼(未经复议直接起诉)", "3 0 0 0 3"), ("行政诉讼(复议后起诉)", "8 0 1 1 10")]
    text = "四、政府信息公开行政复议、行政诉讼情况\n" + "".join(
        f"{head}\n结果维持 结果纠正 其\n他结果 尚未审结 总计\n{values}\n" for head, values in groups) + "五、存在的主要问题\n"
    cells = parse_new.parse_reviews(text).cells
    assert [int(c.value) for c in cells] == [int(v) for _, values in groups for v in values.split()]


def test_review_header_glued_on_one_line_is_read_in_linear_time():
    """A PDF's text layer can glue table 四's header cells into one line. Deciding whether such a
    line is header text was a regex that backtracked exponentially when the line ended in
    something else: this line took longer than any test run."""
    header = "结果维持结果纠正其他结果尚未审结总计" * 12
    assert parse_new._is_review_header(header) and parse_new._is_review_header("他结果" + header + "尚未审")
    assert not parse_new._is_review_header(header + "啊") and not parse_new._is_review_header("结果维持" * 60 + "啊")
    text = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议行政诉讼\n" + header + "\n"
            "27 10 9 15 61 3 0 0 0 3 8 0 1 1 10\n五、存在的主要问题\n")
    assert [int(c.value) for c in parse_new.parse_reviews(text).cells] == [27, 10, 9, 15, 61, 3, 0, 0, 0, 3, 8, 0, 1, 1, 10]


def test_glued_review_run():
    g = glued.read(["10203120001200000"], (5, 5, 5))
    assert g.values == (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0) and g.reconstructed


def test_leading_zero_rule_and_spaces_are_boundaries():
    assert glued.count_readings(["01"], 2) == 1                # 0|1, never "01"
    assert glued.count_readings(["1", "23"], 2) == 1           # the space is a boundary: 1|23 only


# ---- lost labels: certain only by count -------------------------------------------

def _table(rows: int, lost: set[int]) -> str:
    keys = [r for r in parse_new.T.rows_for("2021")]
    lines = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
             "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"]
    for i, r in enumerate(keys[:rows]):
        label = "" if i in lost else r.label
        lines.append(f"| {label} | {i} | 0 | 0 | 0 | 0 | 0 | {i} |")
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    return "\n".join(lines)


def test_unlabelled_rows_placed_when_count_is_certain():
    p = parse_new.parse_applications(_table(25, {3, 10}))
    rows = {c.row: c for c in p.cells if c.col == "natural_person"}
    assert rows["partial"].value == 3 and rows["partial"].method == "reconstructed"
    assert rows["denied_enforcement"].value == 10
    assert p.template == "2021"


def test_unlabelled_rows_unplaceable_when_count_differs():
    p = parse_new.parse_applications(_table(24, {3, 10}))
    assert any("unplaceable" in n for n in p.notes)
    keys = {c.row for c in p.cells}
    assert "partial" not in keys and "denied_enforcement" not in keys
    assert "granted" in keys                              # rows with their own labels are kept


def test_subtotal_column_is_kept_apart_from_the_total():
    """Some agencies add a 小计 column for 法人或其他组织: kept unmapped, never read as 总计."""
    from test_cross_year import report_text
    from xxgk.extract import parse_text
    from xxgk.identities import evaluate
    from xxgk.model import Report
    lines = []
    for ln in report_text(2022, [1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]).split("\n"):
        cells = [c.strip() for c in ln.strip("|").split("|")]
        if ln.startswith("| ") and len(cells) == 8:
            sub = "小计" if cells[0] == "申请人情况" else str(sum(int(x) for x in cells[2:7]))
            ln = "| " + " | ".join(cells[:7] + [sub] + cells[7:]) + " |"
        lines.append(ln)
    r = parse_text(Report(doc="x.txt"), "\n".join(lines))
    assert r.figures()["applications.new_received.total"] == 125
    assert r.figures()["applications.new_received.other_org"] == 21
    subtotals = [c for c in r.cells if c.col == "subtotal_org"]
    assert len(subtotals) == 25 and not any(c.mapped for c in subtotals)
    assert {x["status"] for x in evaluate(r)} == {"pass"}

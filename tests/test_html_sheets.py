"""HTML pages and spreadsheet attachments: both templates, merged cells, exact figures; bad input.

Fixtures are written here at test time (openpyxl for .xlsx, xlwt for .xls, an
HTML table saved under an .xls name) from one grid description, so the three
renderings must give the same figures.
"""
from __future__ import annotations

import io
import zipfile

import pytest

from conftest import DATA
from xxgk import templates as T
from xxgk.extract import extract_document
from xxgk.render import RenderError, html_to_text, spreadsheet_to_text
from xxgk.synth import xls_bytes

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
GROUP_LABELS = {"denied": "（三）不予公开", "unable": "（四）无法提供", "ignored": "（五）不予处理", "other": "（六）其他处理"}
SUB_LABEL = {r.key: r.label for r in T.APPLICATION_ROWS}
TOP_LABEL = SUB_LABEL     # rows whose label spans the label columns; the labels come from templates.py
EMPTY_CELLS = {("denied_security", "commercial"), ("ignored_massive", "research")}   # printed empty


def figures_for(template: str) -> dict[str, int]:
    """A balanced table: outcome rows, their totals, carry-over; reviews balanced too."""
    rows = [r.key for r in T.rows_for(template)]
    outcome = [r.key for r in T.rows_for(template) if r.group]
    vals: dict[str, list[int]] = {}
    for i, key in enumerate(outcome):
        vals[key] = [(i * 7 + j * 3) % 11 for j in range(6)]
    handled = [sum(vals[k][j] for k in outcome) for j in range(6)]
    vals["handled_total"] = handled
    vals["carried_over"] = [j for j in range(6)]
    vals["carried_forward"] = [2 * j + 1 for j in range(6)]
    vals["new_received"] = [handled[j] + vals["carried_forward"][j] - vals["carried_over"][j] for j in range(6)]
    out: dict[str, int] = {}
    for key in rows:
        row = vals[key]
        for col, v in zip(T.APPLICANT_TYPES, row):
            if (key, col) not in EMPTY_CELLS:
                out[f"applications.{key}.{col}"] = v
        out[f"applications.{key}.total"] = sum(row)
    for g, base in zip(T.REVIEW_GROUPS, ((3, 1, 0, 2), (12, 0, 4, 1), (0, 0, 0, 0))):
        for c, v in zip(("upheld", "corrected", "other", "pending"), base):
            out[f"reviews.{g.key}.{c}"] = v
        out[f"reviews.{g.key}.total"] = sum(base)
    return out


def grid_for(template: str, figs: dict[str, int]):
    """(cells, merges) of tables 三 and 四 laid out as the official form, with merged cells.

    cells: rows of values (None under a merge); merges: (r0, c0, r1, c1) inclusive."""
    cells: list[list] = []
    merges: list[tuple[int, int, int, int]] = []

    def add(row):
        cells.append(row + [None] * (10 - len(row)))

    add([f"测试市测试局2023年政府信息公开工作年度报告"]); merges.append((0, 0, 0, 9))
    add(["三、收到和处理政府信息公开申请情况"])
    h = len(cells)
    add([NOTE, None, None, "申请人情况"]); merges += [(h, 0, h + 2, 2), (h, 3, h, 9)]
    add([None, None, None, "自然人", "法人或其他组织", None, None, None, None, "总计"])
    merges += [(h + 1, 3, h + 2, 3), (h + 1, 4, h + 1, 8), (h + 1, 9, h + 2, 9)]
    add([None, None, None, None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", None])
    rows = T.rows_for(template)

    def values(key):
        return [figs.get(f"applications.{key}.{c.key}", "") for c in T.APPLICANT_COLUMNS]

    outcome_start = None
    i = 0
    while i < len(rows):
        r = rows[i]
        at = len(cells)
        if r.group in GROUP_LABELS and r.key != "other":
            members = [x for x in rows if x.group == r.group]
            for j, m in enumerate(members):
                add([None, GROUP_LABELS[r.group] if j == 0 else None, SUB_LABEL[m.key]] + values(m.key))
            merges.append((at, 1, at + len(members) - 1, 1))
            i += len(members)
            continue
        if r.key in ("new_received", "carried_over", "carried_forward"):
            add([TOP_LABEL[r.key], None, None] + values(r.key)); merges.append((at, 0, at, 2))
        else:
            add([None, TOP_LABEL[r.key], None] + values(r.key)); merges.append((at, 1, at, 2))
        if r.key == "granted":
            outcome_start = at
        if r.key == "handled_total":
            cells[outcome_start][0] = "三、本年度办理结果"
            merges.append((outcome_start, 0, at, 0))
        i += 1
    add(["四、政府信息公开行政复议、行政诉讼情况"])
    rv = len(cells)
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    cells.append(["行政复议"] + [None] * 4 + ["行政诉讼"] + [None] * 9)
    merges += [(rv, 0, rv, 4), (rv, 5, rv, 14)]
    cells.append(heads + ["未经复议直接起诉"] + [None] * 4 + ["复议后起诉"] + [None] * 4)
    merges += [(rv + 1, 0, rv + 2, 0), (rv + 1, 1, rv + 2, 1), (rv + 1, 2, rv + 2, 2), (rv + 1, 3, rv + 2, 3),
               (rv + 1, 4, rv + 2, 4), (rv + 1, 5, rv + 1, 9), (rv + 1, 10, rv + 1, 14)]
    cells.append([None] * 5 + heads + heads)
    cells.append([figs[f"reviews.{g.key}.{c.key}"] for g in T.REVIEW_GROUPS for c in T.REVIEW_COLUMNS])
    add(["五、存在的主要问题及改进情况"])
    return cells, merges


def write_xlsx(cells, merges, two_sheets: bool = True) -> bytes:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表三"
    split = next(i for i, r in enumerate(cells) if r and r[0] == "四、政府信息公开行政复议、行政诉讼情况")
    sheets = [(ws, 0, split), (wb.create_sheet("表四"), split, len(cells))] if two_sheets else [(ws, 0, len(cells))]
    for sh, lo, hi in sheets:
        for r in range(lo, hi):
            for c, v in enumerate(cells[r]):
                if v not in (None, ""):
                    sh.cell(row=r - lo + 1, column=c + 1, value=v)
        for r0, c0, r1, c1 in merges:
            if lo <= r0 < hi:
                sh.merge_cells(start_row=r0 - lo + 1, start_column=c0 + 1, end_row=r1 - lo + 1, end_column=c1 + 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xls(cells, merges) -> bytes:
    return xls_bytes(cells, merges, sheet="Sheet1")


def write_html(cells, merges) -> str:
    """One <table> per block, rowspan/colspan, &nbsp; for empty cells, digits split over <span>s."""
    origin = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(origin)
    out = ["<html><head><title>测试市测试局2023年政府信息公开工作年度报告</title></head><body>",
           '<div class="nav">首页 | 2023 | 123 | 信息公开</div><script>var x = "一、本年新收 9 9 9";</script>',
           "<p>本报告所列数据统计期限为2023年1月1日至12月31日。</p>"]
    in_table = False
    for r, row in enumerate(cells):
        first = row[0] if row else None
        is_heading = isinstance(first, str) and (first.startswith(("三、收到", "四、政府", "五、")) or "年度报告" in first)
        if is_heading:
            if in_table:
                out.append("</table>")
                in_table = False
            out.append(f"<p>{first}</p>")
            continue
        if not in_table:
            out.append('<table border="1">')
            in_table = True
        tds = []
        for c, v in enumerate(row):
            if (r, c) in covered:
                continue
            rs, cs = origin.get((r, c), (1, 1))
            if v is None and (r, c) not in origin and all(x is None for x in row[c:]):
                break
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            if v in (None, ""):
                text = "&nbsp;"
            elif isinstance(v, int) and v >= 10:
                s = str(v)
                text = f"<span>{s[:1]}</span><font>{s[1:]}</font>"      # digits split across tags
            else:
                text = f"<p>{v}</p>"
            tds.append(f"<td{attrs}>{text}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    if in_table:
        out.append("</table>")
    out.append('<div id="footer">版权所有 2024 电话 0527-83593059</div></body></html>')
    return "\n".join(out)


def _new_format_figures(report) -> dict:
    return {k: v for k, v in report.figures().items() if k.startswith(("applications.", "reviews."))}


@pytest.mark.parametrize("template", ["2021", "2019"])
def test_xlsx_two_sheets_merged_cells(tmp_path, template):
    figs = figures_for(template)
    path = tmp_path / f"统计表{template}.xlsx"
    path.write_bytes(write_xlsx(*grid_for(template, figs)))
    doc, report = extract_document(path)
    assert doc.ok, doc.reason
    assert report.template == template
    assert _new_format_figures(report) == figs
    assert {c.source.split(" row")[0] for c in report.cells} == {"表三", "表四"}
    empty = [c for c in report.cells if c.status == "empty"]
    assert {(c.row, c.col) for c in empty} == EMPTY_CELLS     # printed empty: a cell with no figure


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_xls_biff_merged_cells(tmp_path, template):
    figs = figures_for(template)
    path = tmp_path / f"2023年信息公开统计表{template}.xls"
    path.write_bytes(write_xls(*grid_for(template, figs)))
    doc, report = extract_document(path)
    assert doc.ok and doc.kind == "spreadsheet"
    assert report.template == template
    assert _new_format_figures(report) == figs
    assert all(c.source.startswith("Sheet1 row ") for c in report.cells)


def test_html_named_xls_is_read_as_html(tmp_path):
    figs = figures_for("2021")
    path = tmp_path / "统计表.xls"
    path.write_text(write_html(*grid_for("2021", figs)), encoding="utf-8")
    doc, report = extract_document(path)
    assert doc.ok and doc.kind == "html"
    assert report.template == "2021"
    assert _new_format_figures(report) == figs
    assert any(c.source.startswith("table ") for c in report.cells)


def test_html_grid_rendering():
    html = ("<table><tr><td rowspan='2'>a</td><td colspan='2'>b</td></tr>"
            "<tr><td>&nbsp;</td><td><span>1</span><span>2</span></td></tr></table>"
            "<nav>1 2 3</nav><footer>- 4 -</footer>")
    text, origin = html_to_text(html)
    assert text.split("\n") == ["| a | b | b |", "| a |  | 12 |"]
    assert origin == {1: "table 1 row 1", 2: "table 1 row 2"}


def test_same_figures_from_xlsx_xls_and_html():
    figs = figures_for("2021")
    grid = grid_for("2021", figs)
    t1, _ = spreadsheet_to_text(write_xlsx(*grid, two_sheets=False), "a.xlsx")
    t2, _ = spreadsheet_to_text(write_xls(*grid), "a.xls")
    t3, _ = html_to_text(write_html(*grid))

    def body(t):   # table rows (the one-cell heading rows are paragraphs in the HTML)
        return [ln for ln in t.split("\n")
                if ln.startswith("| ") and len({x.strip() for x in ln.strip("|").split("|")}) > 1]
    assert body(t1) == body(t2) == body(t3)


def test_old_template_sheet_renders_rows():
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("统计表")
    ws.write_merge(0, 0, 0, 2, "2016年政府信息公开情况统计表")
    rows = [("指标", "单位", "数量"), ("（一）收到申请数", "件", 28), ("1.当面申请数", "件", 2),
            ("2.传真申请数", "件", 0), ("3.网络申请数", "件", 26), ("4.信函申请数", "件", 0)]
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    text, origin = spreadsheet_to_text(buf.getvalue(), "统计表.xls")
    lines = text.split("\n")
    assert "| 2016年政府信息公开情况统计表 | 2016年政府信息公开情况统计表 | 2016年政府信息公开情况统计表 |" in lines
    assert "| （一）收到申请数 | 件 | 28 |" in lines and "| 3.网络申请数 | 件 | 26 |" in lines
    assert origin[lines.index("| 1.当面申请数 | 件 | 2 |") + 1] == "统计表 row 4"


# ---- bad input: a reason each, no crash --------------------------------------------

def _xlsx_bytes() -> bytes:
    figs = figures_for("2021")
    return write_xlsx(*grid_for("2021", figs))


def test_truncated_xlsx_is_rejected_with_reason(tmp_path):
    data = _xlsx_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    doc, report = extract_document(path)
    assert doc.status == "rejected" and "corrupt or truncated" in doc.reason
    assert report.notes and not report.cells


def test_corrupt_xls_is_rejected_with_reason(tmp_path):
    path = tmp_path / "bad.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20)
    doc, report = extract_document(path)
    assert doc.status == "rejected" and "corrupt or truncated .xls (xlrd: CompDocError" in doc.reason


# Files a fuzzer made from synthetic attachments and pages (truncated, bytes flipped or spliced):
# each once got an exception out of extract_document, or killed the process.
FUZZ = DATA / "fuzz"


@pytest.mark.parametrize("name, reason", [
    ("truncated_calamine_panics.xls", "corrupt or truncated .xls (xlrd: IndexError: array index out of range)"),
    ("zip_version_255.xlsx", "not a readable zip archive: NotImplementedError: zip file version"),
    ("zip_name_not_utf8.xlsx", "not a readable zip archive: UnicodeDecodeError"),
])
def test_damaged_spreadsheets_are_rejected_with_reason(name, reason, capfd):
    doc, report = extract_document(FUZZ / name)
    assert doc.status == "rejected" and reason in doc.reason and reason in report.notes[0]
    assert capfd.readouterr().out == ""    # xlrd's warnings do not reach standard output (extract's JSON)


def test_xls_whose_sectors_make_calamine_grow_is_refused_before_calamine_reads_it():
    """calamine, given this file, doubles its memory until the process is killed: xlrd's check
    refuses it first. Run in a child process under a 1.5 GB address-space limit, so that a
    regression fails here instead of taking the machine's memory."""
    import resource
    import subprocess
    import sys

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))

    code = ("import sys; from xxgk.extract import extract_document; "
            "doc, _ = extract_document(sys.argv[1]); print(doc.status, doc.reason)")
    p = subprocess.run([sys.executable, "-c", code, str(FUZZ / "sector_chain_calamine_grows.xls")],
                       capture_output=True, text=True, preexec_fn=limit, timeout=120)
    assert p.returncode == 0, p.stderr[-500:]
    assert p.stdout.startswith("rejected spreadsheet could not be read: RenderError: corrupt or truncated .xls (xlrd:")


def test_a_merged_range_past_the_cells_is_cut_to_them():
    """A1:XFD600 merged in a 5 KB file: filling 16,384 columns rendered 49 MB of text."""
    text, _ = spreadsheet_to_text((FUZZ / "merged_range_to_column_xfd.xlsx").read_bytes())
    widest = max(line.count("|") for line in text.split("\n"))
    assert len(text) < 20_000 and widest < 50


def test_a_long_cell_spanning_many_slots_is_refused():
    doc, _ = extract_document(FUZZ / "long_cell_spanning_many.html")
    assert doc.status == "rejected" and "HTML table with more than 10000000 characters" in doc.reason


def test_a_span_written_with_a_superscript_digit_counts_as_one():
    text, _ = html_to_text((FUZZ / "colspan_superscript.html").read_text(encoding="utf-8"))
    assert text == "| 1 |"


def test_password_protected_workbook_is_rejected(tmp_path):
    # An encrypted .xlsx is an OLE2 container with EncryptionInfo and EncryptedPackage streams.
    names = b"".join(n.encode("utf-16-le") + b"\x00\x00" for n in ("EncryptionInfo", "EncryptedPackage"))
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + names + b"\x00" * 2048
    path = tmp_path / "secret.xlsx"
    path.write_bytes(data)
    doc, _ = extract_document(path)
    assert doc.status == "rejected" and "password-protected" in doc.reason


def test_zip_bomb_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (40 * 1024 * 1024))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 200_000
    doc, report = extract_document(path)
    assert doc.status == "rejected" and "zip bomb" in doc.reason


def test_oversized_sheet_is_refused(monkeypatch):
    from xxgk import render
    monkeypatch.setattr(render, "MAX_SHEET_ROWS", 10)
    with pytest.raises(RenderError, match="over the size limit"):
        spreadsheet_to_text(_xlsx_bytes(), "big.xlsx")


def test_html_page_without_tables(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><div class='nav'>首页</div><p>2023年政府信息公开工作年度报告</p>"
                    "<p>本机关未收到政府信息公开申请。</p></body></html>", encoding="utf-8")
    doc, report = extract_document(path)
    assert doc.ok
    assert not [c for c in report.cells if c.table in ("applications", "reviews") and c.col]
    assert report.notes                                       # says why there are no figures


def test_multiple_sheets_all_rendered():
    text, origin = spreadsheet_to_text(_xlsx_bytes(), "x.xlsx")
    assert "## 表三" in text and "## 表四" in text
    assert any(v.startswith("表四 row") for v in origin.values())

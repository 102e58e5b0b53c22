"""A synthetic corpus with its truth: the benchmark's input and the tests' round trip.

`generate(folder, n)` writes n reports in every layout the parsers read, and
`labels.jsonl` beside them (FIGURES.md form, plus `layout`, `variants` and
`breaks`; ingest skips that file). Figures are drawn so that every identity of
identities.py holds, except in the reports where one cell was planted off
balance (`breaks` names it, the figure is written as published).

Layouts (new format, templates 2019 and 2021):
    lines     one cell per line, nil marks for zero
    pipes     pipe-terminated cells, a lone "|" an empty cell, "||" between rows
    markdown  "| label | v | … |" rows under a header
    spaces    a row's label and cells on one line, separated by spaces
    glued     a whole table flattened into one line, digit cells glued together
    html      an HTML page with the official form's merged cells
    xlsx, xls the table in a spreadsheet attachment named by a text report
Layouts (old format, pre2019):
    appendix  the national 2014 statistics form (指标 | 单位 | 统计数)
    prose     figures stated in sentences
Variants: traditional characters, pinyin after characters, a body scraped twice.

Labels come from templates.py; only section headings that are no key live here.
Each report is drawn from its own seeded random generator, so a corpus is the
same on every run and any report can be made again alone.
"""
from __future__ import annotations

import html as _html
import json
import os
import random
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import templates as T

# Section headings of table 三 that are not keys (templates.py holds the keys).
OUTCOME_HEAD = "三、本年度办理结果"
GROUP_HEADS = {"denied": "（三）不予公开", "unable": "（四）无法提供", "ignored": "（五）不予处理"}
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
TABLE3_HEAD = "三、收到和处理政府信息公开申请情况"
TABLE4_HEAD = "四、政府信息公开行政复议、行政诉讼情况"
LEGAL_PERSON = "法人或其他组织"

NEW_LAYOUTS = ("lines", "pipes", "markdown", "spaces", "glued", "html", "xlsx", "xls")
OLD_LAYOUTS = ("appendix", "prose")
# Shares of the corpus (they add up to 1).
LAYOUT_SHARES = {"lines": 0.16, "pipes": 0.16, "markdown": 0.14, "spaces": 0.12, "glued": 0.06, "html": 0.14,
                 "xlsx": 0.02, "xls": 0.01, "appendix": 0.11, "prose": 0.08}
VARIANT_SHARES = {"traditional": 0.03, "pinyin": 0.03, "duplicated": 0.03}
BREAK_SHARE = 0.05             # reports with one planted identity break (not glued: its splits rely on the identities)
CLEAN_LAYOUTS = ("lines", "pipes", "markdown", "spaces", "html", "xlsx", "xls", "appendix")

CITIES = ("杭州市", "宁波市", "温州市", "南通市", "苏州市", "无锡市", "合肥市", "芜湖市", "福州市", "厦门市",
          "南昌市", "赣州市", "济南市", "青岛市", "郑州市", "洛阳市", "武汉市", "宜昌市", "长沙市", "衡阳市",
          "广州市", "韶关市", "成都市", "泸州市", "绵阳市", "昆明市", "西安市", "兰州市", "贵阳市", "南宁市")
BODIES = ("人民政府办公室", "交通运输局", "生态环境局", "自然资源和规划局", "市场监督管理局", "教育局", "民政局",
          "财政局", "住房和城乡建设局", "卫生健康委员会", "农业农村局", "人力资源和社会保障局", "商务局", "司法局",
          "水利局", "应急管理局", "文化广电旅游局", "统计局", "医疗保障局", "人民政府")
FILLER = (
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，",
    "紧紧围绕中心工作和群众关切，持续深化主动公开，突出重点领域信息公开，着力强化政策解读，",
    "完善政务公开平台，严格规范依申请公开答复，不断增强政民互动，切实加强监督保障，",
    "按照公开为常态、不公开为例外的原则，推进决策、执行、管理、服务、结果公开，",
    "进一步健全政府信息公开工作机制，明确分管领导和工作人员，加强业务培训，提升工作人员业务水平，",
    "依托政府门户网站、政务新媒体和政务服务大厅等平台，及时发布各类政府信息，",
    "严格落实政府信息公开保密审查制度，坚持先审查、后公开和一事一审原则，",
    "定期开展政府网站和政务新媒体检查，及时整改发现的问题，保障平台安全平稳运行。",
)
# A few characters with the pinyin a mirror site writes after them; traditional forms included.
PINYIN = {"报": "bào", "報": "bào", "告": "gào", "开": "kāi", "開": "kāi", "政": "zhèng", "府": "fǔ",
          "情": "qíng", "况": "kuàng", "況": "kuàng", "申": "shēn", "请": "qǐng", "請": "qǐng"}


@dataclass
class Doc:
    """One generated report: its files (name → bytes) and its truth rows."""
    files: dict[str, bytes] = field(default_factory=dict)
    truth: list[dict] = field(default_factory=list)


# ---- figures -----------------------------------------------------------------

_OUTCOME_WEIGHT = {"granted": 40, "partial": 10, "denied": 1.2, "unable": 6, "ignored": 1.5, "other": 2}


def draw_new(rng: random.Random, template: str) -> dict[str, list[int]]:
    """Table 三 row → seven cells, and review group → five cells, every identity balanced."""
    rows = T.rows_for(template)
    outcome = [r.key for r in rows if r.group]
    weights = [_OUTCOME_WEIGHT[r.group] * (1.0 if r.key != "unable_not_held" else 4.0) for r in rows if r.group]
    scale = rng.choice((3, 8, 20, 60, 200))
    vals: dict[str, list[int]] = {k: [0] * 6 for k in outcome}
    handled, co, cf = [0] * 6, [0] * 6, [0] * 6
    for c in range(6):
        top = scale if c == 0 else (scale // 5 if c in (1, 5) else scale // 20)
        h = int(rng.random() ** 2 * top) if top else 0
        if h:
            for k, n in Counter(rng.choices(outcome, weights, k=h)).items():
                vals[k][c] = n
        handled[c] = h
        cf[c] = rng.randint(0, h // 8) if h else 0
        co[c] = rng.randint(0, h // 8) if h else 0
    out = {k: vals[k] for k in outcome}
    out["handled_total"] = handled
    out["carried_over"] = co
    out["carried_forward"] = cf
    out["new_received"] = [handled[c] + cf[c] - co[c] for c in range(6)]
    table = {r.key: out[r.key] + [sum(out[r.key])] for r in rows}
    for g in T.REVIEW_GROUPS:
        four = [int(rng.random() ** 3 * s) for s in (6, 3, 3, 2)] if rng.random() < 0.5 else [0, 0, 0, 0]
        table[g.key] = four + [sum(four)]
    return table


_APP_KEYS = {tpl: [(r.key, [(c.key, T.figure_key("applications", r.key, c.key)) for c in T.APPLICANT_COLUMNS])
                  for r in T.rows_for(tpl)] for tpl in ("2019", "2021")}
_REV_KEYS = [(g.key, [(c.key, T.figure_key("reviews", g.key, c.key)) for c in T.REVIEW_COLUMNS]) for g in T.REVIEW_GROUPS]


def new_figures(table: dict[str, list[int]], template: str, empty: set[tuple[str, str]]) -> dict[str, int]:
    figs: dict[str, int] = {}
    for row, cols in _APP_KEYS[template] + _REV_KEYS:
        vals = table[row]
        for (col, fk), v in zip(cols, vals):
            if not empty or (row, col) not in empty:
                figs[fk] = v
    return figs


def plant_break(rng: random.Random, table: dict[str, list[int]], template: str) -> str:
    """Put one cell off balance, as a typo in a published report would; its figure key."""
    choice = rng.random()
    if choice < 0.4:
        row = rng.choice(T.row_keys(template))
        table[row][6] += rng.randint(1, 9)            # a row's 总计 ≠ the sum of its applicants (I3.3)
        return T.figure_key("applications", row, "total")
    if choice < 0.7:
        c = rng.randrange(6)
        table["handled_total"][c] += 1                # （七）总计 ≠ the outcomes (I3.2, I3.1, I3.3)
        return T.figure_key("applications", "handled_total", T.APPLICANT_TYPES[c])
    g = rng.choice(T.REVIEW_GROUPS).key
    table[g][4] += rng.randint(1, 5)                  # a review group's 总计 (I4.1)
    return T.figure_key("reviews", g, "total")


OLD_APP_KEYS = [k.key for k in T.OLD_APPLICATION_ROWS]
OLD_REVIEW_KEYS = [k.key for k in T.OLD_REVIEW_ROWS]
_OLD_LABEL = {k.key: k.label for k in T.OLD_APPLICATION_ROWS + T.OLD_REVIEW_ROWS}


def draw_old(rng: random.Random) -> dict[str, int]:
    """Old-format keys → values: channels add to received, categories to answered, reasons to denied."""
    v: dict[str, int] = {}
    n = int(rng.random() ** 2 * rng.choice((10, 40, 150)))
    ch = Counter(rng.choices(("received_in_person", "received_fax", "received_online", "received_letter"),
                             (3, 1, 6, 2), k=n))
    for k in ("received_in_person", "received_fax", "received_online", "received_letter"):
        v[k] = ch[k]
    v["received"] = n
    late = rng.randint(0, n // 10) if n else 0
    v["completed_on_time"], v["completed_extended"] = n - late, late
    v["completed"] = n
    cats = ("answered_already_public", "answered_granted", "answered_partial", "answered_denied",
            "answered_not_this_agency", "answered_not_exist", "answered_amend", "answered_redirect")
    cc = Counter(rng.choices(cats, (5, 10, 2, 1, 2, 2, 1, 1), k=n))
    for k in cats:
        v[k] = cc[k]
    v["answered"] = n
    reasons = ("denied_state_secret", "denied_commercial_secret", "denied_privacy", "denied_security",
               "denied_not_gov_info", "denied_other_law")
    rc = Counter(rng.choices(reasons, (1, 1, 2, 1, 2, 1), k=v["answered_denied"]))
    for k in reasons:
        v[k] = rc[k]
    for grp in ("review", "litigation"):
        sub = [int(rng.random() ** 3 * s) for s in (3, 2, 2)] if rng.random() < 0.4 else [0, 0, 0]
        v[f"{grp}_upheld"], v[f"{grp}_corrected"], v[f"{grp}_other"] = sub
        v[f"{grp}_total"] = sum(sub)
    return v


def old_figures(v: dict[str, int]) -> dict[str, int]:
    return {T.figure_key("reviews" if k.startswith(("review_", "litigation_")) else "applications", k): n
            for k, n in v.items()}


# ---- rendering: cells and tables ---------------------------------------------

_LABELS = {r.key: r.label for r in T.APPLICATION_ROWS}
_ROWS = {r.key: r for r in T.APPLICATION_ROWS}


def _row_label(key: str) -> str:
    return _LABELS[key]


@lru_cache(maxsize=None)
def _table3_rows(template: str) -> tuple[tuple[str | None, str], ...]:
    """(key or None for a heading line, label) in the form's order."""
    out: list[tuple[str | None, str]] = []
    seen: set[str] = set()
    for r in T.rows_for(template):
        if r.key == "granted":
            out.append((None, OUTCOME_HEAD))
        if r.group in GROUP_HEADS and r.group not in seen:
            seen.add(r.group)
            out.append((None, GROUP_HEADS[r.group]))
        if r.group == "other" and template == "2021" and "other" not in seen:
            seen.add("other")
            out.append((None, _row_label("other")))          # （六）其他处理 heads its three sub-rows
        out.append((r.key, r.label))
    return tuple(out)


_COLS = {r.key: [c.key for c in T.APPLICANT_COLUMNS] for r in T.APPLICATION_ROWS}
_COLS.update({g.key: [c.key for c in T.REVIEW_COLUMNS] for g in T.REVIEW_GROUPS})


def _cells_of(table, key, rng, nil, empty) -> list[str]:
    if empty:
        return ["" if (key, c) in empty else (nil if v == 0 and nil else str(v)) for c, v in zip(_COLS[key], table[key])]
    if nil:
        return [nil if v == 0 else str(v) for v in table[key]]
    return [str(v) for v in table[key]]


def _review_cells(table, rng, nil, empty) -> list[str]:
    return [x for g in T.REVIEW_GROUPS for x in _cells_of(table, g.key, rng, nil, empty)]


_APPLICANT_HEADS = [c.label for c in T.APPLICANT_COLUMNS]
_REVIEW_HEADS = [c.label for c in T.REVIEW_COLUMNS]


def text_lines(template, table, rng, nil, empty) -> str:
    out = [TABLE3_HEAD, NOTE, "申请人情况", _APPLICANT_HEADS[0], LEGAL_PERSON, _APPLICANT_HEADS[-1],
           *_APPLICANT_HEADS[1:-1]]
    for key, label in _table3_rows(template):
        out.append(label)
        if key:
            out.extend(_cells_of(table, key, rng, nil, empty))
    out += [TABLE4_HEAD, "行政复议", "行政诉讼", *_REVIEW_HEADS, "未经复议直接起诉", "复议后起诉",
            *_REVIEW_HEADS, *_REVIEW_HEADS, *_review_cells(table, rng, nil, empty)]
    return "\n".join(out)


def text_pipes(template, table, rng, nil, empty) -> str:
    out = [TABLE3_HEAD, NOTE + " |", "申请人情况 |", "||||||||", f"{_APPLICANT_HEADS[0]} |", f"{LEGAL_PERSON} |",
           f"{_APPLICANT_HEADS[-1]} |", "|||||||", *[f"{h} |" for h in _APPLICANT_HEADS[1:-1]], "|||||"]
    for key, label in _table3_rows(template):
        out.append(f"{label} |")
        if key:
            out.extend(f"{v} |" if v else "|" for v in _cells_of(table, key, rng, nil, empty))
            out.append("||")
    out += [TABLE4_HEAD, "行政复议 |", "行政诉讼 |", "|||||||||||||", *[f"{h} |" for h in _REVIEW_HEADS],
            "未经复议直接起诉 |", "复议后起诉 |", "||||||||", *[f"{h} |" for h in _REVIEW_HEADS * 2], "|||||"]
    out.extend(f"{v} |" if v else "|" for v in _review_cells(table, rng, nil, empty))
    return "\n".join(out)


def _md(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def text_markdown(template, table, rng, nil, empty) -> str:
    out = [TABLE3_HEAD, "", _md([NOTE, "", "", "申请人情况", "", "", "", "", "", ""]), _md(["---"] * 10),
           _md(["", "", "", _APPLICANT_HEADS[0], LEGAL_PERSON, "", "", "", "", _APPLICANT_HEADS[-1]]),
           _md(["", "", "", "", *_APPLICANT_HEADS[1:-1], ""])]
    head = ""
    for key, label in _table3_rows(template):
        if key is None:
            head = label
            continue
        out.append(_md([head, "", label] + _cells_of(table, key, rng, nil, empty)))
    out += ["", TABLE4_HEAD, "", _md(["行政复议"] * 5 + ["行政诉讼"] * 10), _md(["---"] * 15),
            _md(_REVIEW_HEADS + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5),
            _md(_REVIEW_HEADS * 3), _md(_review_cells(table, rng, nil, empty))]
    return "\n".join(out)


def text_spaces(template, table, rng, nil, empty) -> str:
    out = [TABLE3_HEAD, NOTE, "申请人情况", " ".join(_APPLICANT_HEADS[:1] + [LEGAL_PERSON] + _APPLICANT_HEADS[-1:]),
           " ".join(_APPLICANT_HEADS[1:-1])]
    for key, label in _table3_rows(template):
        out.append(label + (" " + " ".join(_cells_of(table, key, rng, nil, empty)) if key else ""))
    out += [TABLE4_HEAD, "行政复议 行政诉讼", " ".join(_REVIEW_HEADS) + " 未经复议直接起诉 复议后起诉",
            " ".join(_REVIEW_HEADS * 2), " ".join(_review_cells(table, rng, nil, empty))]
    return "\n".join(out)


def text_glued(template, table, rng, nil, empty) -> str:
    parts = [TABLE3_HEAD, NOTE, "申请人情况", _APPLICANT_HEADS[0], LEGAL_PERSON, _APPLICANT_HEADS[-1],
             *_APPLICANT_HEADS[1:-1]]
    for key, label in _table3_rows(template):
        parts.append(label + ("".join(str(v) for v in table[key]) if key else ""))
    parts += [TABLE4_HEAD, "行政复议行政诉讼", *_REVIEW_HEADS, "未经复议直接起诉复议后起诉", *_REVIEW_HEADS * 2,
              "".join(str(v) for g in T.REVIEW_GROUPS for v in table[g.key])]
    return "".join(parts)


def grid(template, table, rng, nil, empty, title: str | None = None):
    """(rows, merges) of tables 三 and 四 as the official form, for HTML and spreadsheets.
    rows: lists of cell text (None under a merge); merges: (r0, c0, r1, c1) inclusive."""
    rows: list[list] = []
    merges: list[tuple[int, int, int, int]] = []

    def add(r, width=10):
        rows.append(r + [None] * (width - len(r)))

    if title:
        add([title]); merges.append((0, 0, 0, 9))
    add([TABLE3_HEAD]); merges.append((len(rows) - 1, 0, len(rows) - 1, 9))
    h = len(rows)
    add([NOTE, None, None, "申请人情况"]); merges += [(h, 0, h + 2, 2), (h, 3, h, 9)]
    add([None, None, None, _APPLICANT_HEADS[0], LEGAL_PERSON, None, None, None, None, _APPLICANT_HEADS[-1]])
    merges += [(h + 1, 3, h + 2, 3), (h + 1, 4, h + 1, 8), (h + 1, 9, h + 2, 9)]
    add([None, None, None, None, *_APPLICANT_HEADS[1:-1], None])
    head, head_at, outcome_at = None, None, None
    for key, label in _table3_rows(template):
        if key is None:
            if label != OUTCOME_HEAD:
                head, head_at = label, len(rows)
            continue
        at = len(rows)
        vals = _cells_of(table, key, rng, nil, empty)
        r = _ROWS[key]
        if key in ("new_received", "carried_over", "carried_forward"):
            add([label, None, None] + vals); merges.append((at, 0, at, 2))
        elif r.group in GROUP_HEADS or (r.group == "other" and template == "2021"):
            add([None, head if at == head_at else None, label] + vals)
        else:
            add([None, label, None] + vals); merges.append((at, 1, at, 2))
            head_at = None
        if key == "granted":
            outcome_at = at
        if key == "handled_total":
            rows[outcome_at][0] = OUTCOME_HEAD
            merges.append((outcome_at, 0, at, 0))
    # merge each group heading down over its sub-rows
    for g, lab in list(GROUP_HEADS.items()) + [("other", _row_label("other"))]:
        if g == "other" and template != "2021":
            continue
        idx = [i for i, rr in enumerate(rows) if rr[1] == lab]
        if idx:
            n = sum(1 for r in T.rows_for(template) if r.group == g)
            merges.append((idx[0], 1, idx[0] + n - 1, 1))
    rv = len(rows)
    add([TABLE4_HEAD], 15); merges.append((rv, 0, rv, 14))
    add(["行政复议", None, None, None, None, "行政诉讼"], 15); merges += [(rv + 1, 0, rv + 1, 4), (rv + 1, 5, rv + 1, 14)]
    add(_REVIEW_HEADS + ["未经复议直接起诉", None, None, None, None, "复议后起诉"], 15)
    merges += [(rv + 2, c, rv + 3, c) for c in range(5)] + [(rv + 2, 5, rv + 2, 9), (rv + 2, 10, rv + 2, 14)]
    add([None] * 5 + _REVIEW_HEADS * 2, 15)
    add(_review_cells(table, rng, nil, empty), 15)
    return rows, merges


@lru_cache(maxsize=64)
def _html_plan(merges: tuple, widths: tuple) -> tuple:
    """Per row: the (column, attributes) of the cells a <tr> holds, merges applied."""
    covered: set[tuple[int, int]] = set()
    span: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in merges:
        span[(r0, c0)] = (r1 - r0 + 1, c1 - c0 + 1)
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
    plan = []
    for i, w in enumerate(widths):
        tds = []
        for j in range(w):
            if (i, j) in covered:
                continue
            rs, cs = span.get((i, j), (1, 1))
            tds.append((j, (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")))
        plan.append(tuple(tds))
    return tuple(plan)


def html_table(rows, merges) -> str:
    plan = _html_plan(tuple(merges), tuple(len(r) for r in rows))
    out = ['<table border="1" cellspacing="0">']
    for row, tds in zip(rows, plan):
        cells = []
        for j, attrs in tds:
            v = row[j]
            cells.append(f"<td{attrs}>{_html.escape(v) if v else '&nbsp;'}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _openpyxl_bytes(rows, merges) -> bytes:
    import io

    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "统计表"
    for i, row in enumerate(rows, 1):
        for j, v in enumerate(row, 1):
            if v not in (None, ""):
                ws.cell(i, j, v if isinstance(v, int) else int(v) if v.isdigit() else v)
    for r0, c0, r1, c1 in merges:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_PLACEHOLDER = 7_000_000           # value cells of a cached workbook: 7000000 + their index
_XLSX_CACHE: dict[tuple, tuple[dict[str, bytes], str, str]] = {}
_PLACE_RE = None


def xlsx_bytes(rows, merges) -> bytes:
    """An .xlsx written by openpyxl. openpyxl takes ~15 ms a workbook, so a workbook of the same
    shape (labels, merges, which cells are empty) is written once with placeholders, and each
    report's figures and title are put into a copy of its XML."""
    import io
    import re
    import zipfile
    global _PLACE_RE
    title = rows[0][0] if rows and rows[0][0] and rows[0][0].endswith("年度报告") else None
    values = [v for row in rows for v in row if v and v.isdigit()]
    shape = (title is not None, tuple(merges),
             tuple(tuple("#" if v and v.isdigit() else v for v in row) for row in (rows[1:] if title else rows)))
    if shape not in _XLSX_CACHE:
        k = iter(range(len(values)))
        ph = [[_PLACEHOLDER + next(k) if v and v.isdigit() else v for v in row] for row in rows]
        if title:
            ph[0][0] = "@TITLE@"
        data = _openpyxl_bytes(ph, merges)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = {n: z.read(n) for n in z.namelist()}
        _XLSX_CACHE[shape] = (members, members.pop("xl/worksheets/sheet1.xml").decode(),
                              (members.pop("xl/sharedStrings.xml", None) or b"").decode())
        _PLACE_RE = re.compile(r"<v>7(\d{6})</v>")
    members, sheet, strings = _XLSX_CACHE[shape]
    sheet = _PLACE_RE.sub(lambda m: f"<v>{values[int(m.group(1))]}</v>", sheet)
    if title:
        sheet = sheet.replace("@TITLE@", _html.escape(title))
        strings = strings.replace("@TITLE@", _html.escape(title))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for n, b in members.items():
            z.writestr(n, b)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        if strings:
            z.writestr("xl/sharedStrings.xml", strings)
    return buf.getvalue()


def xls_bytes(rows, merges, sheet: str = "统计表") -> bytes:
    """A BIFF .xls of rows (None under a merge) with merges (r0, c0, r1, c1), inclusive."""
    import io

    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    covered = set()
    for r0, c0, r1, c1 in merges:
        v = rows[r0][c0]
        ws.write_merge(r0, r1, c0, c1, int(v) if isinstance(v, str) and v.isdigit() else (v or ""))
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if (i, j) not in covered and v not in (None, ""):
                ws.write(i, j, int(v) if isinstance(v, str) and v.isdigit() else v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- old format ----------------------------------------------------------------

_APPENDIX_ROWS = (
    ("三、依申请公开情况", None), ("（一）收到申请数", "received"), ("1.当面申请数", "received_in_person"),
    ("2.传真申请数", "received_fax"), ("3.网络申请数", "received_online"), ("4.信函申请数", "received_letter"),
    ("（二）申请办结数", "completed"), ("1.按时办结数", "completed_on_time"), ("2.延期办结数", "completed_extended"),
    ("（三）申请答复数", "answered"), ("1.属于已主动公开范围数", "answered_already_public"),
    ("2.同意公开答复数", "answered_granted"), ("3.同意部分公开答复数", "answered_partial"),
    ("4.不同意公开答复数", "answered_denied"), ("其中：涉及国家秘密", "denied_state_secret"),
    ("涉及商业秘密", "denied_commercial_secret"), ("涉及个人隐私", "denied_privacy"),
    ("危及国家安全、公共安全、经济安全和社会稳定", "denied_security"),
    ("不是《条例》所指政府信息", "denied_not_gov_info"), ("法律法规规定的其他情形", "denied_other_law"),
    ("5.不属于本行政机关公开数", "answered_not_this_agency"), ("6.申请信息不存在数", "answered_not_exist"),
    ("7.告知作出更改补充数", "answered_amend"), ("8.告知通过其他途径办理数", "answered_redirect"),
    ("四、行政复议数量", "review_total"), ("（一）维持具体行政行为数", "review_upheld"),
    ("（二）被依法纠错数", "review_corrected"), ("（三）其他情形数", "review_other"),
    ("五、行政诉讼数量", "litigation_total"), ("（一）维持具体行政行为或者驳回原告诉讼请求数", "litigation_upheld"),
    ("（二）被依法纠错数", "litigation_corrected"), ("（三）其他情形数", "litigation_other"),
)
# every label above carries its template label (templates.py) after the item number
assert all(k is None or lab.endswith(_OLD_LABEL[k]) for lab, k in _APPENDIX_ROWS)


def text_appendix(v: dict[str, int], year: int) -> str:
    out = ["附表", f"{year}年政府信息公开情况统计表", "", _md(["统计指标", "单位", "统计数"]), _md(["---"] * 3),
           _md(["一、主动公开情况", "—", "—"]), _md(["（一）主动公开政府信息数", "条", str(v.get("_active", 0))])]
    for label, key in _APPENDIX_ROWS:
        out.append(_md([label, "—", "—"]) if key is None else _md([label, "件", str(v[key])]))
    return "\n".join(out)


def text_prose(v: dict[str, int], year: int) -> tuple[str, dict[str, int]]:
    """Sections 三 and 五 in sentences; the figures the sentences state."""
    said: dict[str, int] = {}

    def n(key: str) -> str:
        said[key] = v[key]
        return f"{v[key]}件"

    if v["received"]:
        app = (f"三、依申请公开政府信息情况\n{year}年，共收到政府信息公开申请{n('received')}，"
               f"其中当面申请{n('received_in_person')}，网络申请{n('received_online')}，"
               f"信函申请{n('received_letter')}，传真申请{n('received_fax')}。"
               f"已答复{n('answered')}，其中属于已主动公开范围的{n('answered_already_public')}，"
               f"同意公开{n('answered_granted')}，同意部分公开{n('answered_partial')}，"
               f"不同意公开{n('answered_denied')}，不属于本行政机关公开的{n('answered_not_this_agency')}，"
               f"申请信息不存在的{n('answered_not_exist')}，告知作出更改补充的{n('answered_amend')}，"
               f"告知通过其他途径办理的{n('answered_redirect')}。")
    else:
        said["received"] = 0
        app = f"三、依申请公开政府信息情况\n{year}年，未收到政府信息公开申请。"
    if v["review_total"] or v["litigation_total"]:
        rev = (f"五、因政府信息公开申请行政复议、提起行政诉讼的情况\n本年度发生因政府信息公开申请行政复议{n('review_total')}，"
               f"行政诉讼{n('litigation_total')}。")
    else:
        said["review_total"] = said["litigation_total"] = 0
        rev = "五、因政府信息公开申请行政复议、提起行政诉讼的情况\n本年度未发生因政府信息公开申请行政复议和行政诉讼的情况。"
    return app + "\n四、政府信息公开的收费及减免情况\n本年度未收取任何费用。\n" + rev, said


# ---- a report ------------------------------------------------------------------

def _narrative(rng: random.Random, k: int) -> str:
    return "".join(rng.choice(FILLER) for _ in range(k))


def _t2s_reverse():
    import opencc
    return opencc.OpenCC("s2t")


_S2T = None


def _traditional(text: str) -> str:
    global _S2T
    if _S2T is None:
        _S2T = _t2s_reverse()
    return _S2T.convert(text)


def _pinyin(text: str, rng: random.Random) -> str:
    return "".join(ch + f"({PINYIN[ch]})" if ch in PINYIN and rng.random() < 0.5 else ch for ch in text)


def pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), list(shares.values()))[0]


def make_report(i: int, seed: int = 0) -> Doc:
    """Report number i of the corpus with this seed."""
    rng = random.Random(seed * 1_000_003 + i)
    layout = pick(rng, LAYOUT_SHARES)
    city = rng.choice(CITIES)
    agency = city + rng.choice(BODIES)
    name = f"{i:06d}"
    variants = [v for v, s in VARIANT_SHARES.items() if rng.random() < s] if layout not in ("xlsx", "xls") else []
    if layout in OLD_LAYOUTS:
        year = rng.randint(2014, 2018)
        template = "pre2019"
    else:
        template = rng.choice(("2019", "2021", "2021"))
        year = rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2024)
    title = f"{agency}{year}年政府信息公开工作年度报告"
    intro = (f"{title}\n发布日期：{year + 1}-01-{rng.randint(10, 28)}\n"
             f"根据《中华人民共和国政府信息公开条例》规定，现公布{agency}{year}年政府信息公开工作年度报告。"
             f"本报告所列数据的统计期限为{year}年1月1日至{year}年12月31日。\n"
             f"一、总体情况\n{year}年，{agency}{_narrative(rng, 6)}\n")
    outro = f"五、存在的主要问题及改进情况\n{_narrative(rng, 4)}\n六、其他需要报告的事项\n无。\n"
    truth = {"doc": "", "report_year": year, "agency": agency, "template": template, "figures": {},
             "layout": layout, "variants": variants, "breaks": []}
    doc = Doc()
    if template == "pre2019":
        v = draw_old(rng)
        if layout == "appendix":
            body = f"二、主动公开政府信息情况\n{_narrative(rng, 3)}\n{outro}{text_appendix(v, year)}\n"
            truth["figures"] = old_figures(v)
        else:
            prose, said = text_prose(v, year)
            body = f"二、主动公开政府信息情况\n{_narrative(rng, 3)}\n{prose}\n{outro}"
            truth["figures"] = old_figures(said)
        return _finish(doc, name + ".txt", intro + body, truth, variants, rng)
    table = draw_new(rng, template)
    if layout != "glued" and rng.random() < BREAK_SHARE:
        truth["breaks"].append(plant_break(rng, table, template))
    nil = rng.choice(("", "", "无", "0")) if layout not in ("glued", "xlsx") else ""
    empty: set[tuple[str, str]] = set()
    if layout in ("pipes", "html", "markdown", "xlsx") and rng.random() < 0.3:
        # an agency that leaves its 总计 column empty except on the four summary rows, or a few empty cells
        rows = T.row_keys(template)
        if rng.random() < 0.5 or layout == "xlsx":      # (one shape for xlsx: its workbooks are cached by shape)
            empty = {(k, "total") for k in rows if k not in ("new_received", "carried_over", "handled_total",
                                                            "carried_forward")}
        else:
            empty = {(rng.choice(rows), rng.choice(T.APPLICANT_TYPES)) for _ in range(3)}
        empty = {e for e in empty if table[e[0]][[c.key for c in T.APPLICANT_COLUMNS].index(e[1])] == 0}
    truth["figures"] = new_figures(table, template, empty)
    section2 = f"二、主动公开政府信息情况\n{_narrative(rng, 3)}\n"
    if layout in ("xlsx", "xls"):
        rows, merges = grid(template, table, rng, nil, empty, title=title)
        att = f"{name}_统计表.{layout}"
        doc.files[att] = xlsx_bytes(rows, merges) if layout == "xlsx" else xls_bytes(rows, merges)
        doc.truth.append({**truth, "doc": att})
        text = intro + section2 + f"三、收到和处理政府信息公开申请情况\n详见附件：{att}\n" + outro
        main = {**truth, "figures": {}, "layout": "text naming an attachment", "breaks": []}
        return _finish(doc, name + ".txt", text, main, [], rng)
    if layout == "html":
        rows, merges = grid(template, table, rng, nil, empty)
        page = (f"<html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
                f"<h1>{title}</h1>" + "".join(f"<p>{_html.escape(p)}</p>" for p in (intro + section2).split("\n")[1:] if p)
                + html_table(rows, merges) + "".join(f"<p>{_html.escape(p)}</p>" for p in outro.split("\n") if p)
                + "</body></html>")
        return _finish(doc, name + ".html", page, truth, variants, rng)
    render = {"lines": text_lines, "pipes": text_pipes, "markdown": text_markdown, "spaces": text_spaces,
              "glued": text_glued}[layout]
    body = render(template, table, rng, nil, empty)
    sep = "" if layout == "glued" else "\n"
    return _finish(doc, name + (".md" if layout == "markdown" else ".txt"), intro + section2 + body + sep + outro,
                   truth, variants, rng)


def _finish(doc: Doc, fname: str, text: str, truth: dict, variants: list[str], rng: random.Random) -> Doc:
    if "duplicated" in variants:
        text = text + "\n" + text            # a page scraped twice
    if "traditional" in variants:
        text = _traditional(text)
    if "pinyin" in variants:
        text = _pinyin(text, rng)
    doc.files[fname] = text.encode("utf-8")
    doc.truth.append({**truth, "doc": fname})
    return doc


# ---- a corpus ------------------------------------------------------------------

def _write_range(args: tuple[str, int, int, int]) -> str:
    """Reports lo … hi-1 and their truth in a labels part of their own; returns its path."""
    folder, lo, hi, seed = args
    root = Path(folder)
    part = root / f".labels-{lo:09d}.jsonl"
    with open(part, "w", encoding="utf-8") as out:
        for i in range(lo, hi):
            d = make_report(i, seed)
            sub = root / f"{i // 1000:03d}"          # at most a thousand reports a folder
            sub.mkdir(exist_ok=True)
            for name, data in d.files.items():
                (sub / name).write_bytes(data)
            for r in d.truth:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return str(part)


def generate(folder: str | Path, n: int, seed: int = 0, start: int = 0, workers: int | None = None) -> Path:
    """Write reports start … start+n-1 into folder (subfolders of 1,000) and append their
    truth to folder/labels.jsonl; returns that file. Memory stays small whatever n."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    workers = workers or min(os.cpu_count() or 1, 8)
    step = max(50, min(1000, n // (workers * 4) or 1))
    jobs = [(str(folder), lo, min(lo + step, start + n), seed) for lo in range(start, start + n, step)]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_write_range, jobs))
    else:
        parts = [_write_range(j) for j in jobs]
    labels = folder / "labels.jsonl"
    with open(labels, "a", encoding="utf-8") as f:
        for p in parts:                               # in report order
            with open(p, encoding="utf-8") as src:
                for line in src:
                    f.write(line)
            os.remove(p)
    return labels


# ---- scoring (the logic of shared/tools/score_figures.py) -----------------------

def load_jsonl(path: str | Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["doc"]: r for r in rows}


def score(labels: dict[str, dict], preds: dict[str, dict]) -> dict:
    """recall = correct / labelled figures; precision = correct / predicted figures that have
    a label for the same report; meta shares; reports exact; and the same per layout."""
    tot = Counter()
    by_layout: dict[str, Counter] = {}
    for doc, lab in labels.items():
        pred = preds.get(doc, {})
        lf, pf = lab.get("figures", {}), pred.get("figures", {}) or {}
        wrong = sum(1 for k, v in lf.items() if pf.get(k) != v)
        c = Counter(labelled=len(lf), correct=len(lf) - wrong, predicted=sum(1 for k in pf if k in lf),
                    extra=len(set(pf) - set(lf)), reports=1)
        meta_ok = True
        for m in ("report_year", "template", "agency"):
            want = lab.get(m)
            ok = want is None or pred.get(m) == want or (isinstance(want, list) and pred.get(m) in want)
            c[f"{m}_ok"] += ok
            meta_ok &= ok
        c["exact"] += (not wrong) and meta_ok
        tot.update(c)
        by_layout.setdefault(lab.get("layout", "?"), Counter()).update(c)

    def summary(c: Counter) -> dict:
        n = c["reports"] or 1
        return {"reports": c["reports"], "labelled": c["labelled"], "predicted": c["predicted"], "correct": c["correct"],
                "extra": c["extra"], "recall": round(c["correct"] / c["labelled"], 4) if c["labelled"] else 1.0,
                "precision": round(c["correct"] / c["predicted"], 4) if c["predicted"] else 0.0,
                "year": round(c["report_year_ok"] / n, 4), "template": round(c["template_ok"] / n, 4),
                "agency": round(c["agency_ok"] / n, 4), "exact": c["exact"]}

    return {**summary(tot), "by_layout": {k: summary(v) for k, v in sorted(by_layout.items())}}

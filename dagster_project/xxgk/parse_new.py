"""Tables 三 (applications) and 四 (reviews and lawsuits) of the 2019/2021 format.

The row labels of templates.py anchor the table in the text; the stretch
between one label and the next holds that row's cells (cells.py reads them in
any layout). Section 四 has no row labels: its fifteen cells follow the
header words, in the template's column order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import templates as T
from .cells import TEXT, RawCell, split_cells, values
from .model import Cell

N_APP_COLS = len(T.APPLICANT_COLUMNS)
N_REVIEW = len(T.REVIEW_GROUPS) * len(T.REVIEW_COLUMNS)


def _loose(token: str) -> str:
    """A regex for a label token that tolerates spaces and line breaks inside it."""
    return r"\s*".join(re.escape(ch) for ch in token)


_LABEL_END = re.compile(r"[\d|\n]")
_ROW_PATTERNS = {r.key: re.compile("|".join(_loose(m) for m in r.match)) for r in T.APPLICATION_ROWS if r.match}
# Labels whose match tokens are too generic to search for on their own.
_ROW_PATTERNS["other_other"] = re.compile(r"(?:3\s*[.、．,，]?\s*)?其\s*他(?!\s*处\s*理)(?!\s*结\s*果)(?!\s*法)")
_ROW_PATTERNS["handled_total"] = re.compile(r"(?:[(（]\s*七\s*[)）]\s*)?总\s*计")
_TABLE_START = re.compile(_loose("本年新收") + r"[\s\S]{0,600}?" + _loose("上年结转"))
_REVIEW_ANCHOR = re.compile(_loose("结果维持") + "|" + _loose("维持"))
_REVIEW_HEADER = re.compile(r"^(结果|维持|纠正|其他|结果维持|结果纠正|其他结果|尚未|审结|尚未审结|总计|合计|行政复议|行政诉讼|"
                            r"未经复议直接起诉|复议后起诉|未经复议|直接起诉|复议后|起诉|序号|情况|[\W_]+)$")
_NEXT_SECTION = re.compile(r"\n\s*(?:五|5)\s*[、.．]")


@dataclass
class TableParse:
    cells: list[Cell] = field(default_factory=list)
    template: str | None = None       # from the structure of table 三
    notes: list[str] = field(default_factory=list)
    end: int = 0                      # where table 三 ended in the text


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _label_span(text: str, m: re.Match, lo: int) -> tuple[int, int]:
    """Start (with its item prefix) and end of the row label found by m.

    Backwards, a label runs to the previous line break, pipe or value digit;
    one digit directly before "." or "、" is the label's item number (glued
    runs such as 40000042.没有 end in it)."""
    start = m.start()
    while start > lo and text[start - 1] not in "\n|" and not text[start - 1].isdigit():
        start -= 1
    if start > lo and text[start - 1].isdigit() and text[start] in ".、．,，":
        start -= 1
    end_m = _LABEL_END.search(text, m.end())
    end = end_m.start() if end_m else len(text)
    return start, end


def _find_rows(text: str, start: int, stop: int) -> list[tuple[str, int, int]]:
    """(row key, label start, label end) in template order, searched forward."""
    found: list[tuple[str, int, int]] = []
    pos = start
    sub_rows_2021 = False
    for row in T.APPLICATION_ROWS:
        if row.key == "other_other" and not sub_rows_2021:
            continue
        m = _ROW_PATTERNS[row.key].search(text, pos, stop)
        if not m:
            continue
        s, e = _label_span(text, m, pos)
        found.append((row.key, s, e))
        pos = e
        if row.key in ("other_overdue_correction", "other_overdue_fee"):
            sub_rows_2021 = True
    return found


def parse_applications(text: str, source_of=lambda line: f"line {line}") -> TableParse:
    out = TableParse()
    starts = list(_TABLE_START.finditer(text))
    if not starts:
        return out
    start = starts[-1].start() if len(starts) > 1 and "本列数据" in text[starts[-1].start() - 400:starts[-1].start()] else starts[0].start()
    review = _REVIEW_ANCHOR.search(text, start + 50)
    stop = review.start() if review else len(text)
    rows = _find_rows(text, max(0, start - 10), stop)
    has_2019_other = False
    for i, (key, s, e) in enumerate(rows):
        nxt = rows[i + 1][1] if i + 1 < len(rows) else stop
        chunk = text[e:nxt]
        raw = values(split_cells(chunk, _line_at(text, e), label_open=True))
        if key == "other" and not any(c.kind != "empty" for c in raw) and any(r[0].startswith("other_") and r[0] != "other" for r in rows):
            continue                      # 2021: （六）其他处理 only heads its three sub-rows
        if key == "other":
            has_2019_other = True
        if len(raw) < N_APP_COLS:
            out.notes.append(f"table 三 row {key}: {len(raw)} cells found, {N_APP_COLS} expected; row left out")
            continue
        for col, rc in zip(T.APPLICANT_COLUMNS, raw[:N_APP_COLS]):
            out.cells.append(_cell("applications", key, col.key, rc, source_of))
        out.end = nxt
    keys = {r[0] for r in rows}
    if keys & {"other_overdue_correction", "other_overdue_fee"}:
        out.template = "2021"
    elif has_2019_other:
        out.template = "2019"
    return out


def parse_reviews(text: str, start: int = 0, source_of=lambda line: f"line {line}") -> TableParse:
    out = TableParse()
    m = _REVIEW_ANCHOR.search(text, start)
    if not m:
        return out
    nxt = _NEXT_SECTION.search(text, m.end())
    stop = nxt.start() if nxt else min(len(text), m.end() + 4000)
    cells = split_cells(text[m.start():stop], _line_at(text, m.start()))
    picked: list[RawCell] = []
    for c in cells:
        if c.kind == TEXT:
            if _REVIEW_HEADER.match(c.text.replace(" ", "")) or not picked:
                picked = []               # still in the header: start again after it
                continue
            if len(picked) < N_REVIEW:
                picked = []
                continue
            break
        picked.append(c)
        if len(picked) == N_REVIEW:
            break
    if len(picked) < N_REVIEW:
        if picked:
            out.notes.append(f"table 四: {len(picked)} cells found, {N_REVIEW} expected; left out")
        return out
    i = 0
    for g in T.REVIEW_GROUPS:
        for col in T.REVIEW_COLUMNS:
            out.cells.append(_cell("reviews", g.key, col.key, picked[i], source_of))
            i += 1
    return out


def _cell(table: str, row: str, col: str, rc: RawCell, source_of) -> Cell:
    return Cell(table=table, row=row, col=col, value=rc.value, status=rc.kind, raw=rc.text,
                source=source_of(rc.line))


def parse(text: str, source_of=lambda line: f"line {line}") -> TableParse:
    apps = parse_applications(text, source_of)
    revs = parse_reviews(text, apps.end, source_of)
    return TableParse(cells=apps.cells + revs.cells, template=apps.template,
                      notes=apps.notes + revs.notes, end=apps.end)

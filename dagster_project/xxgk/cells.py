"""Reading the value cells of a stretch of table text, whatever its layout.

Layouts seen in scraped reports: one cell per line (blank lines between),
pipe-terminated cells where a lone "|" is an empty cell, markdown rows
("| a | b |"), and rows on one line separated by spaces. A rendered HTML
table or spreadsheet is written as markdown rows (render.py), so it reads the
same way. A line made only of pipes (or a markdown row of empty cells, or a
"|---|" rule) separates rows and holds no cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import EMPTY, NIL, NUMBER

NIL_MARKS = frozenset({"无", "—", "——", "-", "--", "－", "/", "／", "\\", "×", "x", "X", "零", "n/a", "N/A", "/ /", "—/—"})
_UNIT = re.compile(r"(件|元|万元|个|条|次|人|人次|篇|项)$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
TEXT = "text"


@dataclass(slots=True)
class RawCell:
    text: str
    kind: str       # NUMBER | NIL | EMPTY | TEXT
    line: int       # 1-based line of the document (or rendered grid)
    value: float | None = None


@lru_cache(maxsize=1 << 16)
def classify(text: str) -> tuple[str, float | None]:
    t = text.strip().replace(",", "").replace(" ", "")
    if not t:
        return EMPTY, None
    if t in NIL_MARKS or set(t) <= {"—", "-", "－", "/", "／"}:
        return NIL, 0.0
    u = _UNIT.sub("", t)
    if _NUMBER.match(u):
        return NUMBER, float(u)
    return TEXT, None


def _is_separator(cells: list[str]) -> bool:
    return len(cells) >= 2 and all(not c.strip().strip("-:") for c in cells)   # each empty, or only - and :


def split_cells(text: str, first_line: int = 1, label_open: bool = False) -> list[RawCell]:
    """Cells of `text`, in reading order, each with its line number.

    label_open: the text starts right after a row label whose own cell is still
    open, so a first "|" closes the label cell rather than making an empty one.
    """
    out: list[RawCell] = []
    use_pipes = "|" in text
    for i, line in enumerate(text.split("\n")):
        ln = first_line + i
        if use_pipes:
            if "|" not in line:
                pieces = [line] if line.strip() else []
            else:
                s = line.strip()
                markdown = s.startswith("|") and s.endswith("|") and bool(s.strip("|").strip())
                if markdown:
                    pieces = s[1:-1].split("|")          # markdown row (a label's closing pipe is s[0])
                    if _is_separator(pieces):
                        if label_open and i == 0 and all(not p.strip() for p in pieces):
                            # "| | | |" right after a row label: that row's cells, all empty
                            out.extend(RawCell("", EMPTY, ln, None) for _ in pieces)
                        continue
                else:
                    parts = s.split("|")
                    if not s.strip("|").strip() and len(parts) > 2:
                        continue                          # "||", "|||||": a row separator
                    pieces = parts[:-1] if parts[-1].strip() == "" else parts
                if label_open and i == 0 and not markdown:
                    pieces = pieces[1:] if pieces and not pieces[0].strip() else pieces
        else:
            pieces = line.split()
        if i == 0:
            label_open = False
        for p in pieces:
            kind, value = classify(p)
            if not use_pipes and kind == TEXT and not _PLACEHOLDER.match(p):
                # "12件" or "无" glued to words: split a space-less run into parts
                for sub in _split_mixed(p):
                    k2, v2 = classify(sub)
                    out.append(RawCell(sub, k2, ln, v2))
                continue
            out.append(RawCell(p.strip(), kind, ln, value))
    return out


_MIXED = re.compile(r"-?\d+(?:\.\d+)?|[^\d]+")
# A column header a tool made up where it could not read the real one: 数据1 … 数据6 from
# an OCR tool, 列1 … from a spreadsheet's table. A header word, not a label glued to a value.
_PLACEHOLDER = re.compile(r"(?:数据|列)\d{1,2}$")


def _split_mixed(token: str) -> list[str]:
    return _MIXED.findall(token)


def drop_header_blanks(cells: list[RawCell]) -> list[RawCell]:
    """The cells less the empty ones of lines that state no value: a header row's blanks
    (a merged cell's other slots, an empty column at the table's edge) are not values."""
    stated = {c.line for c in cells if c.kind in (NUMBER, NIL)}
    return [c for c in cells if c.kind != EMPTY or c.line in stated]


def values(cells: list[RawCell]) -> list[RawCell]:
    """The value cells (numbers, nil marks, empties), text and header blanks dropped."""
    return [c for c in drop_header_blanks(cells) if c.kind != TEXT]

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
    value: float | None
    line: int       # 1-based line of the document (or rendered grid)


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


Piece = tuple[str, str, "float | None"]     # a cell's text, kind and value


def _piece(piece: str) -> Piece:
    return (piece.strip(), *classify(piece))


def _is_separator(cells: list[str]) -> bool:
    return len(cells) >= 2 and all(not c.strip().strip("-:") for c in cells)   # each empty, or only - and :


# A line's cells depend on the line alone (and, for the first line after a row label,
# on that): cached, as a batch's tables repeat their lines ("0 |", "| 合计 | 3 | 0 |").
@lru_cache(maxsize=1 << 16)
def _pipe_line(line: str, label_open: bool) -> tuple[Piece, ...]:
    """The cells of one line of a text that uses pipes."""
    if "|" not in line:
        return (_piece(line),) if line.strip() else ()
    s = line.strip()
    if s[0] == "|" and s[-1] == "|" and s.strip("|").strip():
        pieces = s[1:-1].split("|")              # markdown row (a label's closing pipe is s[0])
        if _is_separator(pieces):
            if label_open and all(not p.strip() for p in pieces):
                return (("", EMPTY, None),) * len(pieces)   # "| | | |" right after a row label: its cells, all empty
            return ()
        return tuple(map(_piece, pieces))
    parts = s.split("|")
    if len(parts) > 2 and not s.strip("|").strip():
        return ()                                 # "||", "|||||": a row separator
    pieces = parts[:-1] if parts[-1].strip() == "" else parts
    if label_open and pieces and not pieces[0].strip():
        pieces = pieces[1:]
    return tuple(map(_piece, pieces))


@lru_cache(maxsize=1 << 16)
def _spaced_line(line: str) -> tuple[Piece, ...]:
    """The cells of one line of a text without pipes: its words, and a word that glues
    digits to text ("12件", "无" after a label) split into its parts."""
    out: list[Piece] = []
    for p in line.split():
        t, kind, value = _piece(p)
        if kind == TEXT and not _PLACEHOLDER.match(p):
            out.extend(map(_piece, _split_mixed(p)))
        else:
            out.append((t, kind, value))
    return tuple(out)


def split_cells(text: str, first_line: int = 1, label_open: bool = False) -> list[RawCell]:
    """Cells of `text`, in reading order, each with its line number.

    label_open: the text starts right after a row label whose own cell is still
    open, so a first "|" closes the label cell rather than making an empty one.
    """
    out: list[RawCell] = []
    pipes = "|" in text
    for i, line in enumerate(text.split("\n")):
        pieces = _pipe_line(line, label_open and i == 0) if pipes else _spaced_line(line)
        if pieces:                     # (blank lines and row separators hold none)
            ln = first_line + i
            out.extend([RawCell(t, kind, value, ln) for t, kind, value in pieces])
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

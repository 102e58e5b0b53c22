"""The records every parser produces and every loader consumes."""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field, replace
from typing import NamedTuple

from .templates import figure_key

# Cell status: a number, an explicit nil mark (无, —, /, 0-like words) read as 0,
# or an empty cell, which states nothing and is never read as 0.
NUMBER, NIL, EMPTY = "number", "nil", "empty"
# How a figure was obtained.
TABLE, PROSE, RECONSTRUCTED = "table", "prose", "reconstructed"


class _CellFields(NamedTuple):
    table: str            # applications | reviews
    row: str              # template key (templates.py); unmapped rows keep their own label
    col: str              # column key; "" for old-format rows, which have one value
    value: float | None   # None when the cell is empty
    status: str           # NUMBER | NIL | EMPTY
    raw: str              # the cell's text as found
    source: str           # provenance: "line 104", "Sheet1!C7", "table 2 r5 c3", "chars 120-140"
    method: str = TABLE   # TABLE | PROSE | RECONSTRUCTED
    mapped: bool = True   # False: a category outside the template, kept under its own label
    note: str = ""        # e.g. why a glued run was split this way


class Cell(_CellFields):
    """One cell as read. A tuple: a batch makes a few hundred thousand, and Arrow reads a
    list of tuples into the landing columns directly (pipeline.report_tables). Changed
    with _replace."""
    __slots__ = ()

    @property
    def key(self) -> str:
        """The flat figure key (FIGURES.md). Made when asked: the landing makes its column in
        Arrow, and a key's cells are told apart by cell[:3] (record_flags)."""
        return figure_key(self.table, self.row, self.col)

    @property
    def is_figure(self) -> bool:
        return self.mapped and self.status != EMPTY


# A Cell from the tuple of its ten fields, in order, without the constructor's Python call:
# for the table readers' loops, which make a report's hundred and fifty cells.
cell_of = functools.partial(tuple.__new__, Cell)


@dataclass(slots=True)
class Report:
    doc: str                       # file name
    path: str = ""
    sha256: str = ""
    report_year: int | None = None
    agency: str | None = None
    template: str | None = None    # 2019 | 2021 | pre2019
    publish_date: str | None = None
    scope: str = "own_agency"      # own_agency | jurisdiction_summary
    province: str | None = None
    city: str | None = None
    county: str | None = None
    region_code: str | None = None
    is_report: bool = True
    cells: list[Cell] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)   # {"name", "status": found|missing, "path"}
    notes: list[str] = field(default_factory=list)          # what normalization and parsing did or could not do

    def figures(self) -> dict[str, float | int]:
        """One value per key: the stated record cell's (record_flags)."""
        return {c.key: _num(c.value if c.value is not None else 0)
                for c, rec in zip(self.cells, record_flags(self.cells)) if rec and c.status != EMPTY}

    def to_figures_json(self) -> dict:
        return {"doc": self.doc, "report_year": self.report_year, "agency": self.agency,
                "template": self.template, "figures": self.figures()}

    def to_dict(self) -> dict:
        d = asdict(replace(self, cells=[]))
        d["cells"] = [{k: v for k, v in c._asdict().items() if k != "key"} for c in self.cells]
        return d


_RANK = {TABLE: 0, RECONSTRUCTED: 1, PROSE: 2}


def record_flags(cells: list[Cell]) -> list[bool]:
    """Which cell is its key's cell of record: one per key among mapped cells, a stated
    cell before an empty one, then table > reconstructed > prose, then the first found.
    Report.figures() comes from here, the warehouse's is_record_cell from its batch twin
    record_flags_of_batch (tests/test_batch_columns.py keeps the two equal)."""
    best: dict[tuple, int] = {}         # (table, row, col), i.e. key -> index of its best cell so far
    for i, c in enumerate(cells):
        if not c.mapped:
            continue
        j = best.setdefault(c[:3], i)
        if j != i and _order(c) < _order(cells[j]):   # rare: a key found twice
            best[c[:3]] = i
    flags = [False] * len(cells)
    for i in best.values():
        flags[i] = True
    return flags


def _order(c: Cell) -> tuple[bool, int]:
    return c.status == EMPTY, _RANK[c.method]


def record_flags_of_batch(owner, key, mapped, empty, method):
    """record_flags for a batch's cells at once, as a numpy mask. Each argument has an
    entry per cell, the reports' cells in their order: owner, the report's number; key, a
    number per figure key; mapped and empty, masks; method, an Arrow array of the methods."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    rank = pc.index_in(method, value_set=pa.array(sorted(_RANK, key=_RANK.get))).to_numpy(zero_copy_only=False)
    flags = np.zeros(len(owner), dtype=bool)
    at = np.flatnonzero(mapped)
    code = owner[at] * (int(key.max(initial=0)) + 1) + key[at]
    order = np.lexsort((at, rank[at], empty[at], code))     # by key, then the order of _order, then position
    best = np.ones(len(order), dtype=bool)
    best[1:] = code[order][1:] != code[order][:-1]          # the first of each key
    flags[at[order[best]]] = True
    return flags


def cell_ids(doc_ids: list[str], counts: list[int]) -> tuple["pa.Array", "pa.Array"]:
    """The doc_id and cell_id of every cell of reports with these ids and cell counts, as
    Arrow arrays built in Arrow (a batch has a few hundred thousand cells).
    cell_id is "<the first 16 hex digits of doc_id>:<position in its report, from 1>".
    Short because the warehouse stores and compares millions of them: with the whole
    hash, cell_id was 1.6 s of fact_applications' 4 s build at 20,000 reports. 64 bits
    of the hash: two of a million reports share them with a chance of about 3 in 10^8,
    and the marts' unique tests on cell_id would then fail, not pass silently."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    n = np.asarray(counts, dtype="int64")
    owner = pa.array(np.repeat(np.arange(len(n), dtype=np.int32), n))
    docs = pa.array(doc_ids, pa.string())
    starts = np.cumsum(n) - n
    position = pa.array(np.arange(int(n.sum()), dtype="int64") - np.repeat(starts, n) + 1).cast(pa.string())
    prefix = pc.utf8_slice_codeunits(docs, 0, 16).take(owner)
    # doc_id as a dictionary over the reports' ids: no copy, and the Parquet writer need not hash it
    return pa.DictionaryArray.from_arrays(owner, docs), pc.binary_join_element_wise(prefix, position, ":")


_LINE_SOURCES = tuple(f"line {i}" for i in range(4096))


def line_source(line: int) -> str:
    """A cell's provenance in plain text, "line N": one string per line number, not per cell."""
    return _LINE_SOURCES[line] if 0 <= line < len(_LINE_SOURCES) else f"line {line}"


def line_sources(text: str):
    """line_source for the lines of this text: the strings' own lookup (no Python call per
    cell) when every line has its string made, as in nearly every report."""
    return _LINE_SOURCES.__getitem__ if text.count("\n") + 1 < len(_LINE_SOURCES) else line_source


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v

"""Reading runs of digits whose cells were glued together.

A portal that flattens a table into text can drop the separators between
cells: the row 7 0 0 0 0 0 7 becomes "7000007", the row 151 3 0 0 0 0 154
becomes "15130000154", and table 四's fifteen cells become one 17-digit run.
Spaces that survive are cell boundaries, but a token between two spaces may
still hold several cells ("20 00 0 0 2" = 2,0 | 0,0 | 0 | 0 | 2).

A reading splits the run into the expected number of cells, never across a
space, with no leading zeros except a lone "0". When more than one reading is
possible, the table's own identities choose: in a row of table 三 the 总计 cell
equals the sum of the six applicant columns; in table 四 each group's 总计
equals 维持 + 纠正 + 其他 + 尚未审结. A reading chosen that way is a
reconstruction and says so; when no single reading balances, nothing is read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

MAX_CELL_DIGITS = 7          # a cell of a statistics row: up to millions
MAX_RUN_DIGITS = 80          # longer runs are not a glued row


@dataclass
class Glued:
    values: tuple[int, ...] | None          # the reading, or None when left out
    unique: bool = False                    # the only reading into cells at all
    readings: int = 0                       # number of readings into cells (structure only)
    balanced: list[tuple[int, ...]] = field(default_factory=list)   # readings that satisfy the identities
    note: str = ""

    @property
    def reconstructed(self) -> bool:
        return self.values is not None and not self.unique


def _run(tokens: list[str]) -> tuple[str, list[int]]:
    """The run's digits, and for each start i the furthest end of a cell digits[i:j]:
    a cell never crosses a space, has no leading zero (a lone "0" aside) and is not too long."""
    digits = "".join(tokens)
    n = len(digits)
    ends, pos = [0] * n, 0
    for t in tokens:
        stop = pos + len(t)                 # the next space, which no cell crosses
        for i in range(pos, stop):
            ends[i] = i + 1 if digits[i] == "0" else min(stop, i + MAX_CELL_DIGITS)
        pos = stop
    return digits, ends


def count_readings(tokens: list[str], k: int) -> int:
    """How many ways the run splits into k cells (spaces kept as boundaries)."""
    digits, ends = _run(tokens)
    n = len(digits)

    @lru_cache(maxsize=None)
    def ways(i: int, left: int) -> int:
        if left == 0:
            return 1 if i == n else 0
        if n - i < left or n - i > left * MAX_CELL_DIGITS:
            return 0
        return sum(ways(j, left - 1) for j in range(i + 1, ends[i] + 1))

    found = ways(0, k)
    del ways     # it refers to itself through its closure: freed here, not left to the cycle collector
    return found


def balanced_readings(tokens: list[str], groups: tuple[int, ...], limit: int = 50) -> list[tuple[int, ...]]:
    """Readings in which the last cell of every group is the sum of the group's other cells."""
    digits, ends = _run(tokens)
    n = len(digits)
    k = sum(groups)
    out: list[tuple[int, ...]] = []
    closing = set()
    acc = 0
    for g in groups:
        acc += g
        closing.add(acc)          # cell index (1-based count) that closes a group

    def dfs(i: int, cells: list[int], gsum: int) -> None:
        if len(out) >= limit:
            return
        idx = len(cells)
        if idx == k:
            if i == n:
                out.append(tuple(cells))
            return
        left = k - idx
        if n - i < left or n - i > left * MAX_CELL_DIGITS:
            return
        if idx + 1 in closing:                    # the group's total: fixed by the others
            s = str(gsum)
            j = i + len(s)
            if digits.startswith(s, i) and j <= ends[i]:
                dfs(j, cells + [gsum], 0)
            return
        for j in range(i + 1, ends[i] + 1):
            v = int(digits[i:j])
            if n - j < left - 2 + len(str(gsum + v)):
                break     # no room left for the group's total (at least as long as the sum so far) and the cells after it
            dfs(j, cells + [v], gsum + v)

    dfs(0, [], 0)
    del dfs      # (as in count_readings)
    return out


def _show(tokens: list[str]) -> str:
    return " ".join(tokens)


def _fmt(vals: tuple[int, ...], groups: tuple[int, ...]) -> str:
    parts, i = [], 0
    for g in groups:
        parts.append(",".join(str(v) for v in vals[i:i + g]))
        i += g
    return " | ".join(parts)


def read(tokens: list[str], groups: tuple[int, ...], what: str = "row", identity: str = "") -> Glued:
    """Read a glued run of digit tokens as sum(groups) cells.

    identity: words for the note, e.g. "总计 = sum of the six applicant columns".
    A new object each call (callers amend it); the reading itself is cached, as the same
    runs recur (a row of zeros is "0000000" in every report)."""
    g = _read(tuple(t for t in tokens if t), groups, what, identity)
    return replace(g, balanced=list(g.balanced))


@lru_cache(maxsize=1 << 14)
def _read(tokens: tuple[str, ...], groups: tuple[int, ...], what: str, identity: str) -> Glued:
    if not tokens or not all(t.isdigit() for t in tokens):
        return Glued(None, note=f"{what}: not a run of digits")
    k = sum(groups)
    digits = "".join(tokens)
    if len(digits) > MAX_RUN_DIGITS:
        return Glued(None, note=f"{what}: run of {len(digits)} digits is too long to be {k} glued cells")
    n = count_readings(tokens, k)
    if n == 0:
        return Glued(None, readings=0, note=f"{what}: glued run '{_show(tokens)}' cannot be split into {k} cells")
    bal = balanced_readings(tokens, groups)
    if n == 1:
        vals = bal[0] if bal else _only_reading(tokens, k)
        return Glued(vals, unique=True, readings=1, balanced=bal,
                     note=f"{what}: glued run '{_show(tokens)}' has one split into {k} cells")
    if len(bal) == 1:
        return Glued(bal[0], unique=False, readings=n, balanced=bal,
                     note=(f"{what}: glued run '{_show(tokens)}' has {n} splits into {k} cells; "
                           f"{_fmt(bal[0], groups)} is the only one in which {identity or 'the totals balance'}"))
    if not bal:
        return Glued(None, readings=n, note=(f"{what}: glued run '{_show(tokens)}' has {n} splits into {k} cells "
                                             f"and none in which {identity or 'the totals balance'}; left out"))
    return Glued(None, readings=n, balanced=bal,
                 note=(f"{what}: glued run '{_show(tokens)}' has {len(bal)} splits in which "
                       f"{identity or 'the totals balance'} ({'; '.join(_fmt(b, groups) for b in bal[:4])}); left out"))


def _only_reading(tokens: list[str], k: int) -> tuple[int, ...]:
    digits, ends = _run(tokens)
    n = len(digits)

    def go(i: int, left: int) -> list[int] | None:
        if left == 0:
            return [] if i == n else None
        if i == n:
            return None
        for j in range(i + 1, ends[i] + 1):
            rest = go(j, left - 1)
            if rest is not None:
                return [int(digits[i:j])] + rest
        return None

    r = go(0, k)
    del go       # (as in count_readings)
    assert r is not None
    return tuple(r)


_YEAR_TAIL = re.compile(r"(?:19|20)\d\d$")


def without_glued_year(tokens: list[str], followed_by: str) -> list[str] | None:
    """A run followed by 年 may end in a year glued from the prose after the table
    ("20000022025年，我局…"): the run without those four digits, or None."""
    if not tokens or not followed_by.lstrip().startswith("年"):
        return None
    last = tokens[-1]
    if len(last) <= 4 or not _YEAR_TAIL.search(last):
        return None
    return tokens[:-1] + [last[:-4]]

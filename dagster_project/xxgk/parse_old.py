"""Old-format (2008-2018) reports: the statistics appendix and figures in prose.

Appendix layouts seen (CODEBOOK §3): the national 2014 form (指标 | 单位 | 数量,
one value column, "—" on section rows); provincial forms with their own rows
and two value columns (本年度 | 历年累计), spaced ("条 0 0") or flattened with
the two columns glued together and the next row's item number glued on
("同意公开答复数条1102.同意部分…" = 1 | 10, then item 2). A glued run is split
into year | cumulative by what must hold (year <= cumulative, no leading
zeros, children add up to their parent in both columns, the prose's figure),
and only then by the most even split; each split says why in Cell.note.

Rows and prose categories are recognised by the tokens of templates.py
(OLD_APPLICATION_ROWS / OLD_REVIEW_ROWS). A row or category that matches no
key is kept with mapped=False under its own label; its note says
"parent=<key>" (where it sits) and, for a combined category such as
"涉及国家秘密、商业秘密、个人隐私…", "covers=<keys>" (identities.py uses both).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import templates as T
from .model import EMPTY, NIL, NUMBER, PROSE, RECONSTRUCTED, TABLE, Cell, line_source

_TABLE_OF = {k.key: "applications" for k in T.OLD_APPLICATION_ROWS}
_TABLE_OF.update({k.key: "reviews" for k in T.OLD_REVIEW_ROWS})
_KEYS = {k.key: k for k in T.OLD_APPLICATION_ROWS + T.OLD_REVIEW_ROWS}
_REVIEW_SUB = ("upheld", "corrected", "other")

# Most specific first: channels and reasons before the categories that share
# words with them, categories before the totals.
_APP_ORDER = (
    "received_in_person", "received_fax", "received_letter", "received_online",
    "completed_on_time", "completed_extended", "completed",
    "denied_state_secret", "denied_commercial_secret", "denied_privacy", "denied_security",
    "denied_not_gov_info", "denied_other_law",
    "answered_already_public", "answered_partial", "answered_denied", "answered_granted",
    "answered_not_this_agency", "answered_not_exist", "answered_amend", "answered_redirect",
    "answered", "received",
)
_PUNCT = re.compile(r"[\s|:：;；,，。.．、()（）\[\]【】《》〈〉<>“”\"'‘’「」『』\-—_/]+")
_ITEM = re.compile(r"^\s*(?:其中\s*[:：]?\s*)?(?:(\d{1,2})\s*[.、．]|[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]|([一二三四五六七八九十]{1,3})\s*、)")
_COMBINE_SPLIT = re.compile(r"[、/]")


def squash(label: str) -> str:
    return _PUNCT.sub("", label)


def _token_hit(token: str, s: str) -> bool:
    for part in token.split("+"):
        if part.startswith("!"):
            if part[1:] in s:
                return False
        elif part not in s:
            return False
    return True


def _key_hit(key: str, s: str) -> bool:
    return any(_token_hit(t, s) for t in _KEYS[key].match)


def match_application(label: str) -> str | None:
    s = squash(label)
    for key in _APP_ORDER:
        if _key_hit(key, s):
            return key
    return None


def covered_keys(label: str) -> list[str]:
    """Keys named by the parts of a combined label ("信函、传真申请数"); [] if fewer than two."""
    parts = [p for p in _COMBINE_SPLIT.split(label) if squash(p)]
    if len(parts) < 2:
        return []
    keys: list[str] = []
    for p in parts:
        k = match_application(p)
        if k and k not in keys and k not in ("answered", "received"):
            keys.append(k)
    return keys if len(keys) >= 2 else []


def parent_of_keys(keys: list[str]) -> str:
    parents = {T.OLD_PARENT.get(k, "") for k in keys}
    if len(parents) == 1:
        return parents.pop()
    if parents <= {"answered", "answered_denied"}:
        return "answered"
    return ""


@dataclass
class Classified:
    key: str | None            # a template key, or None: unmapped
    table: str                 # applications | reviews | appendix
    parent: str = ""           # for unmapped: the key it sits under
    covers: list[str] = field(default_factory=list)


def classify(label: str, group: str | None = None) -> Classified:
    """What an old-format label (row or prose) is. group: 'review' or 'litigation' when inside that block.
    A new object each call (the appendix reader fills in parents); the reading itself is cached,
    as reports of one form word their labels alike."""
    key, table, parent, covers = _classify(label, group)
    return Classified(key, table, parent, list(covers))


@lru_cache(maxsize=1 << 14)
def _classify(label: str, group: str | None) -> tuple[str | None, str, str, tuple[str, ...]]:
    c = _classify_uncached(label, group)
    return c.key, c.table, c.parent, tuple(c.covers)


def _classify_uncached(label: str, group: str | None) -> Classified:
    s = squash(label)
    if re.search(r"行政复议|行政诉讼|复议|诉讼", s) and not re.search(r"维持|纠错|纠正|其他情形|其他结果", s):
        if _key_hit("review_total", s) and "诉讼" not in s.replace("行政复议", ""):
            return Classified("review_total", "reviews")
        if _key_hit("litigation_total", s):
            return Classified("litigation_total", "reviews")
        if _key_hit("review_total", s):
            return Classified("review_total", "reviews")
        return Classified(None, "reviews")
    if group in ("review", "litigation"):
        for sub in _REVIEW_SUB:
            if _key_hit(f"{group}_{sub}", s):
                return Classified(f"{group}_{sub}", "reviews")
    covers = covered_keys(label)
    if covers:
        return Classified(None, "applications", parent_of_keys(covers), covers)
    key = match_application(label)
    if key:
        return Classified(key, "applications")
    if "电子邮件" in s:
        return Classified(None, "applications", "received")
    return Classified(None, "appendix")


def row_name(label: str) -> str:
    """An unmapped row's own label, without its item number: "4.其他类型答复数" → 其他类型答复数."""
    return squash(_ITEM.sub("", label)) or squash(label) or label


def unmapped_note(parent: str, covers: list[str], extra: str = "") -> str:
    bits = []
    if parent:
        bits.append(f"parent={parent}")
    if covers:
        bits.append("covers=" + ",".join(covers))
    if extra:
        bits.append(extra)
    return "; ".join(bits)


def note_fields(note: str) -> dict[str, str]:
    """parent= and covers= of an unmapped cell's note."""
    out = {}
    for bit in note.split(";"):
        if "=" in bit:
            k, v = bit.strip().split("=", 1)
            out[k] = v
    return out


# ---- the appendix ------------------------------------------------------------

_VALUE_COLS = r"(?:\d{4}\s*年\s*度?|本\s*年\s*度?|历\s*年\s*累\s*计|累\s*计|年\s*末\s*统\s*计|数\s*量|统\s*计\s*数)"
# 指标 | 单位 | 数量: the unit column is usual; some forms leave it out (指标 | 数量: a cell
# boundary after 指标, unlike prose's 指标数量), then a row is a table row ending in its values.
_HEADER = re.compile(r"指\s*标\s*(?:名\s*称)?(?:[\s|]*(?:计\s*量\s*)?(?P<unit>单\s*位)|[ \t]*[|\n][\s|]*(?="
                     + _VALUE_COLS + "))")
_HEADER_COLS = re.compile(r"[\s|]*(?:" + _VALUE_COLS + r"[\s|]*)+")
_UNITS = r"(?:万元|人次|条|件|元|个|人|次|篇|项)"
_VAL = r"(?:\d+(?:\.\d+)?|—+|-|－|/|无)"
_ROW = re.compile(r"(?P<unit>" + _UNITS + r")\s*\|?\s*(?P<v1>" + _VAL + r")"
                  r"(?:(?P<sep>\s*\|?\s*)(?P<v2>\d+(?:\.\d+)?)(?![\d.、．]))?")
_ROW_NO_UNIT = re.compile(r"(?P<unit>)\|\s*(?P<v1>" + _VAL + r")(?:(?P<sep>\s*\|\s*)(?P<v2>\d+(?:\.\d+)?))?"
                          r"\s*\|?[ \t]*$", re.M)


@dataclass
class Row:
    label: str
    item: str             # its item number ("1", "一") or ""
    arabic: bool
    unit: str
    runs: list[str]       # value strings as found (1 or 2)
    glued: bool           # one run that holds two columns
    line: int
    start: int
    end: int
    cls: Classified | None = None
    year: str | None = None
    cum: str | None = None
    note: str = ""


def find_appendix(text: str) -> tuple[int, bool, bool, bool] | None:
    """(start of the first row, two value columns?, year column first?, a unit column?) or None."""
    m = _HEADER.search(text)
    if not m:
        return None
    h = _HEADER_COLS.match(text, m.end())
    cols = text[m.end():h.end()] if h else ""
    cols_sq = re.sub(r"\s|\|", "", cols)
    two = "累计" in cols_sq and bool(re.search(r"\d{4}年|本年", cols_sq))
    year_first = True
    if two:
        year_first = cols_sq.find("累计") > max(cols_sq.find("年度"), cols_sq.find("本年"))
    return (h.end() if h else m.end()), two, year_first, m.group("unit") is not None


_CELL_BREAK = re.compile(r"[|\n]")
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")


def _rows(text: str, start: int, two: bool, units: bool = True) -> list[Row]:
    rows: list[Row] = []
    pos = start
    next_item: str | None = None
    line, counted = 1, 0                  # the line at `counted`, counted on from row to row
    for m in (_ROW if units else _ROW_NO_UNIT).finditer(text, start):
        between = text[pos:m.start()]
        label = next((s for p in reversed(_CELL_BREAK.split(between)) if (s := p.strip())), "")   # the last cell
        if next_item is not None:
            label = next_item + label
        next_item = None
        if not _IDEOGRAPH.search(label) or len(squash(label)) > 80:
            if len(squash(between)) > 120:       # prose after the table: stop
                break
            pos = m.end()
            continue
        im = _ITEM.match(label)
        item = (im.group(1) or im.group(2) or im.group(3)) if im else ""
        arabic = bool(im and im.group(1))
        v1, v2 = m.group("v1"), m.group("v2")
        end = m.end()
        # a digit run glued to the next row's item number ("1102.同意部分…")
        after = text[m.end():m.end() + 2]
        if v2 is None and v1.isdigit() and after[:1] in ".、．" and not after[1:2].isdigit():
            want = str(int(item) + 1) if arabic else "1"
            if v1.endswith(want) and len(v1) > len(want):
                v1 = v1[:-len(want)]
                next_item = want
                end = m.end() - len(want)
        runs = [v1] + ([v2] if v2 is not None else [])
        line += text.count("\n", counted, m.start())
        counted = m.start()
        rows.append(Row(label=label, item=item, arabic=arabic, unit=m.group("unit"), runs=runs,
                        glued=two and len(runs) == 1 and v1.isdigit() and len(v1) >= 2,
                        line=line, start=m.start(), end=end))
        pos = m.end()
    return rows


def _splits(run: str, year_first: bool) -> list[tuple[str, str]]:
    out = []
    for i in range(1, len(run)):
        a, b = run[:i], run[i:]
        if (len(a) > 1 and a[0] == "0") or (len(b) > 1 and b[0] == "0"):
            continue
        y, c = (a, b) if year_first else (b, a)
        if int(y) <= int(c):
            out.append((y, c))
    return out


def _evenness(y: str, c: str) -> float:
    d = len(c) - len(y)
    return 0.0 if d in (0, 1) else -abs(d - 0.5)


def _resolve_glued(rows: list[Row], year_first: bool, prose: dict[str, float]) -> None:
    """Split glued runs group by group (a parent and its numbered children)."""
    groups: list[list[Row]] = []
    for r in rows:
        if r.arabic and groups:
            groups[-1].append(r)
        else:
            groups.append([r])
    for g in groups:
        options = []
        for r in g:
            if r.glued:
                opts = _splits(r.runs[0], year_first)
                options.append(opts or [(r.runs[0], None)])
            else:
                options.append([(r.runs[0], r.runs[1] if len(r.runs) > 1 else None)])
        n_choices = 1
        for o in options:
            n_choices *= len(o)
        if n_choices > 20000:
            options = [o[:1] if len(o) > 1 else o for o in options]
        best, best_score, ties = None, None, 0
        for combo in itertools.product(*options):
            score = 0.0
            if len(g) > 1:
                for col in (0, 1):
                    vals = [c[col] for c in combo]
                    if all(v is not None and v.isdecimal() for v in vals):
                        score += 10 if int(vals[0]) == sum(int(v) for v in vals[1:]) else 0
            for r, c in zip(g, combo):
                k = r.cls.key if r.cls else None
                if k and k in prose and c[0] is not None and c[0].isdecimal() and int(c[0]) == prose[k]:
                    score += 3
                if r.glued and c[1] is not None:
                    score += _evenness(c[0], c[1]) * 0.1
            if best_score is None or score > best_score:
                best, best_score, ties = combo, score, 0
            elif score == best_score:
                ties += 1
        for r, c, opts in zip(g, best, options):
            r.year, r.cum = c
            if r.glued:
                why = "the only split with year <= cumulative" if len(opts) == 1 else \
                    f"chosen among {len(opts)} splits by sums, prose and even length" + (" (still ambiguous)" if ties else "")
                r.note = f"glued run {r.runs[0]} read as {r.year} | {r.cum}: {why}"


def parse_appendix(text: str, source_of, prose: dict[str, float] | None = None) -> tuple[list[Cell], int | None]:
    """Cells of the statistics appendix and where it starts (None: no appendix)."""
    found = find_appendix(text)
    if not found:
        return [], None
    start, two, year_first, units = found
    rows = _rows(text, start, two, units)
    if not rows:
        return [], None
    group: str | None = None
    parent_row: Row | None = None
    for r in rows:
        c = classify(r.label, group)
        if c.key == "review_total":
            group = "review"
        elif c.key == "litigation_total":
            group = "litigation"
        elif c.key is None or c.table == "applications":
            group = None
        if c.key is None and not c.parent:
            if r.arabic and parent_row is not None and parent_row.cls and parent_row.cls.key:
                c.parent = parent_row.cls.key
            elif re.match(r"^\s*其中", r.label) and parent_row is not None and parent_row.cls and parent_row.cls.key:
                c.parent = parent_row.cls.key
            if c.parent and c.table == "appendix":
                c.table = _TABLE_OF.get(c.parent, "appendix")
        r.cls = c
        if not r.arabic:
            parent_row = r
    if two:
        _resolve_glued(rows, year_first, prose or {})
    else:
        for r in rows:
            r.year = r.runs[0]
    _email_and_online(rows)
    cells: list[Cell] = []
    for r in rows:
        raw = r.year if r.year is not None else r.runs[0]
        status, value = _value(raw)
        src = f"{source_of(r.line)} row '{squash(r.label)[:40]}'"
        if two:
            src += " year column"
        c = r.cls
        if c.key:
            cells.append(Cell(c.table, c.key, "", value, status, " ".join(r.runs), src, TABLE, True, r.note))
        else:
            cells.append(Cell(c.table, row_name(r.label), "", value, status, " ".join(r.runs), src, TABLE,
                              False, unmapped_note(c.parent, c.covers, r.note)))
    cells.extend(combined_zero(cells, RECONSTRUCTED))
    return cells, start


def _email_and_online(rows: list[Row]) -> None:
    """A form with both 电子邮件 and 网上 rows: 网络 is 网上 alone only if 电子邮件 is 0."""
    email = [r for r in rows if "电子邮件" in squash(r.label) and r.cls and r.cls.parent == "received"]
    if not email:
        return
    ev = _value(email[0].year or email[0].runs[0])[1]
    if ev in (0, 0.0):
        return
    email[0].cls.covers = ["received_online"]
    for r in rows:
        if r.cls and r.cls.key == "received_online":
            r.cls = Classified(None, "applications", "received", ["received_online"])
            r.note = (r.note + "; " if r.note else "") + "网络 channel ambiguous: 电子邮件 is a separate row"


def _value(raw: str) -> tuple[str, float | None]:
    t = (raw or "").strip()
    if not t:
        return EMPTY, None
    if _DECIMAL.fullmatch(t):
        return NUMBER, float(t)
    return NIL, 0.0


def combined_zero(cells: list[Cell], method: str) -> list[Cell]:
    """A combined category stated as 0 states each of its parts as 0 (信函、传真申请数 0)."""
    stated = {c.key for c in cells if c.mapped}
    out = []
    for c in cells:
        if c.mapped or c.value != 0:
            continue
        covers = [k for k in note_fields(c.note).get("covers", "").split(",") if k]
        if len(covers) < 2:
            continue
        for k in covers:
            key = T.figure_key(_TABLE_OF.get(k, "applications"), k)
            if key in stated:
                continue
            stated.add(key)
            out.append(Cell(_TABLE_OF.get(k, "applications"), k, "", 0.0, c.status, c.raw, c.source, method, True,
                            f"from combined '{c.row}' = 0"))
    return out


# ---- orchestration -------------------------------------------------------------

def parse(text: str, source_of=line_source) -> list[Cell]:
    """All old-format cells of a report: prose figures, then the appendix's."""
    from . import prose as P
    found = find_appendix(text)
    table_start = found[0] if found else None
    if table_start is not None:
        # the appendix's header anchor: prose ends where the table begins
        hm = _HEADER.search(text)
        prose_end = hm.start() if hm else table_start
    else:
        prose_end = len(text)
    prose_cells = P.parse_prose(text[:prose_end], source_of)
    prose_vals = {}
    for c in prose_cells:
        if c.mapped and c.value is not None:
            prose_vals.setdefault(c.row, c.value)
    table_cells, _ = parse_appendix(text, source_of, prose_vals)
    return prose_cells + table_cells

"""Tables 三 (applications) and 四 (reviews and lawsuits) of the 2019/2021 format.

The row labels of templates.py anchor the table in the text; the stretch
between one label and the next holds that row's cells (cells.py reads them in
any layout). Section 四 has no row labels: its fifteen cells follow the
header words, in the template's column order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import glued
from . import templates as T
from .cells import TEXT, RawCell, drop_header_blanks, split_cells, values
from .model import EMPTY, NUMBER, RECONSTRUCTED, TABLE, Cell, cell_of, line_source

N_APP_COLS = len(T.APPLICANT_COLUMNS)
N_REVIEW = len(T.REVIEW_GROUPS) * len(T.REVIEW_COLUMNS)


def _loose(token: str) -> str:
    """A regex for a label token that tolerates spaces and line breaks inside it."""
    return r"\s*".join(re.escape(ch) for ch in token)


_LABEL_END = re.compile(r"[\d|\n]|[ \t](?=(?:无|—+|-+|－|/|／|×|零)(?:[ \t|]|$))", re.M)
_ROW_PATTERNS = {r.key: re.compile("|".join(_loose(m) for m in r.match)) for r in T.APPLICATION_ROWS if r.match}
# Labels whose match tokens are too generic to search for on their own.
_ROW_PATTERNS["other_other"] = re.compile(r"(?:3\s*[.、．,，]?\s*)?其\s*他(?!\s*处\s*理)(?!\s*结\s*果)(?!\s*法)(?!\s*情\s*形)")
_ROW_PATTERNS["denied_enforcement"] = re.compile(_loose("行政执法案") + r"\s*[卷件]")   # 案件 for 案卷 is common
_ROW_PATTERNS["handled_total"] = re.compile(r"(?:[(（]\s*七\s*[)）]\s*)?[总合]\s*计")   # 合计 for 总计 is common
_TABLE_START = re.compile(f"(?:{_ROW_PATTERNS['new_received'].pattern})" + r"[\s\S]{0,600}?"
                          + f"(?:{_ROW_PATTERNS['carried_over'].pattern})")
_REVIEW_ANCHOR = re.compile(_loose("结果维持") + "|" + _loose("维持"))
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


_ROW_IDENTITY = "总计 equals the sum of the six applicant columns"
_REVIEW_IDENTITY = "each group's 总计 equals 维持 + 纠正 + 其他 + 尚未审结"


@dataclass(slots=True)
class _Row:
    key: str
    cells: list[RawCell] | None
    method: str = TABLE
    note: str = ""
    candidates: tuple[tuple[int, ...], ...] = ()   # several balanced readings: columns decide
    run: str = ""
    line: int = 0
    base: int = 0          # the cells' and the run's lines count from this line (a cached row's from 0)

    def at(self, base: int) -> "_Row":
        """This row (a cached one, shared) as read at a report's line `base`: a copy of its own."""
        return _Row(self.key, self.cells, self.method, self.note, self.candidates, self.run, self.line, base)


def _lead(cells: list[RawCell]) -> tuple[list[RawCell], str]:
    """The run of value cells that opens a row's stretch (text before it skipped),
    and the text right after it."""
    i = 0
    while i < len(cells) and cells[i].kind == TEXT:
        i += 1
    j = i
    while j < len(cells) and cells[j].kind != TEXT:
        j += 1
    return cells[i:j], (cells[j].text if j < len(cells) else "")


def _is_digit_run(cells: list[RawCell]) -> bool:
    return bool(cells) and all(c.kind == NUMBER and c.text.isdigit() for c in cells)


_ITEM_AFTER = re.compile(r"^[.、．]\s*[\u4e00-\u9fff]")


def _read_glued(run: list[RawCell], after: str, groups: tuple[int, ...], what: str, identity: str):
    """Cells read from a glued run of digits, or (None, note)."""
    tokens = [c.text for c in run]
    if _ITEM_AFTER.match(after) and len(tokens[-1]) > 1:
        tokens[-1] = tokens[-1][:-1]     # "…00000007.属于…": the last digit numbers the next label
    g = glued.read(tokens, groups, what, identity)
    if g.values is None and len(g.balanced) > 1:
        return ("candidates", g.balanced), g.note
    if g.values is None:
        alt = glued.without_glued_year(tokens, after)
        if alt is not None:
            g2 = glued.read(alt, groups, what, identity)
            if g2.values is not None:
                g2.unique = False           # reading the tail as a year is a judgment: a reconstruction
                g2.note += f"; the last four digits are a year glued to the text after the table ('{alt[-1][-4:] if alt[-1] else ''}…年')"
                g = g2
    if g.values is None:
        if len(g.balanced) > 1:
            return ("candidates", g.balanced), g.note
        return None, g.note
    line = run[0].line
    raw = " ".join(tokens)
    out = [RawCell(raw, NUMBER, float(v), line) for v in g.values]
    return (out, RECONSTRUCTED if g.reconstructed else TABLE), g.note


def _row_values(chunk_cells: list[RawCell], key: str, notes: list[str], n: int = N_APP_COLS) -> _Row | None:
    """The n cells (seven, or eight with a 小计 column) of one row of table 三
    from the cells of its stretch of text."""
    lead, after = _lead(chunk_cells)
    if len(lead) >= n:
        return _Row(key, lead[:n])
    if n == N_APP_COLS and _is_digit_run(lead) and sum(len(c.text) for c in lead) >= N_APP_COLS:
        got, note = _read_glued(lead, after, (N_APP_COLS,), f"table 三 row {key}", _ROW_IDENTITY)
        if got is None:
            notes.append(note)
            return None
        if got[0] == "candidates":
            return _Row(key, None, RECONSTRUCTED, note, candidates=tuple(got[1]),
                        run=" ".join(c.text for c in lead), line=lead[0].line)
        cells, method = got
        return _Row(key, cells, method, note)
    raw = values(chunk_cells)
    if len(raw) >= n:
        return _Row(key, raw[:n])
    notes.append(f"table 三 row {key}: {len(raw)} cells found, {n} expected; row left out")
    return None


@lru_cache(maxsize=1 << 14)
def _row_in(stretch: str, key: str, n: int) -> tuple[_Row | None, tuple[str, ...], bool]:
    """The row read from the stretch of text after its label (_row_values), its lines counted
    from the label's line (0), the notes reading it gave, and whether the stretch holds a
    value. Cached: a batch's reports repeat whole rows ("\n0\n0\n0\n0\n0\n0\n0\n",
    "| 0 | 0 |…"), and the row's cells are shared, never changed (a report's _Row adds its base)."""
    cells = split_cells(stretch, 0, label_open=True)
    notes: list[str] = []
    row = _row_values(cells, key, notes, n)
    return row, tuple(notes), any(c.kind not in (TEXT, EMPTY) for c in cells)


SUBTOTAL = "subtotal_org"
_SUBTOTAL_NOTE = "小计 column (subtotal of 法人或其他组织), outside the template"
_SUBTOTAL_HEAD = re.compile(_loose("小计"))
_FIRST_ORG = re.compile(_loose("商业企业"))


def _columns(text: str, start: int) -> list[str | None]:
    """The column keys of table 三 in order; None marks a 小计 column some agencies
    add for 法人或其他组织 (CODEBOOK §1.3), read where its header puts it: after
    其他 (before 总计) or before 商业企业."""
    keys: list[str | None] = [c.key for c in T.APPLICANT_COLUMNS]
    head_lo = max(text.rfind("申请人情况", 0, start), text.rfind("勾稽关系", 0, start), start - 600, 0)
    head = text[head_lo:start]
    sub = _SUBTOTAL_HEAD.search(head)
    if not sub:
        return keys
    first = _FIRST_ORG.search(head)
    at = 1 if first and sub.start() < first.start() else len(keys) - 1
    return keys[:at] + [None] + keys[at:]


_BARE_OTHER = re.compile(r"(?:^|[|\n])\s*(?:[(（]\s*六\s*[)）]\s*(?:其\s*他\s*处\s*理)?\s*[|\n]?\s*)?"
                         r"(?:3\s*[.、．,，]?\s*)?其\s*他\s*(?:[|\n]|$)")


@lru_cache(maxsize=1 << 14)
def _keys_in(text: str) -> tuple[str, ...]:
    """Row keys whose labels occur in a piece of text (cells joined by "|"), in template order.
    The sub-row （六）3.其他 counts only as a cell or line of its own: 其他 is in many labels.
    Cached: reports of one template word their labels alike."""
    found = [r.key for r in T.APPLICATION_ROWS
             if (_BARE_OTHER if r.key == "other_other" else _ROW_PATTERNS[r.key]).search(text)]
    if any(k.startswith("other_") for k in found) and "other" in found:
        found.remove("other")          # （六）其他处理 heading a sub-row
    if "other_other" in found and len(found) > 1:
        found.remove("other_other")    # a bare 其他 beside a more specific label
    return tuple(found)


_DIGIT_RUNS = re.compile(r"\d+")


@lru_cache(maxsize=1 << 14)
def _too_few_cells(line: str, n: int) -> bool:
    """A line that cannot hold n cells, known without splitting it: with pipes, a cell
    needs a pipe; without, a cell is a word or, inside a word mixing digits and text, a
    digit run or the text between two (so at most words + 2 x digit runs). Either way a
    cell takes a character: one cell per line, the common case, is settled by length.
    Cached: a table's label lines recur in every report of its template."""
    if len(line) < n - 1:
        return True
    if "|" in line:
        return line.count("|") < n - 1
    return len(line.split()) + 2 * len(_DIGIT_RUNS.findall(line)) < n


def _line_rows(text: str, start: int, stop: int, n: int = N_APP_COLS) -> list[tuple[int, str | None, list[RawCell], str | None]]:
    """Rows laid out one per line: (line, key on the line, seven cells, key before it).

    A value row is a line ending in at least seven value cells (extra cells
    empty) after its label text. Its key comes from the label on its own line;
    failing that, the text since the previous value row may name one row (a
    weaker hint: a PDF's text layer can put a label a row away from its values)."""
    lo = text.rfind("\n", 0, start) + 1
    first = _line_at(text, lo)
    out: list[tuple[int, str | None, list[RawCell], str]] = []
    stretch: list[str] = []
    for i, line in enumerate(text[lo:stop].split("\n")):
        # (the length test is _too_few_cells's first, made here without the call for most lines)
        row = None if len(line) < n - 1 or _too_few_cells(line, n) else _value_row(line, n)
        if row is None:
            stretch.append(line)
            continue
        vals, key = row
        before = _keys_in("\n".join(stretch)) if key is None else ()
        out.append((first + i, key, vals, before[0] if len(before) == 1 else None))
        stretch = []
    return out


@lru_cache(maxsize=1 << 16)
def _value_row(line: str, n: int) -> tuple[list[RawCell], str | None] | None:
    """A line ending in n value cells (extra cells empty) after its label text: those cells,
    their line 0, and the key the label names; None for any other line. Cached: a batch's
    tables repeat their rows, and the cells are shared, never changed (_Row.base)."""
    cells = split_cells(line, 0)
    last_text = max((k for k, c in enumerate(cells) if c.kind == TEXT), default=-1)
    vals = cells[last_text + 1:]
    while len(vals) > n and vals[-1].kind == EMPTY:
        vals = vals[:-1]
    while len(vals) > n and vals[0].kind == EMPTY:
        vals = vals[1:]                 # an empty label cell
    if len(vals) != n or all(c.kind == EMPTY for c in vals):
        return None
    own = _keys_in("|".join(c.text for c in cells[:last_text + 1]))
    return vals[:n], (own[-1] if own else None)


def _table_by_lines(rows, notes: list[str]) -> tuple[list[_Row], str | None] | None:
    """Table 三 from its rows read a line each (_line_rows), where they make it:
    - each row labelled on its own line, the rows of a template in its order: as read
      (the label-anchored reading gives the same cells, searching for every label again);
    - some rows lost their labels: placed by the template's row order only when their
      count is that of a template and every labelled row sits at its place.
    None: the label-anchored reading applies."""
    for tpl in ("2021", "2019"):
        if tuple(k for _, k, _, _ in rows) == T.row_keys(tpl):
            return [_Row(k, vals, base=ln) for ln, k, vals, _ in rows], tpl
    lost = sum(1 for r in rows if r[1] is None and r[3] is None)
    if not lost:
        return None                    # every row named: the label-anchored reading applies
    for tpl in ("2021", "2019"):
        order = T.row_keys(tpl)
        if len(rows) == len(order) and all(k is None or k == order[i] for i, (_, k, _, _) in enumerate(rows)):
            placed = []
            for i, (ln, k, vals, _) in enumerate(rows):
                if k is None:
                    placed.append(_Row(order[i], vals, RECONSTRUCTED,
                                       f"row label lost (line {ln}); placed as {order[i]} by the template's row order: "
                                       f"{len(rows)} value rows are the {len(order)} rows of the {tpl} template", base=ln))
                else:
                    placed.append(_Row(k, vals, base=ln))
            return placed, tpl
    notes.append(f"table 三 unplaceable: {lost} of {len(rows)} value rows lost their labels and the row count "
                  f"matches no template (2021: {len(T.rows_for('2021'))}, 2019: {len(T.rows_for('2019'))}) "
                  f"or a row's own label is out of order; only rows with their own labels kept")
    kept, seen = [], set()
    for ln, k, vals, _ in rows:
        if k is not None and k not in seen:
            seen.add(k)
            kept.append(_Row(k, vals, base=ln))
    return kept, None


def parse_applications(text: str, source_of=line_source) -> TableParse:
    out = TableParse()
    starts = list(_TABLE_START.finditer(text))
    if not starts:
        return out
    start = starts[-1].start() if len(starts) > 1 and "本列数据" in text[starts[-1].start() - 400:starts[-1].start()] else starts[0].start()
    review = _REVIEW_ANCHOR.search(text, start + 50)
    stop = review.start() if review else len(text)

    columns = _columns(text, start)
    n = len(columns)
    parsed: list[_Row] = []
    template: str | None = None
    by_line = _table_by_lines(_line_rows(text, start, stop, n), out.notes)
    if by_line is not None:
        parsed, template = by_line
        out.end = stop
    else:
        rows = _find_rows(text, max(0, start - 10), stop)
        sub_rows = any(r[0].startswith("other_") for r in rows)
        at, line = 0, 1                   # line numbers counted on from the previous row's
        for i, (key, s, e) in enumerate(rows):
            nxt = rows[i + 1][1] if i + 1 < len(rows) else stop
            line += text.count("\n", at, e)
            at = e
            read, notes, has_value = _row_in(text[e:nxt], key, n)
            if key == "other" and sub_rows and not has_value:
                continue                  # 2021: （六）其他处理 only heads its three sub-rows
            out.notes.extend(notes)
            if read is None:
                continue
            parsed.append(read.at(line))
            out.end = nxt
    _resolve_by_columns(parsed, out.notes)
    keys = {r.key for r in parsed}
    specs = [(SUBTOTAL, False, _SUBTOTAL_NOTE) if col is None else (col, True, None) for col in columns]  # None: 小计
    # the whole table's cells in one comprehension (a row's own fields bound once per row)
    out.cells.extend(map(cell_of, [("applications", key, col, rc.value, rc.kind, rc.text, source_of(base + rc.line),
                                    method, mapped, col_note or note)
                                   for row in parsed for key, method, note, base in [(row.key, row.method, row.note, row.base)]
                                   for (col, mapped, col_note), rc in zip(specs, row.cells)]))
    if template:
        out.template = template
    elif keys & {"other_overdue_correction", "other_overdue_fee"}:
        out.template = "2021"
    elif "other" in keys:
        out.template = "2019"
    return out


def _resolve_by_columns(rows: list[_Row], notes: list[str]) -> None:
    """Rows whose glued run balances in several ways: keep the one combination of
    readings for which the column identities hold (new + carried over = handled +
    carried forward; handled = the sum of the outcome rows), else leave them out."""
    amb = [r for r in rows if r.cells is None]
    if not amb:
        return
    keys = {r.key for r in rows}
    tpl = "2021" if keys & {"other_overdue_correction", "other_overdue_fee", "other_other"} else "2019"
    outcome = [r.key for r in T.rows_for(tpl) if r.group]
    fixed = {r.key: [c.value for c in r.cells] for r in rows if r.cells is not None}
    identities = [(("new_received", "carried_over"), ("handled_total", "carried_forward")),
                  (("handled_total",), tuple(outcome))]
    amb_keys = {r.key for r in amb}
    usable = [(l, rgt) for l, rgt in identities if set(l + rgt) & amb_keys and set(l + rgt) <= keys]
    combos = 1
    for r in amb:
        combos *= len(r.candidates)
    good = []
    if usable and combos <= 20000:
        import itertools
        for pick in itertools.product(*(r.candidates for r in amb)):
            vals = dict(fixed)
            vals.update({r.key: list(p) for r, p in zip(amb, pick)})
            ok = all(all(v is not None for k in l + rgt for v in [vals[k][c]])
                     and sum(vals[k][c] for k in l) == sum(vals[k][c] for k in rgt)
                     for l, rgt in usable for c in range(N_APP_COLS))
            if ok:
                good.append(pick)
                if len(good) > 1:
                    break
    if len(good) == 1:
        for r, p in zip(amb, good[0]):
            r.cells = [RawCell(r.run, NUMBER, float(v), r.line) for v in p]
            r.note += ("; " + ",".join(map(str, p)) + " is the only combination with the other ambiguous rows "
                       "for which the column identities (新收 + 上年结转 = 总计 + 结转下年度; 总计 = sum of the outcome rows) hold")
            r.method = RECONSTRUCTED
        return
    for r in amb:
        notes.append(r.note + "; the column identities do not single one out either; row left out")
    rows[:] = [r for r in rows if r.cells is not None]


# The header's words: the template's column and group labels (templates.py; 行政诉讼·复议后起诉
# is printed as two header cells), and the shorter words and extra cells reports print.
_REVIEW_HEADER_WORDS = (*(c.label for c in T.REVIEW_COLUMNS),
                        *(part for g in T.REVIEW_GROUPS for part in g.label.split("·")),
                        "合计", "小计", "未经复议", "直接起诉", "复议后", "起诉", "结果", "维持", "纠正",
                        "其他", "尚未", "审结", "序号", "情况", "数量", "项目", "件")


# Header text of table 四: whole header words, and at either end a piece of one, as a PDF's
# text layer breaks a word at the cell's edge ("其" + "他结果"; CODEBOOK §6.2).
_WORDS = frozenset(_REVIEW_HEADER_WORDS)
_WORD_TAILS = frozenset(w[i:] for w in _REVIEW_HEADER_WORDS for i in range(1, len(w)))   # its left edge cut
_WORD_HEADS = frozenset(w[:i] for w in _REVIEW_HEADER_WORDS for i in range(1, len(w)))   # its right edge cut
_LONGEST_WORD = max(map(len, _REVIEW_HEADER_WORDS))
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 14)
def _is_review_header(text: str) -> bool:
    """Is the text (its word characters) a word's tail, then header words, then a word's head,
    each part optional? Found by marking the positions each reading can reach, in time linear
    in the text: a regex of the same alternatives backtracked exponentially on a long run of
    header words ending in something else ('结果维持' 24 times and a character: 14 s)."""
    t = _NON_WORD.sub("", text)
    n = len(t)
    reach = [False] * (n + 1)
    reach[0] = True
    for i in range(1, min(n, _LONGEST_WORD) + 1):
        reach[i] = reach[i] or t[:i] in _WORD_TAILS
    for i in range(n):
        if not reach[i]:
            continue
        if t[i:] in _WORD_HEADS:
            return True
        for j in range(i + 1, min(n, i + _LONGEST_WORD) + 1):
            if t[i:j] in _WORDS:
                reach[j] = True
    return reach[n]


def parse_reviews(text: str, start: int = 0, source_of=line_source) -> TableParse:
    out = TableParse()
    m = _REVIEW_ANCHOR.search(text, start)
    if not m:
        return out
    nxt = _NEXT_SECTION.search(text, m.end())
    stop = nxt.start() if nxt else min(len(text), m.end() + 4000)
    picked, method, note, notes = _review_cells(text[m.start():stop])
    out.notes.extend(notes)
    if picked is None:
        return out
    base = _line_at(text, m.start())
    out.cells = [cell_of(("reviews", row, col, rc.value, rc.kind, rc.text, source_of(base + rc.line), method, True, note))
                 for (row, col), rc in zip(_REVIEW_KEYS, picked)]
    return out


_REVIEW_KEYS = [(g.key, col.key) for g in T.REVIEW_GROUPS for col in T.REVIEW_COLUMNS]   # table 四's order


@lru_cache(maxsize=1 << 12)
def _review_cells(stretch: str) -> tuple[tuple[RawCell, ...] | None, str, str, tuple[str, ...]]:
    """Table 四's fifteen cells in the stretch of text from its anchor (their lines counted
    from the anchor's, 0), how they were read, and the notes reading them gave. Cached:
    reports repeat whole tables (every agency without a review or a lawsuit)."""
    cells = drop_header_blanks(split_cells(stretch, 0))
    notes: list[str] = []
    picked: list[RawCell] = []
    method, note = TABLE, ""

    def try_glued(after: str) -> list[RawCell] | None:
        nonlocal method, note
        if not _is_digit_run(picked) or sum(len(c.text) for c in picked) < N_REVIEW:
            return None
        got, why = _read_glued(picked, after, (len(T.REVIEW_COLUMNS),) * len(T.REVIEW_GROUPS), "table 四",
                               _REVIEW_IDENTITY)
        if got is None:
            notes.append(why)
            return None
        method, note = got[1], why
        return got[0]

    for c in cells:
        if c.kind == TEXT:
            if _is_review_header(c.text):
                while len(picked) % len(T.REVIEW_COLUMNS) and picked[-1].kind == EMPTY:
                    picked.pop()          # an empty column after a small table's five cells
                if picked and len(picked) % len(T.REVIEW_COLUMNS) == 0 and any(x.kind != EMPTY for x in picked):
                    continue              # a group's own heading between separate small tables
                picked = []               # still in the header: start again after it
                continue
            if len(picked) >= N_REVIEW:
                break
            g = try_glued(c.text) if picked else None
            if g is not None:
                picked = g
                break
            picked = []
            continue
        picked.append(c)
        if len(picked) == N_REVIEW:
            break
    if len(picked) < N_REVIEW:
        g = try_glued("")
        if g is not None:
            picked = g
    if len(picked) < N_REVIEW:
        if picked:
            notes.append(f"table 四: {len(picked)} cells found, {N_REVIEW} expected; left out")
        return None, method, note, tuple(notes)
    return tuple(picked[:N_REVIEW]), method, note, tuple(notes)


def parse(text: str, source_of=line_source) -> TableParse:
    apps = parse_applications(text, source_of)
    revs = parse_reviews(text, apps.end, source_of)
    return TableParse(cells=apps.cells + revs.cells, template=apps.template,
                      notes=apps.notes + revs.notes, end=apps.end)

"""Accounting identities (勾稽关系, CODEBOOK §4), defined once from templates.py.

Each Identity says which figure keys must add up. evaluate() gives one result
per report × identity with both sides and a status: pass, fail, or
not_assessable when an operand is absent or an empty cell (an empty cell is
never read as 0). A failure is a warning: the data stays as published.
evaluate_grid() gives the same rows for a batch's new-format reports at once,
on a report × key grid (the landing table raw.checks is made with it).
The Great Expectations suites in expectations/ are generated from IDENTITIES
(gx_suites.py) and check the same residuals.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import templates as T
from .model import EMPTY, Report, TABLE, RECONSTRUCTED

PASS, FAIL, NOT_ASSESSABLE = "pass", "fail", "not_assessable"


@dataclass(frozen=True)
class Identity:
    id: str                    # stable id, e.g. I3.1.natural_person
    rule: str                  # family: I3.1 … O.I6, see CODEBOOK §4
    description: str
    lhs: tuple[str, ...]       # figure keys summed on the left
    rhs: tuple[str, ...]       # figure keys summed on the right
    templates: tuple[str, ...]
    severity: str = "hard"     # hard | soft (a soft one may legitimately differ)


def _k(table: str, row: str, col: str = "") -> str:
    return T.figure_key(table, row, col)


def _new_format() -> list[Identity]:
    out: list[Identity] = []
    for tpl in ("2019", "2021"):
        rows = T.rows_for(tpl)
        outcome = [r.key for r in rows if r.group]
        for c in T.APPLICANT_COLUMNS:
            out.append(Identity(
                f"I3.1.{c.key}.{tpl}", "I3.1", f"新收 + 上年结转 = (七)总计 + 结转下年度 ({c.label})",
                (_k("applications", "new_received", c.key), _k("applications", "carried_over", c.key)),
                (_k("applications", "handled_total", c.key), _k("applications", "carried_forward", c.key)), (tpl,)))
            out.append(Identity(
                f"I3.2.{c.key}.{tpl}", "I3.2", f"(七)总计 = 各办理结果之和 ({c.label})",
                (_k("applications", "handled_total", c.key),),
                tuple(_k("applications", r, c.key) for r in outcome), (tpl,)))
        for r in rows:
            out.append(Identity(
                f"I3.3.{r.key}.{tpl}", "I3.3", f"总计 = 六类申请人之和 ({r.label})",
                (_k("applications", r.key, "total"),),
                tuple(_k("applications", r.key, c) for c in T.APPLICANT_TYPES), (tpl,)))
    for g in T.REVIEW_GROUPS:
        out.append(Identity(
            f"I4.1.{g.key}", "I4.1", f"总计 = 维持 + 纠正 + 其他 + 尚未审结 ({g.label})",
            (_k("reviews", g.key, "total"),),
            tuple(_k("reviews", g.key, c.key) for c in T.REVIEW_COLUMNS if c.key != "total"), ("2019", "2021")))
    return out


def _old_format() -> list[Identity]:
    a = lambda *rows: tuple(_k("applications", r) for r in rows)  # noqa: E731
    r = lambda *rows: tuple(_k("reviews", x) for x in rows)       # noqa: E731
    old = ("pre2019",)
    return [
        Identity("O.I1", "O.I1", "收到申请数 = 当面 + 传真 + 网络 + 信函", a("received"),
                 a("received_in_person", "received_fax", "received_online", "received_letter"), old),
        Identity("O.I2", "O.I2", "申请办结数 = 按时 + 延期", a("completed"), a("completed_on_time", "completed_extended"), old),
        Identity("O.I3", "O.I3", "申请答复数 = 八类答复之和", a("answered"),
                 a("answered_already_public", "answered_granted", "answered_partial", "answered_denied",
                   "answered_not_this_agency", "answered_not_exist", "answered_amend", "answered_redirect"), old),
        Identity("O.I4", "O.I4", "不同意公开答复数 = 各理由之和 (其中项，软检查)", a("answered_denied"),
                 a("denied_state_secret", "denied_commercial_secret", "denied_privacy", "denied_security",
                   "denied_not_gov_info", "denied_other_law"), old, severity="soft"),
        Identity("O.I5", "O.I5", "行政复议数量 = 维持 + 纠错 + 其他", r("review_total"),
                 r("review_upheld", "review_corrected", "review_other"), old),
        Identity("O.I6", "O.I6", "行政诉讼数量 = 维持/驳回 + 纠错 + 其他", r("litigation_total"),
                 r("litigation_upheld", "litigation_corrected", "litigation_other"), old),
    ]


IDENTITIES: tuple[Identity, ...] = tuple(_new_format() + _old_format())


def operands(cells, template: str | None) -> dict[str, float | None]:
    """Figure key -> value (None for an empty cell) from a report's cells.

    cells: objects with key, value, status, method, mapped (Cells, or raw.cells rows so read).
    Table cells count; an old-format report often states figures only in
    prose, so there prose counts too where no table gave the figure."""
    vals: dict[str, float | None] = {}
    prose: dict[str, float] = {}
    cells = list(cells)
    for c in cells:
        if not c.mapped:
            continue
        key = c.key
        if c.method in (TABLE, RECONSTRUCTED):
            vals.setdefault(key, None if c.status == EMPTY else (c.value or 0.0))
        elif c.status != EMPTY:
            prose.setdefault(key, c.value or 0.0)
    if template == "pre2019":
        table_keys = set(vals)
        for k, v in prose.items():
            vals.setdefault(k, v)
        children = _unmapped_children(cells)
        for k in children:
            if k.startswith(COVERED) and k[len(COVERED):] in prose and k[len(COVERED):] not in table_keys:
                vals.pop(k[len(COVERED):], None)   # the table covers it through an unmapped row: prose does not fill it
        vals.update(children)
    return vals


UNMAPPED, COVERED = "|unmapped", "covered|"


def _unmapped_children(cells) -> dict[str, float]:
    """Old format: categories outside the template that sit under a parent row.

    parse_old notes an unmapped cell "parent=<key>" and, for a combined
    category (涉及国家秘密、商业秘密、个人隐私…17件), "covers=<keys>". Their values
    add to the parent's side of its identity ("<parent key>|unmapped") and the
    keys they cover are stated through them ("covered|<key>"), so O.I4 of seed
    001 reads 38 against 17 + 4 + 12. Table cells are used when the table has
    any; otherwise prose."""
    by_method: dict[str, dict[str, float]] = {"table": {}, "prose": {}}
    for c in cells:
        note = getattr(c, "note", "") or ""
        if getattr(c, "mapped", True) or "parent=" not in note:
            continue
        fields = dict(b.strip().split("=", 1) for b in note.split(";") if "=" in b)
        table = getattr(c, "table", "applications")
        tier = by_method["table" if c.method in (TABLE, RECONSTRUCTED) else "prose"]
        pk = _k(table, fields["parent"]) + UNMAPPED
        tier[pk] = tier.get(pk, 0.0) + (c.value or 0.0)
        for k in filter(None, fields.get("covers", "").split(",")):
            tier[COVERED + _k(table, k)] = 1.0
    return by_method["table"] or by_method["prose"]


def assess(idn: Identity, vals: dict[str, float | None], doc: str = "") -> dict | None:
    """Both sides and the status of one identity in report `doc`; None when the report
    states none of it."""
    get = vals.get
    try:                                           # every operand stated: the common case
        lhs, rhs, missing = sum(map(vals.__getitem__, idn.lhs)), sum(map(vals.__getitem__, idn.rhs)), []
    except (KeyError, TypeError):                  # an operand absent, or an empty cell (None)
        left = [get(k) for k in idn.lhs]
        keys = idn.lhs + idn.rhs
        if not any(k in vals for k in keys):
            return None
        covered = {k for k in idn.rhs if COVERED + k in vals and get(k) is None}
        missing = [k for k in keys if get(k) is None and k not in covered]
        lhs = None if None in left else sum(left)
        rhs = None if any(get(k) is None for k in idn.rhs if k not in covered) else \
            sum(vals[k] for k in idn.rhs if k not in covered)
    if rhs is not None and len(idn.lhs) == 1:
        rhs += get(idn.lhs[0] + UNMAPPED, 0.0)      # old format: unmapped categories under the parent
    status = NOT_ASSESSABLE if missing else (PASS if abs(lhs - rhs) < 1e-9 else FAIL)
    return {"doc": doc, "identity": idn.id, "rule": idn.rule, "description": idn.description, "severity": idn.severity,
            "lhs": lhs, "rhs": rhs, "status": status, "missing": ", ".join(missing)}


def for_template(template: str | None) -> list[Identity]:
    return _BY_TEMPLATE.get(template, [])


_BY_TEMPLATE: dict[str, list[Identity]] = {}
for _i in IDENTITIES:
    for _t in _i.templates:
        _BY_TEMPLATE.setdefault(_t, []).append(_i)


def evaluate(report: Report) -> list[dict]:
    """One row per identity of the report's template that touches any stated figure."""
    vals = operands(report.cells, report.template)
    rows = (assess(i, vals, report.doc) for i in for_template(report.template))
    return [r for r in rows if r]


# The new format's identities read table cells alone: a batch's are evaluated at once on
# a report × key grid (evaluate_grid), as evaluate() would one report at a time. One by
# one, they were a tenth of a parse. The old format also reads prose and unmapped
# categories (operands()): evaluate() reads it.
GRID_TEMPLATES = tuple(t for t in T.TEMPLATES if t != "pre2019")
# The fields of a result (assess()), in the landing table raw.checks's order after its doc_id.
CHECK_FIELDS = ("doc", "identity", "rule", "description", "severity", "lhs", "rhs", "status", "missing")


@lru_cache(maxsize=None)
def _grid(template: str):
    """The template's identities, their operand keys and each key's position, and for each side and for both (left
    then right, the order evaluate() lists missing operands in) the identities' operands as
    key positions laid end to end with where each identity's start (for np.add.reduceat,
    which sums each run left to right, as evaluate() does); and the identities' id, rule,
    description and severity as Arrow arrays."""
    import numpy as np
    import pyarrow as pa
    ids = for_template(template)
    keys = list(dict.fromkeys(k for i in ids for k in i.lhs + i.rhs))
    at = {k: j for j, k in enumerate(keys)}

    def runs(side):
        cols = [[at[k] for k in side(i)] for i in ids]
        return np.array([c for run in cols for c in run]), np.cumsum([0] + [len(c) for c in cols[:-1]]), \
            np.array([len(c) for c in cols])
    sides = {"lhs": runs(lambda i: i.lhs), "rhs": runs(lambda i: i.rhs), "both": runs(lambda i: i.lhs + i.rhs)}
    meta = {f: pa.array([getattr(i, f) for i in ids]) for f in ("id", "rule", "description", "severity")}
    return ids, keys, at, sides, meta


def evaluate_grid(cells, reports):
    """evaluate() for every report of GRID_TEMPLATES among `reports`, as an Arrow table of
    doc_id and CHECK_FIELDS.
    cells and reports: Arrow tables shaped like the landing tables raw.cells and raw.reports,
    as pipeline.report_tables makes them: each report's n_cells cells in a run, in its
    order, the reports' runs in the reports' order. A key's operand is its first table or
    reconstructed cell; a side is summed when every operand of it is stated (an empty cell
    is not 0)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    templates = np.array(reports["template"].to_pylist(), dtype=object)
    owner = np.repeat(np.arange(len(templates)), reports["n_cells"].to_numpy())
    operand = pc.and_(cells["mapped"], pc.is_in(cells["method"], value_set=pa.array([TABLE, RECONSTRUCTED])))
    operand = operand.to_numpy(zero_copy_only=False)
    value = pc.if_else(pc.equal(cells["status"], EMPTY), np.nan, pc.fill_null(cells["value"], 0.0)).to_numpy()
    names = cells["figure_key"].combine_chunks()
    names = names if pa.types.is_dictionary(names.type) else pc.dictionary_encode(names)
    as_dict = pa.DictionaryArray.from_arrays
    statuses = pa.array([PASS, FAIL, NOT_ASSESSABLE])
    parts = []
    for tpl in GRID_TEMPLATES:
        rows = np.flatnonzero(templates == tpl)          # reports of this template
        if not len(rows):
            continue
        ids, keys, at, sides, meta = _grid(tpl)
        key = np.array([at.get(k, -1) for k in names.dictionary.to_pylist()], dtype=np.int64)
        key = key[names.indices.to_numpy()] if len(key) else np.zeros(0, dtype=np.int64)
        report = np.full(len(templates), -1)
        report[rows] = np.arange(len(rows))
        sel = np.flatnonzero(operand & (key >= 0) & (report[owner] >= 0))
        r, k = report[owner[sel]], key[sel]
        _, first = np.unique(r * len(keys) + k, return_index=True)       # a key's first cell in its report
        r, k, v = r[first], k[first], value[sel][first]
        stated = np.zeros((len(rows), len(keys)), dtype=bool)
        known = np.zeros((len(rows), len(keys)), dtype=bool)
        vals = np.zeros((len(rows), len(keys)))
        stated[r, k], known[r, k], vals[r, k] = True, ~np.isnan(v), np.nan_to_num(v)

        def per_identity(grid, side):               # report × identity: each identity's operands summed
            cols, starts, _ = sides[side]
            return np.add.reduceat(grid[:, cols], starts, axis=1)
        rep, idn = np.nonzero(per_identity(stated, "both"))   # a row for each identity a report touches
        ok_l = (per_identity(known.astype(np.int64), "lhs") == sides["lhs"][2])[rep, idn]
        ok_r = (per_identity(known.astype(np.int64), "rhs") == sides["rhs"][2])[rep, idn]
        lhs, rhs = per_identity(vals, "lhs")[rep, idn], per_identity(vals, "rhs")[rep, idn]
        status = np.where(ok_l & ok_r, np.where(np.abs(lhs - rhs) < 1e-9, 0, 1), 2)    # statuses' positions
        missing = np.full(len(rep), "", dtype=object)
        cols, starts, lens = sides["both"]
        listed: dict[tuple, str] = {}                     # a batch's reports leave the same operands out
        for j in np.flatnonzero(status == 2):             # the operands absent or empty, in order
            ops = cols[starts[idn[j]]:starts[idn[j]] + lens[idn[j]]]
            absent = ~known[rep[j], ops]
            key_ = (idn[j], absent.tobytes())
            if key_ not in listed:
                listed[key_] = ", ".join(keys[x] for x in ops[absent])
            missing[j] = listed[key_]
        # the repeated strings as dictionaries over the reports and the identities: nothing copied
        doc_at = pa.array(rows[rep], pa.int32())
        parts.append(pa.table({
            "doc_id": as_dict(doc_at, reports["doc_id"].combine_chunks()),
            "doc": as_dict(doc_at, reports["doc"].combine_chunks()),
            **{col: as_dict(pa.array(idn, pa.int32()), meta[f]) for col, f in (
                ("identity", "id"), ("rule", "rule"), ("description", "description"), ("severity", "severity"))},
            "lhs": pa.array(np.where(ok_l, lhs, np.nan), from_pandas=True),
            "rhs": pa.array(np.where(ok_r, rhs, np.nan), from_pandas=True),
            "status": as_dict(pa.array(status, pa.int32()), statuses), "missing": pa.array(missing, pa.string())}))
    text = pa.dictionary(pa.int32(), pa.string())
    schema = pa.schema([(c, pa.float64() if c in ("lhs", "rhs") else pa.string() if c == "missing" else text)
                        for c in ("doc_id", *CHECK_FIELDS)])
    # one dictionary per column for the whole table (a Parquet column chunk is written with one)
    return pa.concat_tables([t.cast(schema) for t in parts], promote_options="none").unify_dictionaries() \
        if parts else schema.empty_table()

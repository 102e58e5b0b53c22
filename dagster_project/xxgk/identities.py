"""Accounting identities (勾稽关系, CODEBOOK §4), defined once from templates.py.

Each Identity says which figure keys must add up. evaluate() gives one result
per report × identity with both sides and a status: pass, fail, or
not_assessable when an operand is absent or an empty cell (an empty cell is
never read as 0). A failure is a warning: the data stays as published.
The Great Expectations suites in expectations/ are generated from IDENTITIES
(gx_suites.py) and check the same residuals.
"""
from __future__ import annotations

from dataclasses import dataclass

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


# Templates whose operands are their table cells alone: the warehouse evaluates their
# identities in SQL, over all the reports of a load at once (pipeline._identity_checks),
# as evaluate() would one report at a time; evaluated here, they were a tenth of a parse.
# The old format also reads prose and unmapped categories (operands()): it stays here.
SQL_TEMPLATES = frozenset({"2019", "2021"})


def evaluated_in_sql(report: Report) -> bool:
    return report.template in SQL_TEMPLATES


def operand_rows() -> list[tuple]:
    """The identities of SQL_TEMPLATES as a table: (template, identity, rule, description,
    severity, position, side, figure_key), one row per operand, position counting the left
    side's operands, then the right side's (the order evaluate() lists missing ones in)."""
    out = []
    for idn in IDENTITIES:
        for tpl in sorted(SQL_TEMPLATES.intersection(idn.templates)):
            for pos, (side, key) in enumerate([*(("lhs", k) for k in idn.lhs), *(("rhs", k) for k in idn.rhs)]):
                out.append((tpl, idn.id, idn.rule, idn.description, idn.severity, pos, side, key))
    return out

"""The short account a run prints: what was seen, parsed, loaded, checked and rejected."""
from __future__ import annotations

from .extract import PARSE_FAILED


def summarize(con) -> str:
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    files, rejected = q("select count(*), count(*) filter (where status <> 'ok') from raw.documents")[0]
    unreadable = q("select count(*) from raw.normalized where status <> 'ok'")[0][0]
    reports, no_figures = q("""select count(*) filter (where is_report),
                                      count(*) filter (where is_report and n_figures = 0) from raw.reports""")[0]
    figures = q("select coalesce(sum(n_figures), 0) from raw.reports")[0][0]
    by_template = q("select coalesce(template, 'unknown'), count(*) from raw.reports where is_report group by 1 order by 1")
    checks = dict(q("select status, count(*) from raw.checks where rule <> 'text_vs_table' group by 1"))
    tvt = dict(q("select status, count(*) from raw.checks where rule = 'text_vs_table' group by 1"))
    failing = q("select count(distinct doc_id) from raw.checks where status = 'fail'")[0][0]
    reasons = q("""select name, reason from raw.documents where status <> 'ok'
                   union all select name, reason from raw.normalized where status <> 'ok'
                   union all select doc, notes from raw.reports where not is_report order by 1""")
    failed = con.execute("select doc, substr(notes, strpos(notes, ?)) from raw.reports "
                         "where strpos(notes, ?) > 0 order by 1", [PARSE_FAILED, PARSE_FAILED]).fetchall()
    missing = q("select count(*) from raw.attachments where status = 'missing'")[0][0]
    lines = [
        f"files seen:            {files}",
        f"reports identified:    {reports}  ({', '.join(f'{t}: {n}' for t, n in by_template) or 'none'})",
        f"  with no figures yet: {no_figures}",
        f"figures loaded:        {figures}",
        f"identity checks:       {checks.get('pass', 0)} passed, {checks.get('fail', 0)} failed, "
        f"{checks.get('not_assessable', 0)} not assessable  ({failing} reports flagged, kept as published)",
        f"text vs table:         {tvt.get('pass', 0)} agree, {tvt.get('fail', 0)} disagree",
        f"attachments missing:   {missing}",
        f"parse errors:          {len(failed)}",
        *[f"  - {name}: {why}" for name, why in failed],
        f"files rejected:        {rejected + unreadable}",
    ]
    lines += [f"  - {name}: {reason}" for name, reason in reasons]
    return "\n".join(lines)

-- Reports that break an identity (勾稽关系), and which ones. A failing report
-- stays in the warehouse; this lists it with both sides of each failed check.
select
    r.doc,
    a.agency_name,
    r.report_year,
    r.template,
    c.rule,
    c.check_id,
    c.severity,
    c.description,
    c.lhs,
    c.rhs,
    c.difference
from marts.fact_checks c
join marts.dim_report r using (doc_id)
left join marts.dim_agency a on a.agency_id = r.agency_id
where c.status = 'fail'
order by r.doc, c.rule, c.check_id;

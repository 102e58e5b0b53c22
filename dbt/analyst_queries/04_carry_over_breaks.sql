-- Cross-year carry-over (X1): 结转下年度继续办理 of year N against 上年结转 of
-- year N+1, same agency, own-agency reports, per applicant column. Lists the
-- breaks (fail) and the pairs that could not be compared (not_assessable),
-- with both reports. Severity is warning: corrections and reorganisations
-- legitimately break the chain.
select
    a.agency_name,
    c.report_year - 1                       as year_n,
    prev.doc                                as report_n,
    c.report_year                           as year_n_plus_1,
    c.doc                                   as report_n_plus_1,
    c.check_id,
    c.lhs                                   as carried_forward_n,
    c.rhs                                   as carried_over_n_plus_1,
    c.difference,
    c.status,
    c.missing_operands
from marts.fact_checks c
left join marts.dim_report prev on prev.doc_id = c.compared_doc_id
left join marts.dim_agency a on a.agency_id = c.agency_id
where c.rule = 'X1' and c.status <> 'pass'
order by a.agency_name, c.report_year, c.check_id;

-- Applications received and handled, and the share refused (不予公开), by
-- agency and year. Harmonized grid: works across the 2019/2021 templates and
-- (approximately) the old form; the worst grade of the numbers used is shown.
-- refusal_share = 不予公开 (derived from its leaf rows) / （七）总计.
-- Only own-agency reports; jurisdiction summaries would double count.
with h as (
    select * from marts.fact_applications_harmonized
    where applicant_type = 'total' and scope = 'own_agency'
),

per_report as (
    select
        doc_id,
        max(value) filter (where level = 'flow'  and harmonized_key = 'new_received')  as new_received,
        max(value) filter (where level = 'flow'  and harmonized_key = 'handled_total') as handled_total,
        max(value) filter (where level = 'group' and harmonized_key = 'granted')       as granted,
        max(value) filter (where level = 'group' and harmonized_key = 'partial')       as partial,
        max(value) filter (where level = 'group' and harmonized_key = 'denied')        as denied,
        bool_and(is_complete) filter (where level = 'group' and harmonized_key = 'denied') as denied_complete,
        case max(case grade when 'exact' then 1 when 'approximate' then 2 else 3 end)
             when 1 then 'exact' when 2 then 'approximate' else 'impossible' end     as worst_grade
    from h
    group by doc_id
)

select
    a.agency_name,
    r.report_year,
    r.template,
    r.doc,
    p.new_received,
    p.handled_total,
    p.granted,
    p.partial,
    p.denied,
    p.denied_complete,
    round(p.denied / nullif(p.handled_total, 0), 4)                   as refusal_share,
    round((p.granted + coalesce(p.partial, 0)) / nullif(p.handled_total, 0), 4) as disclosed_share,
    p.worst_grade
from per_report p
join marts.dim_report r using (doc_id)
left join marts.dim_agency a on a.agency_id = r.agency_id
order by a.agency_name, r.report_year, r.doc;

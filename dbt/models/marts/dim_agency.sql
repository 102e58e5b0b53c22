-- 机关: one row per reporting body, stable across years. Identity is the
-- canonical name (place-qualified, simplified Chinese, no spaces) after the
-- alias rules of the agency_aliases seed; each alias that joined a name
-- is listed with its evidence. Region columns are the most frequent non-null
-- values over the agency's reports.
with names as (
    select n.*, r.report_year, r.scope, r.doc
    from {{ ref('int_agency_names') }} n
    join {{ ref('stg_reports') }} r using (doc_id)
    where n.agency_id is not null
),

regions as (
    select n.agency_id, g.region_id, g.province, g.city, g.county, g.region_code
    from names n
    join {{ ref('int_report_regions') }} g using (doc_id)
),

region_counts as (
    select agency_id, region_id, province, city, county, region_code, count(*) as n
    from regions
    group by all
),

region_mode as (
    select agency_id, region_id, province, city, county, region_code
    from region_counts
    qualify row_number() over (partition by agency_id order by n desc, region_id) = 1
),

alias_list as (
    select
        agency_id,
        string_agg(distinct agency_name || ' → ' || agency_canonical || ' (' || alias_evidence || ')', '; ')
                                                    as aliases_applied
    from names
    where alias_applied
    group by agency_id
)

select
    n.agency_id,
    max(n.agency_canonical)                         as agency_name,
    string_agg(distinct n.agency_name, '; ' order by n.agency_name) as names_seen,
    max(al.aliases_applied)                         as aliases_applied,
    count(distinct n.agency_name) - 1               as n_alias_names,
    count(*)                                        as n_reports,
    min(n.report_year)                              as first_year,
    max(n.report_year)                              as last_year,
    string_agg(distinct n.scope, ', ' order by n.scope) as scopes,
    max(rm.region_id)                               as region_id,
    max(rm.province)                                as province,
    max(rm.city)                                    as city,
    max(rm.county)                                  as county,
    max(rm.region_code)                             as region_code
from names n
left join region_mode rm using (agency_id)
left join alias_list al using (agency_id)
group by n.agency_id

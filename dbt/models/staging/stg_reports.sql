-- One row per parsed report (one document content, doc_id).
-- agency_name is the parser's agency with whitespace and a leading "标题:" /
-- "标题：" (a page-title artifact) removed; aliases are resolved later in
-- int_agency_names / dim_agency, never here.
with reports as (
    select * from {{ source('raw', 'reports') }}
)

select
    doc_id,
    doc,
    cast(report_year as integer)                            as report_year,
    agency                                                  as agency_raw,
    nullif(
        regexp_replace(
            regexp_replace(coalesce(agency, ''), '\s+', '', 'g'),
            '^标题[:：]', ''),
        '')                                                 as agency_name,
    template,
    case when template = 'pre2019' then 'old'
         when template in ('2019', '2021') then 'new' end   as template_family,
    try_cast(nullif(publish_date, '') as date)              as publish_date,
    scope,
    nullif(province, '')                                    as province,
    nullif(city, '')                                        as city,
    nullif(county, '')                                      as county,
    nullif(region_code, '')                                 as region_code,
    is_report,
    n_cells,
    n_figures,
    nullif(notes, '')                                       as parse_notes,
    parser_version
from reports

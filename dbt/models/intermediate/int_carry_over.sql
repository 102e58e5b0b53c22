-- A table, not a view: several marts and tests read it, and it is computed once.
{{ config(materialized='table') }}

-- Cross-year identity X1 (CODEBOOK §4.3): 结转下年度继续办理 (carried_forward)
-- of year N equals 上年结转 (carried_over) of year N+1, for the same agency
-- (agency_id, after aliases), per applicant column. Only own_agency reports of
-- the new templates, and only for N >= 2019 (the pair 2018→2019 is skipped: the
-- old form had no carry-over rows). Severity warning: corrections and
-- reorganisations legitimately break it. One row per later report × column;
-- the check is attached to the year N+1 report, compared_doc_id is year N.
-- When an agency has two own_agency reports for year N, the one with more
-- figures (then the smaller file name) is compared.
with reports as (
    select r.doc_id, r.doc, r.report_year, r.template_family, r.scope, r.n_figures, a.agency_id
    from {{ ref('stg_reports') }} r
    join {{ ref('int_agency_names') }} a using (doc_id)
    where r.scope = 'own_agency'
      and r.template_family = 'new'
      and r.report_year is not null
      and a.agency_id is not null
),

-- the report of each agency and year that the next year is compared with:
-- chosen once per year, not once per pair (an agency with many reports in
-- two years made millions of pairs to rank)
compared_reports as (
    select * from reports
    where report_year >= 2019
    qualify row_number() over (
        partition by agency_id, report_year order by n_figures desc, doc) = 1
),

pairs as (
    select
        cur.doc_id,
        cur.doc,
        cur.report_year,
        cur.agency_id,
        prev.doc_id         as compared_doc_id,
        prev.doc            as compared_doc
    from reports cur
    join compared_reports prev
      on prev.agency_id = cur.agency_id
     and prev.report_year = cur.report_year - 1
),

-- from stg_cells: the labels of int_cells_labelled are not needed here
cells as (
    select doc_id, row_key, column_key, value, value_status
    from {{ ref('stg_cells') }}
    where is_record_cell
      and table_name = 'applications'
      and row_key in ('carried_forward', 'carried_over')
),

columns as (
    select key as column_key, label_zh
    from {{ ref('stg_template_keys') }}
    where table_name = 'applications' and kind = 'column' and template = '2021'
),

row_labels as (
    select
        max(label_zh) filter (where key = 'carried_forward')   as forward_label_zh,
        max(label_zh) filter (where key = 'carried_over')      as over_label_zh
    from {{ ref('stg_template_keys') }}
    where table_name = 'applications' and kind = 'row' and template = '2021'
),

compared as (
    select
        p.*,
        col.column_key,
        col.label_zh                                        as column_label_zh,
        fwd.value_status                                    as forward_status,
        fwd.value                                           as forward_value,
        ovr.value_status                                    as over_status,
        ovr.value                                           as over_value,
        rl.forward_label_zh,
        rl.over_label_zh
    from pairs p
    cross join columns col
    cross join row_labels rl
    left join cells fwd
      on fwd.doc_id = p.compared_doc_id and fwd.row_key = 'carried_forward'
     and fwd.column_key = col.column_key
    left join cells ovr
      on ovr.doc_id = p.doc_id and ovr.row_key = 'carried_over'
     and ovr.column_key = col.column_key
    where fwd.value_status is not null or ovr.value_status is not null
)

select
    doc_id,
    doc,
    'X1.' || column_key                                     as check_id,
    'X1'                                                    as rule,
    forward_label_zh || ' (' || cast(report_year - 1 as varchar) || ', ' || compared_doc
        || ') = ' || over_label_zh || ' (' || cast(report_year as varchar) || ') (' || column_label_zh || ')'
                                                            as description,
    'warning'                                               as severity,
    case when forward_status in ('number', 'nil') then coalesce(forward_value, 0) end as lhs,
    case when over_status in ('number', 'nil') then coalesce(over_value, 0) end       as rhs,
    case
        when forward_status not in ('number', 'nil') or forward_status is null
          or over_status not in ('number', 'nil') or over_status is null then 'not_assessable'
        when coalesce(forward_value, 0) = coalesce(over_value, 0) then 'pass'
        else 'fail'
    end                                                     as status,
    nullif(concat_ws(', ',
        case when forward_status not in ('number', 'nil') or forward_status is null
             then compared_doc || ':applications.carried_forward.' || column_key end,
        case when over_status not in ('number', 'nil') or over_status is null
             then 'applications.carried_over.' || column_key end), '') as missing_operands,
    compared_doc_id,
    agency_id,
    report_year,
    column_key
from compared

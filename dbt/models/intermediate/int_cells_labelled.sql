-- A view: joins of the cells with small tables only. The incremental marts
-- read it for the reports of the run, so a table would rebuild all of it.

-- Every cell with its report's template, Chinese labels from the template keys
-- (never retyped here), the outcome group, and the figure-of-record flags.
--   is_record_cell: one per report × key among mapped cells (stated before
--     empty, then table > reconstructed > prose), marked by the parser.
--   is_figure_of_record: the record cell when it is stated (stg_cells).
with cells as (
    select * from {{ ref('stg_cells') }}
),

reports as (
    select doc_id, doc, report_year, template, template_family, scope, parser_version
    from {{ ref('stg_reports') }}
),

agencies as (
    select doc_id, agency_id from {{ ref('int_agency_names') }}
),

keys as (
    select * from {{ ref('stg_template_keys') }}
),

-- A label per key and template family, preferring the newest template, for
-- cells whose report has no template or a key outside its template.
family_keys as (
    select * from keys
    qualify row_number() over (
        partition by table_name, kind, key, template_family order by template desc) = 1
),

joined as (
    select
        c.*,
        r.doc,
        r.report_year,
        r.template,
        r.scope,
        r.parser_version,
        a.agency_id,
        case when c.cell_format = 'old' then 'pre2019'
             when r.template in ('2019', '2021') then r.template
             else '2021' end                                        as label_template
    from cells c
    join reports r using (doc_id)
    left join agencies a using (doc_id)
)

select
    j.cell_id,
    j.doc_id,
    j.doc,
    j.report_year,
    j.agency_id,
    j.template,
    j.scope,
    j.cell_format,
    j.table_name,
    j.row_key,
    j.col_key,
    j.column_key,
    j.figure_key,
    coalesce(rk.label_zh, rf.label_zh)                              as row_label_zh,
    coalesce(ck.label_zh, cf.label_zh)                              as column_label_zh,
    coalesce(rk.outcome_group, rf.outcome_group)                    as outcome_group,
    coalesce(rk.position, rf.position)                              as row_position,
    coalesce(ck.position, cf.position)                              as column_position,
    j.mapped and rk.key is not null and j.template is not null      as row_in_template,
    j.value,
    j.value_status,
    j.raw_text,
    j.source,
    j.method,
    j.method_rank,
    j.mapped,
    j.note,
    j.parser_version,
    j.is_record_cell,
    j.is_figure_of_record
from joined j
left join keys rk
    on rk.table_name = j.table_name and rk.kind = 'row'
   and rk.key = j.row_key and rk.template = j.label_template
left join family_keys rf
    on rf.table_name = j.table_name and rf.kind = 'row' and rf.key = j.row_key
   and rf.template_family = case when j.cell_format = 'old' then 'old' else 'new' end
left join keys ck
    on ck.table_name = j.table_name and ck.kind = 'column'
   and ck.key = j.column_key and ck.template = j.label_template
left join family_keys cf
    on cf.table_name = j.table_name and cf.kind = 'column' and cf.key = j.column_key
   and cf.template_family = 'new'

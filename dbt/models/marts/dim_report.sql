-- 年度报告: one row per report (document content): who, which year, which
-- template and scope, where, how many cells and figures, how the checks went,
-- which attachments are missing, and the parse notes.
with reports as (
    select * from {{ ref('stg_reports') }}
),

files as (
    select doc_id, count(*) as n_files,
           string_agg(file_name, '; ' order by file_name) as file_names,
           max(file_kind) as file_kind
    from {{ ref('stg_documents') }}
    group by doc_id
),

figures as (
    select doc_id,
           count(*)                                             as n_cells_found,
           count(*) filter (where is_figure_of_record)          as n_figures_of_record,
           count(*) filter (where value_status = 'empty')       as n_empty_cells,
           count(*) filter (where not mapped)                   as n_unmapped_cells,
           count(*) filter (where method = 'prose')             as n_prose_cells
    from {{ ref('stg_cells') }}
    group by doc_id
),

checks as (
    select doc_id,
           count(*) filter (where status = 'pass')                              as checks_passed,
           count(*) filter (where status = 'fail')                              as checks_failed,
           count(*) filter (where status = 'not_assessable')                    as checks_not_assessable,
           count(*) filter (where status = 'fail' and severity = 'hard')        as hard_checks_failed,
           count(*) filter (where status = 'fail' and rule = 'X1')              as carry_over_failed,
           string_agg(check_id, ', ' order by check_id) filter (where status = 'fail') as failed_check_ids
    from {{ ref('fact_checks') }}
    group by doc_id
),

attachments as (
    select doc_id,
           count(*)                                                 as n_attachments,
           count(*) filter (where attachment_status = 'missing')    as attachments_missing,
           string_agg(attachment_name, '; ' order by attachment_name)
               filter (where attachment_status = 'missing')         as missing_attachment_names
    from {{ ref('stg_attachments') }}
    group by doc_id
)

select
    r.doc_id,
    r.doc,
    f.file_names,
    coalesce(f.n_files, 0)                          as n_files,
    f.file_kind,
    r.report_year,
    a.agency_id,
    a.agency_canonical                              as agency_name,
    r.agency_raw,
    r.template,
    r.template_family,
    r.scope,
    r.publish_date,
    g.region_id,
    r.province,
    r.city,
    r.county,
    r.region_code,
    r.is_report,
    r.n_cells,
    r.n_figures,
    coalesce(fg.n_figures_of_record, 0)             as n_figures_of_record,
    coalesce(fg.n_empty_cells, 0)                   as n_empty_cells,
    coalesce(fg.n_unmapped_cells, 0)                as n_unmapped_cells,
    coalesce(fg.n_prose_cells, 0)                   as n_prose_cells,
    coalesce(c.checks_passed, 0)                    as checks_passed,
    coalesce(c.checks_failed, 0)                    as checks_failed,
    coalesce(c.checks_not_assessable, 0)            as checks_not_assessable,
    coalesce(c.hard_checks_failed, 0)               as hard_checks_failed,
    coalesce(c.carry_over_failed, 0)                as carry_over_failed,
    c.failed_check_ids,
    coalesce(att.n_attachments, 0)                   as n_attachments,
    coalesce(att.attachments_missing, 0)             as attachments_missing,
    att.missing_attachment_names,
    r.parse_notes,
    r.parser_version
from reports r
left join files f using (doc_id)
left join {{ ref('int_agency_names') }} a using (doc_id)
left join {{ ref('int_report_regions') }} g using (doc_id)
left join figures fg using (doc_id)
left join checks c using (doc_id)
left join attachments att using (doc_id)

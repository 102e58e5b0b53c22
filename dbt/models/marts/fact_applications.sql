{{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
          post_hook=report_hooks()) }}
-- depends_on: {{ ref('stg_reports') }}
-- 收到和处理政府信息公开申请情况: one row per cell of section 三.
-- Grain: report × row × applicant type × method/source. New format (2019/2021):
-- the 7 applicant columns. Old format (pre2019): the list rows, whose single
-- value counts all applicants, carry applicant_type 'total' (raw col_key '').
-- Empty cells are kept (value null, value_status 'empty'); several cells of the
-- same key (table and prose) are kept, is_figure_of_record marks the one of record.
select
    cell_id,
    doc_id,
    doc,
    report_year,
    agency_id,
    template,
    cell_format,
    row_key,
    row_label_zh,
    row_position,
    coalesce(column_key, 'total')           as applicant_type,
    column_label_zh                         as applicant_type_label_zh,
    col_key,
    figure_key,
    outcome_group,
    value,
    value_status,
    raw_text,
    method,
    source,
    mapped,
    row_in_template,
    is_record_cell,
    is_figure_of_record,
    note,
    parser_version,
    {{ this_invocation() }}                 as invocation_id
from {{ ref('int_cells_labelled') }}
where table_name = 'applications'
{{ only_changed_reports() }}

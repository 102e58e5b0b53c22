{{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
          post_hook=report_hooks()) }}
-- depends_on: {{ ref('stg_reports') }}
-- 其他统计单元格: cells outside sections 三 and 四 (e.g. the old statistics
-- appendix rows on proactive disclosure, complaints, fees, staffing), kept
-- under their own labels (row_key) so that nothing the parser found is
-- dropped. Not harmonized and not part of the figures interchange.
select
    cell_id,
    doc_id,
    doc,
    report_year,
    agency_id,
    template,
    table_name,
    row_key,
    col_key,
    figure_key,
    value,
    value_status,
    raw_text,
    method,
    source,
    mapped,
    note,
    parser_version,
    {{ this_invocation() }}                 as invocation_id
from {{ ref('int_cells_labelled') }}
where table_name not in ('applications', 'reviews')
{{ only_changed_reports() }}

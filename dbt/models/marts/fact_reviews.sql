{{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
          post_hook=report_hooks()) }}
-- depends_on: {{ ref('stg_reports') }}
-- 行政复议、行政诉讼情况: one row per cell of section 四.
-- New format: proceeding (review 行政复议, litigation_direct 未经复议直接起诉,
-- litigation_after_review 复议后起诉) × result (upheld, corrected, other,
-- pending, total). Old format (pre2019) rows review_* / litigation_* are mapped
-- beside them through the outcome_crosswalk seed (CODEBOOK §5): old 行政诉讼 is
-- the sum of both kinds of suit (proceeding 'litigation_all'), old 其他情形 ≈
-- 其他结果 + 尚未审结 (result 'other_incl_pending'). comparable_proceeding and
-- comparable_result put both formats on the old, coarser grid so they can be
-- summed across years.
with cells as (
    select * from {{ ref('int_cells_labelled') }}
    where table_name = 'reviews'
    {{ only_changed_reports() }}
),

crosswalk as (
    select old_key, harmonized_key, grade, note
    from {{ ref('outcome_crosswalk') }}
    where from_template = 'pre2019' and old_table = 'reviews'
),

mapped as (
    select
        c.*,
        c.cell_format = 'old'                                          as is_old_format,
        case when c.cell_format = 'old' then split_part(x.harmonized_key, '.', 1)
             else c.row_key end                                        as proceeding,
        case when c.cell_format = 'old' then split_part(x.harmonized_key, '.', 2)
             else c.column_key end                                     as result,
        case when c.cell_format = 'old' then c.row_key end             as old_row_key,
        case when c.cell_format = 'old' then x.grade else 'exact' end  as mapping_grade,
        case when c.cell_format = 'old' then x.note end                as mapping_note
    from cells c
    left join crosswalk x on c.cell_format = 'old' and x.old_key = c.row_key
)

select
    cell_id,
    doc_id,
    doc,
    report_year,
    agency_id,
    template,
    is_old_format,
    nullif(proceeding, '')                                             as proceeding,
    nullif(result, '')                                                 as result,
    case when is_old_format then row_label_zh
         else row_label_zh || '｜' || column_label_zh end              as label_zh,
    case when proceeding in ('litigation_direct', 'litigation_after_review')
         then 'litigation_all' else nullif(proceeding, '') end         as comparable_proceeding,
    case when result in ('other', 'pending') then 'other_incl_pending'
         else nullif(result, '') end                                   as comparable_result,
    old_row_key,
    mapping_grade,
    mapping_note,
    figure_key,
    value,
    value_status,
    raw_text,
    method,
    source,
    mapped,
    is_record_cell,
    is_figure_of_record,
    note,
    parser_version,
    {{ this_invocation() }}                 as invocation_id
from mapped

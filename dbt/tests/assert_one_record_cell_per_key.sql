{{ config(meta={"dagster": {"ref": {"name": "fact_applications"}}}) }}
-- Structure: each report × key has exactly one record cell and at most one
-- figure of record, in both facts. Per report, so it reads the reports this
-- invocation wrote (macros/tests_of_written_rows.sql).
with cells as (
    select doc_id, figure_key, is_record_cell, is_figure_of_record
    from {{ written_rows(ref('fact_applications')) }} where mapped
    union all
    select doc_id, figure_key, is_record_cell, is_figure_of_record
    from {{ written_rows(ref('fact_reviews')) }} where mapped
)

select doc_id, figure_key,
       count(*) filter (where is_record_cell)      as n_record_cells,
       count(*) filter (where is_figure_of_record) as n_figures_of_record
from cells
group by doc_id, figure_key
having count(*) filter (where is_record_cell) <> 1
    or count(*) filter (where is_figure_of_record) > 1

-- Every figure of one report with its label, status and provenance: where in
-- the document it was read (source), how (method), and whether it is the
-- figure of record. Change the file name in `params`.
with params as (
    select '004_6d9098e69707ff9c.txt' as doc
),

figures as (
    select doc, 'applications' as table_name, row_position as position, row_key,
           applicant_type as column_key, row_label_zh || coalesce('｜' || applicant_type_label_zh, '') as label_zh,
           value, value_status, method, source, raw_text, is_figure_of_record
    from marts.fact_applications
    union all
    select doc, 'reviews', null, coalesce(old_row_key, proceeding), result, label_zh,
           value, value_status, method, source, raw_text, is_figure_of_record
    from marts.fact_reviews
)

select table_name, row_key, column_key, label_zh, value, value_status, method, source, raw_text, is_figure_of_record
from figures
where doc = (select doc from params)
  and value_status <> 'empty'
order by table_name, position, row_key, column_key, is_figure_of_record desc;

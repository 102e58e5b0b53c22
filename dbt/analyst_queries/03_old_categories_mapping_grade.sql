-- How much of each old-format (2014–2018) category maps exactly onto the new
-- template: every crosswalk row (CODEBOOK §5) with the number of old-format
-- figures of record and their total, and per table the share of old-format
-- figures whose category has each grade (counts, not values: old rows overlap,
-- e.g. 收到申请数 and its channels). Categories with no figures yet show 0.
with old_figures as (
    select table_name, row_key, value
    from (
        select 'applications' as table_name, row_key, value, is_figure_of_record, cell_format as fmt
        from marts.fact_applications
        union all
        select 'reviews', old_row_key, value, is_figure_of_record, case when is_old_format then 'old' end
        from marts.fact_reviews
    )
    where fmt = 'old' and is_figure_of_record
),

per_category as (
    select
        x.old_table,
        x.old_key,
        x.grade,
        nullif(x.harmonized_key, '')                    as placed_as,
        x.new_row_keys,
        count(f.value)                                  as n_figures,
        coalesce(sum(f.value), 0)                       as total_value
    from marts.outcome_crosswalk x
    left join old_figures f on f.table_name = x.old_table and f.row_key = x.old_key
    where x.from_template = 'pre2019'
    group by all
)

select
    *,
    sum(n_figures) over (partition by old_table, grade)                         as n_figures_in_grade,
    round(sum(n_figures) over (partition by old_table, grade)
          / nullif(sum(n_figures) over (partition by old_table), 0), 4)         as share_of_figures_in_grade
from per_category
order by old_table, case grade when 'exact' then 1 when 'approximate' then 2 else 3 end, old_key;

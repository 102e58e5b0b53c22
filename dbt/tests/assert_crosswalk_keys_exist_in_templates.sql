{{ config(meta={"dagster": {"ref": {"name": "outcome_crosswalk"}}}) }}
-- Every key the crosswalk names must exist in the template keys (which are
-- generated from the Python template definitions): a typo in the seed would
-- silently drop figures from fact_applications_harmonized / fact_reviews.
with crosswalk as (
    select * from {{ ref('outcome_crosswalk') }}
),

keys as (
    select distinct table_name, kind, key, template_family
    from {{ ref('stg_template_keys') }}
),

named as (
    -- every successor in new_row_keys, and the harmonized key
    select old_table, old_key, trim(unnest(string_split(new_row_keys, '|'))) as named_key
    from crosswalk where coalesce(new_row_keys, '') <> ''
    union all
    select old_table, old_key, harmonized_key
    from crosswalk where coalesce(harmonized_key, '') <> ''
),

parts as (
    select
        old_table, old_key, named_key,
        case when old_table = 'reviews' then split_part(named_key, '.', 1) else named_key end as row_part,
        case when old_table = 'reviews' then split_part(named_key, '.', 2) end               as col_part
    from named
)

select p.*
from parts p
left join keys r
  on r.table_name = p.old_table and r.kind = 'row' and r.key = p.row_part and r.template_family = 'new'
left join keys c
  on c.table_name = p.old_table and c.kind = 'column' and c.key = p.col_part and c.template_family = 'new'
where (p.old_table = 'applications' and r.key is null)
   or (p.old_table = 'reviews'
       and (   (r.key is null and p.row_part <> 'litigation_all')
            or (c.key is null and p.col_part <> 'other_incl_pending')))

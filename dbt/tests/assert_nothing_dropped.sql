{{ config(meta={"dagster": {"ref": {"name": "fact_checks"}}}) }}
-- Structure: every raw report, cell and check reaches the marts (a report
-- that breaks an identity is flagged and kept, never filtered out).
with counts as (
    select 'reports' as what,
           (select count(*) from {{ source('raw', 'reports') }}) as n_raw,
           (select count(*) from {{ ref('dim_report') }})        as n_mart
    union all
    select 'cells',
           (select count(*) from {{ source('raw', 'cells') }}),
           (select count(*) from {{ ref('fact_applications') }})
             + (select count(*) from {{ ref('fact_reviews') }})
             + (select count(*) from {{ ref('fact_other_cells') }})
    union all
    select 'checks',
           (select count(*) from {{ source('raw', 'checks') }}),
           (select count(*) from {{ ref('fact_checks') }} where origin = 'python')
)

select * from counts where n_raw <> n_mart

{{ config(meta={"dagster": {"ref": {"name": "fact_checks"}}}) }}
-- The seed report 004 (赣州市住房和城乡建设局 2019) breaks exactly two
-- identities, I4.1 for both kinds of lawsuit; fact_checks must flag exactly
-- those (and dim_report must count them). Returns nothing when 004 is not in
-- the warehouse.
with expected as (
    select * from (values ('I4.1.litigation_direct'), ('I4.1.litigation_after_review')) e(check_id)
),

seed_doc as (
    select doc_id from {{ ref('dim_report') }} where doc like '004\_6d9098e69707ff9c%' escape '\'
),

failed as (
    select check_id from {{ ref('fact_checks') }}
    where status = 'fail' and doc_id in (select doc_id from seed_doc)
),

diff as (
    (select check_id, 'expected but not failed' as problem from expected
     except select check_id, 'expected but not failed' from failed)
    union all
    (select check_id, 'failed but not expected' from failed
     except select check_id, 'failed but not expected' from expected)
    union all
    select 'dim_report.checks_failed = ' || cast(checks_failed as varchar), 'count mismatch'
    from {{ ref('dim_report') }}
    where doc_id in (select doc_id from seed_doc) and checks_failed <> 2
)

select * from diff
where exists (select 1 from seed_doc)

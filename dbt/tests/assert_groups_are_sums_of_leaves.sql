{{ config(meta={"dagster": {"ref": {"name": "fact_applications_harmonized"}}}) }}
-- Derivation: every group row equals the sum of the leaf rows of its group
-- (same report and applicant type), and no group row exists without leaves.
-- This tests the model's arithmetic, not the reports' identities. Per report,
-- so it reads the reports this invocation wrote (macros/tests_of_written_rows.sql).
with h as (
    select * from {{ written_rows(ref('fact_applications_harmonized')) }}
),

leaf_sums as (
    select doc_id, applicant_type, outcome_group, sum(value) as leaf_sum, count(*) as n_leaves
    from h where level = 'leaf'
    group by all
)

select g.doc_id, g.applicant_type, g.outcome_group, g.value, l.leaf_sum, l.n_leaves
from h g
left join leaf_sums l
  on l.doc_id = g.doc_id and l.applicant_type = g.applicant_type and l.outcome_group = g.outcome_group
where g.level = 'group'
  and (l.n_leaves is null or g.value is distinct from l.leaf_sum)

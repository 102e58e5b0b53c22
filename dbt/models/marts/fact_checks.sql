{{ config(materialized='incremental', unique_key=['doc_id', 'origin'], incremental_strategy='delete+insert',
          pre_hook="{% if is_incremental() %}delete from {{ this }} where origin = 'dbt_cross_year'{% endif %}",
          post_hook=report_hooks()) }}
-- depends_on: {{ ref('stg_reports') }}
-- 勾稽关系检查结果: one row per report × check.
-- From Python (raw.checks): every identity of the report's template that
-- touches a stated figure (I3.1, I3.2, I3.3, I4.1, O.I1..O.I6, text_vs_table),
-- severity hard | soft. Computed here in SQL (int_carry_over): the cross-year
-- carry-over check X1 per applicant column, severity warning.
-- A failing report is flagged here and kept everywhere else.
-- Incremental: a report's Python checks are fixed by its content and parser
-- version, so only reports new to this mart add theirs (macros/
-- incremental_reports.sql); the X1 rows are all replaced in every build (the
-- pre-hook deletes them), since a new report can change the check of the
-- next year's report of its agency. 4 M rows at 100,000 reports are no
-- longer written again in every run.
with python_checks as (
    select
        c.doc_id,
        c.doc,
        c.check_id,
        c.rule,
        c.description,
        c.severity,
        c.lhs,
        c.rhs,
        c.status,
        c.missing_operands,
        'python'                    as origin,
        cast(null as varchar)       as compared_doc_id
    from {{ ref('stg_checks') }} c
    where true {{ only_changed_reports() }}
),

cross_year as (
    select
        doc_id,
        doc,
        check_id,
        rule,
        description,
        severity,
        lhs,
        rhs,
        status,
        missing_operands,
        'dbt_cross_year'            as origin,
        compared_doc_id
    from {{ ref('int_carry_over') }}
),

unioned as (
    select * from python_checks
    union all
    select * from cross_year
)

select
    u.doc_id,
    u.doc,
    r.report_year,
    a.agency_id,
    u.check_id,
    u.rule,
    u.description,
    u.severity,
    u.lhs,
    u.rhs,
    u.lhs - u.rhs                       as difference,
    u.status,
    u.missing_operands,
    u.origin,
    u.compared_doc_id,
    r.parser_version,
    {{ this_invocation() }}             as invocation_id
from unioned u
left join {{ ref('stg_reports') }} r on r.doc_id = u.doc_id
left join {{ ref('int_agency_names') }} a on a.doc_id = u.doc_id

{{ config(materialized='incremental', unique_key='doc_id', incremental_strategy='delete+insert',
          post_hook=report_hooks()) }}
-- depends_on: {{ ref('stg_reports') }}
-- 申请办理情况（跨模板统一口径）: section 三 on one grid across the three templates.
-- Grain: report × level × harmonized_key × applicant_type.
--   level 'flow'  : new_received, carried_over, handled_total, carried_forward.
--   level 'leaf'  : the template's outcome rows (granted, partial, denied_*,
--                   unable_*, ignored_*, and （六）: 'other' in 2019,
--                   other_overdue_correction / other_overdue_fee / other_other in 2021).
--   level 'group' : granted, partial, denied 不予公开, unable 无法提供,
--                   ignored 不予处理, other 其他处理 — always DERIVED as the sum of
--                   the leaf rows above (never read from a 小计 row or any row
--                   outside the template). The group 'other' is where 2019's
--                   single row and 2021's three sub-rows meet (grade exact).
-- New-format figures are placed as themselves (grade exact). Old-format
-- (pre2019) figures are placed through the outcome_crosswalk seed: only rows
-- with a harmonized_key; several old rows landing on one key are summed
-- (e.g. 商业秘密 + 个人隐私 → denied_third_party). Old categories without a
-- single successor (channels, timeliness, 不是《条例》所指政府信息, 告知作出更改补充,
-- 告知通过其他途径办理, and the 不同意公开 subtotal) stay in fact_applications.
-- grade travels with every number: a sum takes the worst grade of its parts.
-- Values: only record cells; an empty cell adds nothing (value null on a leaf),
-- n_parts_stated / is_complete tell whether every part was stated.
-- The CTEs over cells are `not materialized`: DuckDB would otherwise write
-- each of them out (spilling under the memory limit) before reading it again;
-- inlined, the full build takes 16 s → 7 s on 20,000 reports.
with cells as not materialized (
    select * from {{ ref('int_cells_labelled') }}
    where table_name = 'applications' and mapped and is_record_cell
    {{ only_changed_reports() }}
),

-- materialized: then DuckDB knows it holds one row per report and builds the
-- final join's hash table on it, not on the millions of cells (the estimate
-- through the views is far too low): 14 s → 7 s for 20,000 reports.
reports as materialized (
    select r.doc_id, r.doc, r.report_year, r.template, r.template_family, r.scope, a.agency_id,
           r.parser_version
    from {{ ref('stg_reports') }} r
    left join {{ ref('int_agency_names') }} a using (doc_id)
),

outcome_groups as (
    select outcome_group, label_zh from {{ ref('outcome_groups') }}
),

crosswalk as (
    select * from {{ ref('outcome_crosswalk') }}
),

keys as (
    select * from {{ ref('stg_template_keys') }}
    where table_name = 'applications'
),

new_keys as (   -- one label per new-format row key (2021 wording first)
    select key, label_zh, outcome_group, position
    from keys
    where kind = 'row' and template_family = 'new'
    qualify row_number() over (partition by key order by template desc) = 1
),

column_labels as (
    select key, label_zh from keys where kind = 'column' and template = '2021'
),

placed as not materialized (
    -- new format: every row is its own harmonized key
    select
        c.doc_id, c.row_key as harmonized_key, c.column_key as applicant_type,
        c.value, c.value_status, c.row_key as source_row_key,
        'exact' as grade, cast(null as varchar) as crosswalk_note, 'new' as cell_format
    from cells c
    where c.cell_format = 'new'
    union all
    -- old format: through the crosswalk
    select
        c.doc_id, x.harmonized_key, 'total' as applicant_type,
        c.value, c.value_status, c.row_key as source_row_key,
        x.grade, x.note, 'old' as cell_format
    from cells c
    join crosswalk x
      on x.from_template = 'pre2019' and x.old_table = 'applications'
     and x.old_key = c.row_key
    where c.cell_format = 'old' and coalesce(x.harmonized_key, '') <> ''
),

grade_rank as (
    select * from (values ('exact', 1), ('approximate', 2), ('impossible', 3)) g(grade, grade_rank)
),

-- Each placed cell with its key's outcome group: a leaf of that group, or a
-- flow row (new_received, carried_over, handled_total, carried_forward).
keyed as not materialized (
    select
        p.*,
        k.outcome_group,
        case when k.outcome_group is null then 'flow' else 'leaf' end     as level
    from placed p
    left join new_keys k on k.key = p.harmonized_key
),

-- New format: one cell is one leaf, no aggregation needed (the bulk of the rows).
new_leaves as not materialized (
    select
        doc_id, level, harmonized_key, outcome_group, applicant_type,
        case when value_status <> 'empty' then value end                   as value,
        1                                                                   as grade_rank,
        1                                                                   as n_parts,
        case when value_status <> 'empty' then 1 else 0 end                 as n_parts_stated,
        source_row_key                                                      as source_row_keys,
        cast(null as varchar)                                               as crosswalk_note
    from keyed
    where cell_format = 'new'
),

-- Old format: several old rows may land on one key and are summed.
old_leaves as not materialized (
    select
        p.doc_id, p.level, p.harmonized_key, p.outcome_group, p.applicant_type,
        sum(case when p.value_status <> 'empty' then p.value end)           as value,
        max(g.grade_rank)                                                   as grade_rank,
        count(*)                                                            as n_parts,
        count(*) filter (where p.value_status <> 'empty')                   as n_parts_stated,
        array_to_string(list_sort(list(p.source_row_key)), '+')             as source_row_keys,
        array_to_string(list_sort(list(distinct p.crosswalk_note)), ' | ')  as crosswalk_note
    from keyed p
    join grade_rank g using (grade)
    where p.cell_format = 'old'
    group by all
),

leaves as not materialized (
    select * from new_leaves
    union all
    select * from old_leaves
),

-- how many leaves a group has: in the report's template (new format) or in
-- the crosswalk (old format)
expected_new as (
    select template, outcome_group, count(*) as n_expected
    from keys
    where kind = 'row' and outcome_group is not null and template <> 'pre2019'
    group by all
),

expected_old as (
    select k.outcome_group, count(*) as n_expected
    from crosswalk x
    join new_keys k on k.key = x.harmonized_key
    where x.from_template = 'pre2019' and x.old_table = 'applications'
      and k.outcome_group is not null
    group by all
),

-- New format: a group's leaves are those of its template rows the report has,
-- so which ones is a bit mask over the new keys, spelled out once per distinct
-- mask below. (Collecting each group's key list instead, over millions of
-- groups, was most of this model's time and spilled at 100,000 reports.)
key_bits as (
    select key, (row_number() over (order by key) - 1)::int as bit from new_keys
),

new_groups as not materialized (
    select
        l.doc_id,
        l.outcome_group,
        l.applicant_type,
        sum(l.value)                                                        as value,
        count(*)                                                            as n_parts,
        sum(l.n_parts_stated)                                               as n_parts_stated,
        bit_or(1::bigint << b.bit)                                          as leaf_mask
    from new_leaves l
    join key_bits b on b.key = l.harmonized_key
    where l.level = 'leaf'
    group by all
),

leaf_sets as (
    select m.leaf_mask, array_to_string(list_sort(list(b.key)), '+')        as source_row_keys
    from (select distinct leaf_mask from new_groups) m
    join key_bits b on (m.leaf_mask >> b.bit) & 1 = 1
    group by m.leaf_mask
),

groups as not materialized (
    select
        g.doc_id,
        'group'                                                             as level,
        g.outcome_group                                                     as harmonized_key,
        g.outcome_group,
        g.applicant_type,
        g.value,
        1                                                                   as grade_rank,
        g.n_parts,
        g.n_parts_stated,
        s.source_row_keys,
        cast(null as varchar)                                               as crosswalk_note
    from new_groups g
    join leaf_sets s using (leaf_mask)
    union all
    -- old format: leaves are placed old rows, each with its own source rows and notes
    select
        l.doc_id,
        'group'                                                             as level,
        l.outcome_group                                                     as harmonized_key,
        l.outcome_group,
        l.applicant_type,
        sum(l.value)                                                        as value,
        max(l.grade_rank)                                                   as grade_rank,
        sum(l.n_parts)                                                      as n_parts,
        sum(l.n_parts_stated)                                               as n_parts_stated,
        array_to_string(list_sort(list(l.source_row_keys)), '+')            as source_row_keys,
        array_to_string(list_sort(list(distinct l.crosswalk_note)), ' | ')  as crosswalk_note
    from old_leaves l
    where l.level = 'leaf'
    group by all
),

unioned as not materialized (
    select * from leaves
    union all
    select * from groups
)

select
    u.doc_id,
    r.doc,
    r.report_year,
    r.agency_id,
    r.template,
    r.template_family,
    r.scope,
    u.level,
    u.harmonized_key,
    u.outcome_group,
    case when u.level = 'group' then og.label_zh else k.label_zh end        as label_zh,
    u.applicant_type,
    cl.label_zh                                                             as applicant_type_label_zh,
    u.value,
    case u.grade_rank when 1 then 'exact' when 2 then 'approximate'
                      else 'impossible' end                                 as grade,
    u.n_parts,
    u.n_parts_stated,
    case when u.level = 'group'
         then coalesce(en.n_expected, eo.n_expected) end                    as n_parts_expected,
    case when u.level = 'group'
         then u.n_parts_stated = coalesce(en.n_expected, eo.n_expected)
         else u.n_parts_stated = u.n_parts end                              as is_complete,
    u.level = 'group' or u.n_parts > 1                                      as is_derived,
    u.source_row_keys,
    coalesce(u.crosswalk_note, x19.note)                                    as crosswalk_note,
    r.parser_version,
    {{ this_invocation() }}                                              as invocation_id
from unioned u
join reports r on r.doc_id = u.doc_id
left join new_keys k on k.key = u.harmonized_key and u.level <> 'group'
left join outcome_groups og on og.outcome_group = u.outcome_group and u.level = 'group'
left join column_labels cl on cl.key = u.applicant_type
left join expected_new en
  on u.level = 'group' and r.template_family = 'new'
 and en.template = r.template and en.outcome_group = u.outcome_group
left join expected_old eo
  on u.level = 'group' and r.template_family = 'old' and eo.outcome_group = u.outcome_group
left join crosswalk x19
  on u.level = 'group' and u.outcome_group = 'other' and r.template_family = 'new'
 and x19.from_template = '2019' and x19.old_key = 'other'

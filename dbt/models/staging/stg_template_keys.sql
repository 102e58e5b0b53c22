-- One row per template key and template version: raw.template_keys lists the
-- templates a key belongs to as a comma list ('2019,2021'); this unnests it so
-- labels can be joined on (table, kind, key, template).
with keys as (
    select * from {{ source('raw', 'template_keys') }}
),

unnested as (
    select
        table_name,
        kind,
        key,
        label_zh,
        nullif(outcome_group, '')                       as outcome_group,
        position,
        trim(unnest(string_split(templates, ',')))      as template
    from keys
)

select
    table_name || '.' || kind || '.' || key || '@' || template  as template_key_id,
    table_name,
    kind,
    key,
    template,
    case when template = 'pre2019' then 'old' else 'new' end     as template_family,
    label_zh,
    outcome_group,
    position
from unnested

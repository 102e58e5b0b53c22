-- One row per report: the agency name after the alias rules of the
-- agency_aliases seed, and the stable agency_id derived from it.
with reports as (
    select doc_id, agency_raw, agency_name from {{ ref('stg_reports') }}
),

aliases as (
    select alias, canonical, evidence from {{ ref('agency_aliases') }}
)

select
    r.doc_id,
    r.agency_raw,
    r.agency_name,
    coalesce(a.canonical, r.agency_name)                as agency_canonical,
    case when coalesce(a.canonical, r.agency_name) is not null
         then md5(coalesce(a.canonical, r.agency_name)) end as agency_id,
    a.alias is not null                                 as alias_applied,
    a.evidence                                          as alias_evidence
from reports r
left join aliases a on a.alias = r.agency_name

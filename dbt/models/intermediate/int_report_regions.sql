-- One row per report with a region: region_id is the administrative code when
-- the parser found one, else md5 of province|city|county.
select
    doc_id,
    province,
    city,
    county,
    region_code,
    coalesce(region_code,
             md5(coalesce(province, '') || '|' || coalesce(city, '') || '|' || coalesce(county, ''))
    )                                                   as region_id,
    case when county is not null then 'county'
         when city is not null then 'city'
         when province is not null then 'province'
         else 'code_only' end                           as region_level
from {{ ref('stg_reports') }}
where coalesce(province, city, county, region_code) is not null

-- 行政区划: one row per region found on reports (province / city / county /
-- administrative code, as the parser read them). region_id is the code when
-- known, else md5 of province|city|county. Names are the most frequent
-- spelling per region_id.
with regions as (
    select * from {{ ref('int_report_regions') }}
)

select
    region_id,
    max(region_code)                                            as region_code,
    arg_max(province, n)                                        as province,
    arg_max(city, n)                                            as city,
    arg_max(county, n)                                          as county,
    arg_max(region_level, n)                                    as region_level,
    sum(n)                                                      as n_reports
from (
    select region_id, region_code, province, city, county, region_level, count(*) as n
    from regions
    group by all
)
group by region_id

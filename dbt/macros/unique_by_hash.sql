{#-
  Uniqueness tests that group by a 64-bit hash of the key instead of the key
  itself: the keys here begin with a 64-character doc_id, and grouping
  millions of them by value held every key in memory (spilling under the
  memory limit: 13 s for the harmonized mart's grain at 100,000 reports, 2 s
  by hash). Rows whose hash repeats are then grouped by their real values, so
  a hash collision can only cost a second look, never a false failure or a
  missed duplicate.
-#}
{% macro duplicate_keys(model, columns, where=none) %}
with candidates as (
    select hash({{ columns | join(', ') }}) as key_hash
    from {{ model }}
    {% if where %}where {{ where }}{% endif %}
    group by 1
    having count(*) > 1
)
select {{ columns | join(', ') }}, count(*) as n_records
from {{ model }}
where hash({{ columns | join(', ') }}) in (select key_hash from candidates)
  {% if where %}and {{ where }}{% endif %}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}

{#- dbt's built-in `unique` test (same result columns), by hash. -#}
{% macro default__test_unique(model, column_name) %}
select {{ column_name }} as unique_field, n_records
from ({{ duplicate_keys(model, [column_name], column_name ~ ' is not null') }}) duplicates
{% endmacro %}

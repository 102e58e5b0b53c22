{#-
  Like dbt_utils.unique_combination_of_columns (dbt deps cannot reach the hub
  here, so it is written out): no two rows share the same values of
  combination_of_columns. By hash first (macros/unique_by_hash.sql).
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{{ duplicate_keys(model, combination_of_columns) }}
{% endtest %}

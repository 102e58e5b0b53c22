{#-
  Schemas are exactly the configured names (staging, intermediate, marts),
  not dbt's default <target_schema>_<custom>, so that the DuckDB schema, the
  Dagster asset-key prefix and the Dagster group share one name.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{#-
  A model's not_null and accepted_values checks in one test and one scan:
  the columns that must be set and the values each coded column may take.
  As dbt's one test per column they were ~110 nodes, and each node costs
  dbt ~20 ms and Dagster several event-log writes (an asset check apiece),
  whatever the table's size. Returns one row per broken rule, with how many
  rows break it. Like dbt's accepted_values, a null passes accepted_values.
-#}
{% test valid_columns(model, not_null=[], accepted_values={}) %}
{%- set rules = [] -%}
{%- for column in not_null -%}
    {%- do rules.append(("not_null", column, column ~ " is null")) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set listed = "'" ~ (values | join("', '")) ~ "'" -%}
    {%- do rules.append(("accepted_values", column, column ~ " not in (" ~ listed ~ ")")) -%}
{%- endfor %}
with counted as (
    select
    {%- for kind, column, broken in rules %}
        count(*) filter (where {{ broken }}) as rule_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for kind, column, broken in rules %}
select '{{ kind }}' as rule, '{{ column }}' as column_name, rule_{{ loop.index }} as n_rows
from counted where rule_{{ loop.index }} > 0
{{ "union all" if not loop.last }}
{%- endfor %}
{% endtest %}

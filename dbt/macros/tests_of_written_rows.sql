{#-
  In a `dbt build`, tests of the incremental marts check the rows this
  invocation wrote (`dbt test` on its own reads every row).
  Each of those marts stamps its rows with this_invocation(); an incremental
  run rewrites whole reports (delete+insert by doc_id), and every test on
  them is per row or per report (their keys begin with doc_id), so rows kept
  from an earlier run cannot fail anew and need not be read again: on 20,000
  reports that is ~4 s of whole-table scans per run. A full refresh stamps
  every row, so it tests every row.
-#}
{% macro this_invocation() -%}
    '{{ invocation_id }}'
{%- endmacro %}

{#- The filter itself, or none outside a `dbt build`: the one place that decides. -#}
{% macro written_rows_filter() -%}
    {%- if flags.WHICH == 'build' -%}
        {%- do return("invocation_id = " ~ this_invocation()) -%}
    {%- endif -%}
{%- endmacro %}

{#- dbt's own get_where_subquery (the relation a generic test reads) plus that
    filter when the tested model is incremental. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- set written = written_rows_filter() if tested and tested.config.materialized == 'incremental' -%}
    {%- if written -%}
        {%- set where = written ~ (" and (" ~ where ~ ")" if where else "") -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return("(select * from " ~ relation ~ " where " ~ where ~ ") dbt_subquery") -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The same filter for a singular test reading an incremental mart. -#}
{% macro written_rows(relation) -%}
    {%- set written = written_rows_filter() -%}
    {%- if written -%}
    (select * from {{ relation }} where {{ written }})
    {%- else -%}
    {{ relation }}
    {%- endif -%}
{%- endmacro %}

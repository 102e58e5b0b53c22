{#-
  The cell-grain marts are incremental by report (doc_id). A report's rows
  depend only on that report's cells and on the seeds, and a report's content
  is fixed by its doc_id (a content hash) and the parser_version that read it.
  So an incremental run inserts the reports whose (doc_id, parser_version) the
  mart has not built yet (new documents, or every document after a parser
  change), replacing their old rows (unique_key doc_id), and deletes the rows
  of reports no longer current. A change to models or seeds is a full refresh
  (the Dagster asset passes --full-refresh when their fingerprint changes).
  A model using these declares `-- depends_on: {{ ref('stg_reports') }}` and
  `post_hook=report_hooks()`.

  Which reports a mart has built is kept beside it (built_reports), not read
  from its rows: a report that gives a mart no rows (a page that is not a
  report, a report without table 三) would otherwise look new in every run,
  and past 1,000 of them (100,000 reports) the list below gave way to a join
  that labels every cell of the warehouse again (3–7 s per mart and run).
-#}

{#- The table of the (doc_id, parser_version) this mart has built: those of
    stg_reports at its last successful build, its rows or not. Kept in the
    schema dbt_state, which the analytics copy leaves out. -#}
{% macro built_reports() -%}
    {{ return(api.Relation.create(database=this.database, schema='dbt_state',
                                  identifier=this.identifier ~ '__reports')) }}
{%- endmacro %}

{#- The post-hooks of each such mart (`post_hook=report_hooks()`), run in its
    transaction: stale rows out, then the reports built recorded (once the
    mart's build succeeds, every current report has been built, in this run or
    an earlier one). Strings, so that dbt renders them when the mart runs. -#}
{% macro report_hooks() -%}
    {{ return(["{{ delete_stale_reports() }}", "{{ create_state_schema() }}", "{{ record_built_reports() }}"]) }}
{%- endmacro %}

{% macro record_built_reports() -%}
    create or replace table {{ built_reports() }} as
    select doc_id, parser_version from {{ ref('stg_reports') }}
{%- endmacro %}

{% macro create_state_schema() -%}
    {%- set built = built_reports() -%}
    create schema if not exists "{{ built.database }}"."{{ built.schema }}"
{%- endmacro %}

{#- The reports are looked up first and, when few, written into the query as a
    list: DuckDB filters the cells' scan by a literal list, whereas a subquery
    is joined only after the labelling view's joins over every cell. -#}
{% macro only_changed_reports(column='doc_id', max_listed=1000) -%}
{%- if is_incremental() %}
{#- a warehouse built before built_reports existed: the reports with rows -#}
{%- set built = built_reports() -%}
{%- set built = built if adapter.get_relation(built.database, built.schema, built.identifier)
                else '(select distinct doc_id, parser_version from ' ~ this ~ ')' -%}
{%- set changed_sql -%}
          select r.doc_id
          from {{ ref('stg_reports') }} r
          anti join {{ built }} t
            using (doc_id, parser_version)
{%- endset -%}
{%- set changed = run_query(changed_sql).columns[0].values() if execute else [] -%}
{%- if changed | length == 0 %}
      and false
{%- elif changed | length <= max_listed %}
      and {{ column }} in ('{{ changed | join("', '") }}')
{%- else %}
      and {{ column }} in ({{ changed_sql }})
{%- endif %}
{%- endif %}
{%- endmacro %}

{% macro delete_stale_reports() -%}
    delete from {{ this }} t
    where not exists (
        select 1 from {{ ref('stg_reports') }} r
        where r.doc_id = t.doc_id and r.parser_version = t.parser_version)
{%- endmacro %}

{#-
  The cell-grain marts are incremental by report (doc_id). A report's rows
  depend only on that report's cells and on the seeds, and a report's content
  is fixed by its doc_id (a content hash) and the parser_version that read it.
  So an incremental run inserts the reports whose (doc_id, parser_version) the
  table does not hold yet (new documents, or every document after a parser
  change), replacing their old rows (unique_key doc_id), and deletes the rows
  of reports no longer current. A change to models or seeds is a full refresh
  (the Dagster asset passes --full-refresh when their fingerprint changes).
  A model using these declares `-- depends_on: {{ ref('stg_reports') }}`.
-#}

{#- The reports are looked up first and, when few, written into the query as a
    list: DuckDB filters the cells' scan by a literal list, whereas a subquery
    is joined only after the labelling view's joins over every cell. -#}
{% macro only_changed_reports(column='doc_id', max_listed=1000) -%}
{%- if is_incremental() %}
{%- set changed_sql -%}
          select r.doc_id
          from {{ ref('stg_reports') }} r
          anti join (select distinct doc_id, parser_version from {{ this }}) t
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

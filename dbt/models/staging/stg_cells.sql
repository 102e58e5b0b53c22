-- One row per statistics cell found in a report, as the parser found it.
-- cell_format: 'new' for the 2019/2021 matrices (row × column), 'old' for the
-- pre-2019 list rows, which have a single value (col_key '').
-- method_rank orders the sources of the same figure: table (1) >
-- reconstructed (2) > prose (3); the best one is the figure of record.
with cells as (
    select * from {{ source('raw', 'cells') }}
)

select
    doc_id || ':' || cast(row_number() over (
        partition by doc_id
        order by table_name, row_key, col_key, method, source, raw, status
    ) as varchar)                                           as cell_id,
    doc_id,
    table_name,
    row_key,
    col_key,
    nullif(col_key, '')                                     as column_key,
    case when col_key = '' then 'old' else 'new' end        as cell_format,
    figure_key,
    case when status = 'nil' then coalesce(value, 0) else value end as value,
    status                                                  as value_status,
    raw                                                     as raw_text,
    source,
    method,
    case method when 'table' then 1
                when 'reconstructed' then 2
                when 'prose' then 3 else 9 end              as method_rank,
    mapped,
    nullif(note, '')                                        as note
from cells

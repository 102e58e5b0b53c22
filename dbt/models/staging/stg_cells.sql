-- One row per statistics cell found in a report, as the parser found it.
-- cell_format: 'new' for the 2019/2021 matrices (row × column), 'old' for the
-- pre-2019 list rows, which have a single value (col_key '').
-- method_rank orders the sources of the same figure: table (1) >
-- reconstructed (2) > prose (3). The parser marks the cell of record of each
-- key (is_record_cell, by xxgk.model.record_flags) and numbers the cells of a
-- report (cell_id = the first 16 hex digits of doc_id:position), so no window
-- over all cells is needed.
-- is_figure_of_record: the record cell when it is stated (number or nil).
with cells as (
    select * from {{ source('raw', 'cells') }}
)

select
    cell_id,
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
    is_record_cell,
    is_record_cell and status <> 'empty'                    as is_figure_of_record,
    nullif(note, '')                                        as note
from cells

-- One row per source file (文件), with what normalization did to its content.
with documents as (
    select * from {{ source('raw', 'documents') }}
),

normalized as (
    select * from {{ source('raw', 'normalized') }}
    qualify row_number() over (partition by doc_id order by name) = 1
)

select
    d.path                          as file_path,
    d.name                          as file_name,
    d.doc_id,
    d.sha256,
    d.size                          as size_bytes,
    d.kind                          as file_kind,
    d.encoding,
    d.status                        as document_status,
    nullif(d.reason, '')            as reject_reason,
    n.status                        as normalize_status,
    nullif(n.reason, '')            as normalize_reason,
    n.simplified                    as was_simplified,
    n.pinyin_removed                as pinyin_annotations_removed,
    n.duplicate_removed             as duplicate_body_removed,
    nullif(n.notes, '')             as normalize_notes,
    n.text_chars
from documents d
left join normalized n on n.doc_id = d.doc_id

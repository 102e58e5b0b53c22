-- Attachments a report refers to, and whether the file was found beside it.
select
    doc_id,
    doc,
    name                    as attachment_name,
    status                  as attachment_status,
    nullif(path, '')        as attachment_path
from {{ source('raw', 'attachments') }}

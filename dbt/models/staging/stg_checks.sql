-- One row per report × identity check computed in Python (CODEBOOK §4).
select
    doc_id,
    doc,
    identity                as check_id,
    rule,
    description,
    severity,
    lhs,
    rhs,
    status,
    nullif(missing, '')     as missing_operands
from {{ source('raw', 'checks') }}

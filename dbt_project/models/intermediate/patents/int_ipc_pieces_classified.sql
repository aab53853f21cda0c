-- The piece dictionary (stg_patents__ipc_pieces) with the classification of the codes each
-- piece holds (int_ipc_codes_classified): which of them are digital-economy core codes and,
-- OR-ed over them, the sub-class and major-class masks. ~10^5 rows: everything per code is
-- done here once, so the per-patent pass (int_patents_classified) only looks pieces up and
-- adds / ORs what it finds.
-- code_signature: one bit per code (bit ipc_code_id % 63). Where no bit is set by two pieces
-- of a patent, no code is printed twice in it and its pieces' code counts simply add up;
-- only the other patents need their code lists deduplicated.

with

pieces as (

    select * from {{ ref('stg_patents__ipc_pieces') }}

),

codes as (

    select * from {{ ref('int_ipc_codes_classified') }}

),

piece_codes as (

    select piece, {{ unnest_list('ipc_code_ids') }} as ipc_code_id
    from pieces

),

digital as (

    select
        piece_codes.piece,
        {{ list_sorted('codes.ipc_code_id') }} as digital_ipc_code_ids,
        {{ digital_mask_or('codes.digital_minor_mask') }} as digital_minor_mask,
        bit_or(codes.digital_major_mask) as digital_major_mask
    from piece_codes
    inner join codes
        on piece_codes.ipc_code_id = codes.ipc_code_id
    where codes.is_digital_code
    group by piece_codes.piece

),

signatures as (

    select piece, bit_or(cast(1 as bigint) << cast(ipc_code_id % 63 as integer)) as code_signature
    from piece_codes
    group by piece

),

final as (

    select
        pieces.piece,
        pieces.ipc_code_ids,
        coalesce(digital.digital_ipc_code_ids, {{ empty_list('bigint') }}) as digital_ipc_code_ids,
        cast({{ list_length('pieces.ipc_code_ids') }} as integer) as n_ipc_codes,
        cast(coalesce({{ list_length('digital.digital_ipc_code_ids') }}, 0) as integer) as n_digital_ipc_codes,
        coalesce(signatures.code_signature, 0) as code_signature,
        digital.digital_minor_mask,
        digital.digital_major_mask,
        pieces.main_ipc_code_id,
        pieces.is_unparseable
    from pieces
    left join digital
        on pieces.piece = digital.piece
    left join signatures
        on pieces.piece = signatures.piece

)

select * from final

-- One row per patent of stg_patents__patents: its digital / real-economy classification from
-- its IPC codes, and its city from int_patents_located.
--
--   is_digital    at least one code is covered by the CNIPA 2023 digital-economy core industry
--                 table (coverage rules: int_ipc_digital_core_entries_parsed);
--   is_real       at least one code is covered by no entry of that table (a real-economy code);
--   is_integrated both: co-classified in digital and real-economy IPC (paper 002).
-- Only codes that parsed count (the others go to quality.quarantine at ingest); a patent
-- without one is neither digital nor real.
-- The patent's digital industries are kept as bit masks (bits: int_digital_core_industries),
-- OR-ed over its codes, so a patent in several sub-classes of one mid / major class holds that
-- class once; int_patent_digital_industries turns the masks into rows.
--
-- Scale (10^8 code rows): the patents are read once, through int_patents_located (a view
-- that carries the application date and type along), the code rows once, by their integer
-- keys (stg_patents__patent_ipc_code_keys), and they meet in one join on patent_key; this is
-- the one per-patent table written.

with

patents as (

    select
        patent_key,
        application_number,
        application_date,
        patent_type_code,
        city_code,
        province_code,
        location_method,
        city_match_count
    from {{ ref('int_patents_located') }}

),

code_assignments as (

    select patent_key, ipc_code_id
    from {{ ref('stg_patents__patent_ipc_code_keys') }}

),

digital_codes as (

    select ipc_code_id, digital_minor_mask, digital_major_mask
    from {{ ref('int_ipc_codes_classified') }}
    where is_digital_code

),

classification as (

    -- the one pass over the patent x code rows: an integer join to the ~10^4 digital codes
    -- and a group-by on the integer patent key
    select
        code_assignments.patent_key,
        count(*) as n_ipc_codes,
        count(digital_codes.ipc_code_id) as n_digital_ipc_codes,
        bit_or(digital_codes.digital_minor_mask) as digital_minor_mask,
        bit_or(digital_codes.digital_major_mask) as digital_major_mask
    from code_assignments
    left join digital_codes
        on code_assignments.ipc_code_id = digital_codes.ipc_code_id
    group by code_assignments.patent_key

),

final as (

    select
        patents.application_number,
        patents.patent_key,
        patents.application_date,
        cast(year(patents.application_date) as integer) as application_year,
        patents.patent_type_code,
        coalesce(patents.patent_type_code = 'invention', false) as is_invention,
        patents.city_code,
        patents.province_code,
        patents.location_method,
        patents.city_match_count,
        cast(coalesce(classification.n_ipc_codes, 0) as integer) as n_ipc_codes,
        cast(coalesce(classification.n_digital_ipc_codes, 0) as integer) as n_digital_ipc_codes,
        coalesce(classification.n_digital_ipc_codes, 0) > 0 as is_digital,
        coalesce(classification.n_ipc_codes > classification.n_digital_ipc_codes, false)
            as is_real,
        coalesce(
            classification.n_digital_ipc_codes > 0
            and classification.n_ipc_codes > classification.n_digital_ipc_codes,
            false
        ) as is_integrated,
        cast(coalesce(bit_count(classification.digital_minor_mask), 0) as integer)
            as n_digital_minor_industries,
        classification.digital_minor_mask,
        classification.digital_major_mask
    from patents
    left join classification
        on patents.patent_key = classification.patent_key

)

select * from final

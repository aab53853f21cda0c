-- One row per patent of stg_patents__patents: its digital / real-economy classification from
-- its IPC codes, and its city from int_patents_located.
--
--   is_digital    at least one code is covered by the CNIPA 2023 digital-economy core industry
--                 table (coverage rules: int_ipc_digital_core_entries_parsed);
--   is_real       at least one code is covered by no entry of that table (a real-economy code);
--   is_integrated both: co-classified in digital and real-economy IPC (paper 002).
-- Only codes that parsed count (the others go to quality.quarantine at ingest); a patent
-- without one is neither digital nor real. A code printed twice in the field counts once.
-- The patent's digital industries are kept as bit masks (bits: int_digital_core_industries),
-- OR-ed over its codes, so a patent in several sub-classes of one mid / major class holds that
-- class once; int_patent_digital_industries turns the masks into rows. Its codes are kept as
-- a list (ipc_code_ids), which int_patent_ipc_codes unnests into patent x code rows.
--
-- Scale (5*10^7 patents, 1.25*10^8 printed codes): the field is split on ';' and every
-- piece joined to the ~10^5-row piece dictionary (int_ipc_pieces_classified), where each
-- piece's code counts, masks and code signature are already known; one GROUP BY on the integer
-- patent key adds the counts and ORs the masks (integer aggregates only: list aggregates here
-- cost several times more). Counts that add up are exact unless a code is printed twice: only
-- a patent two of whose pieces share a signature bit may hold one, and only those patents
-- (a few percent) have their code lists concatenated and deduplicated. The location
-- (int_patents_located) meets the result in one join on patent_key. No patent x code table is
-- written: int_patent_ipc_codes is a view.

-- Incremental by application year: when patent extracts were only appended since the last
-- build (patent_load's incremental load; the orchestration passes the first new patent_key as
-- the var patents_new_from_key), only the application years the new records fall in are
-- recomputed (delete + insert by year). Every column depends on the patent, the seeds and the
-- piece dictionary alone, and the dictionary's old entries never change, so the table equals a
-- full build's. Without the var (any other change) the model is a plain table, rebuilt whole:
-- a delete + insert of every year would keep the rows of a year withdrawn from the extracts.

-- The incremental branch locates patents with the macro patents_located, whose refs dbt
-- cannot see at parse time:
-- depends_on: {{ ref('ref_admin_changes') }}
-- depends_on: {{ ref('ref_admin_divisions') }}
-- depends_on: {{ ref('ref_cities') }}
-- depends_on: {{ ref('ref_counties') }}
-- depends_on: {{ ref('ref_provinces') }}
-- depends_on: {{ ref('ref_region_aliases') }}
-- depends_on: {{ ref('stg_patents__patents') }}

{{ config(
    materialized=('incremental' if var('patents_new_from_key', none) is not none else 'table'),
    incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'delete+insert'),
    unique_key='application_year',
    on_schema_change='fail'
) }}

{%- set major_shift = 100 %}
{%- set only_new_years = is_incremental() and var('patents_new_from_key', none) is not none %}
{%- set new_years = patents_new_years() if only_new_years else [] %}

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
    {%- if only_new_years %}
    -- the location of these years' patents only (the view int_patents_located reads all)
    from ({{ patents_located(patents_year_filter(new_years)) }})
        as located
    {%- else %}
    from {{ ref('int_patents_located') }}
    {%- endif %}

),

printed_pieces as {{ cte_hint('not materialized') }}(

    select patent_key, {{ unnest_list(split_text('ipc_codes', "';'")) }} as piece
    from {{ ref('stg_patents__patents') }}
    where ipc_codes is not null
    {%- if only_new_years %}
        and {{ patents_year_filter(new_years) }}
    {%- endif %}

),

-- per piece, what the per-patent pass adds up or ORs, packed so that it is one aggregate each
pieces as (

    select
        piece,
        ipc_code_ids,
        digital_ipc_code_ids,
        -- codes (bits 0-15), digital codes (16-31), signature bits (32-47)
        cast(n_ipc_codes as bigint)
            | (cast(n_digital_ipc_codes as bigint) << 16)
            | (cast(bit_count(code_signature) as bigint) << 32) as counts,
        {{ digital_mask_pack_major('digital_minor_mask', 'digital_major_mask', major_shift) }} as masks,
        code_signature
    from {{ ref('int_ipc_pieces_classified') }}

),

summed as (

    select
        printed_pieces.patent_key,
        sum(pieces.counts) as counts,
        {{ digital_mask_or('pieces.masks') }} as masks,
        bit_or(pieces.code_signature) as code_signature
    from printed_pieces
    inner join pieces
        on printed_pieces.piece = pieces.piece
    group by printed_pieces.patent_key

),

-- the patents that may hold a code twice: their code lists, deduplicated
overlapping as (

    select patent_key
    from summed
    where (counts >> 32) <> bit_count(code_signature)

),

deduplicated as (

    select
        printed_pieces.patent_key,
        {{ count_distinct_in_lists('pieces.ipc_code_ids') }} as n_ipc_codes,
        {{ count_distinct_in_lists('pieces.digital_ipc_code_ids') }} as n_digital_ipc_codes
    from printed_pieces
    inner join pieces
        on printed_pieces.piece = pieces.piece
    where printed_pieces.patent_key in (select patent_key from overlapping)
    group by printed_pieces.patent_key

),

classification as (

    select
        summed.patent_key,
        coalesce(deduplicated.n_ipc_codes, summed.counts & 65535) as n_ipc_codes,
        coalesce(deduplicated.n_digital_ipc_codes, (summed.counts >> 16) & 65535)
            as n_digital_ipc_codes,
        {{ digital_mask_unpack_minor('summed.masks', major_shift) }} as digital_minor_mask,
        {{ digital_mask_unpack_major('summed.masks', major_shift) }} as digital_major_mask
    from summed
    left join deduplicated
        on summed.patent_key = deduplicated.patent_key

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
        coalesce(classification.n_digital_ipc_codes > 0, false) as is_digital,
        coalesce(classification.n_ipc_codes > classification.n_digital_ipc_codes, false)
            as is_real,
        coalesce(
            classification.n_digital_ipc_codes > 0
            and classification.n_ipc_codes > classification.n_digital_ipc_codes,
            false
        ) as is_integrated,
        cast(coalesce({{ digital_mask_bit_count('classification.digital_minor_mask') }}, 0) as integer)
            as n_digital_minor_industries,
        case
            when classification.n_digital_ipc_codes > 0
                then classification.digital_minor_mask
        end as digital_minor_mask,
        case
            when classification.n_digital_ipc_codes > 0
                then classification.digital_major_mask
        end as digital_major_mask
    from patents
    left join classification
        on patents.patent_key = classification.patent_key

)

select * from final

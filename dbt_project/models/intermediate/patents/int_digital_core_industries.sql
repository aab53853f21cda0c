-- The digital-economy core industries of the CNIPA 2023 table at each level: 4 major (大类),
-- 15 mid (中类), 86 minor (小类) codes, each with a bit position. A patent's minor sub-classes
-- are carried as one 128-bit mask (bit = industry_bit of each minor), its major classes as a
-- small one, so "which industries does this patent fall in" is a bit_or over its codes instead
-- of a row per patent x code x sub-class (int_patent_ipc_classified, int_patents_classified).
-- Major bits follow the code (01 -> bit 0, ..., 04 -> bit 3) so the counts can name them.

with

entries as (

    select distinct major_code, mid_code, minor_code, minor_name
    from {{ ref('ref_ipc_digital_core') }}

),

minors as (

    select
        'minor' as industry_level,
        minor_code as industry_code,
        major_code,
        mid_code,
        minor_code,
        minor_name,
        cast(dense_rank() over (order by minor_code) - 1 as integer) as industry_bit
    from entries

),

mids as (

    select distinct
        'mid' as industry_level,
        mid_code as industry_code,
        major_code,
        mid_code,
        null::{{ string_type() }} as minor_code,
        null::{{ string_type() }} as minor_name,
        cast(dense_rank() over (order by mid_code) - 1 as integer) as industry_bit
    from entries

),

majors as (

    select distinct
        'major' as industry_level,
        major_code as industry_code,
        major_code,
        null::{{ string_type() }} as mid_code,
        null::{{ string_type() }} as minor_code,
        null::{{ string_type() }} as minor_name,
        cast(major_code as integer) - 1 as industry_bit
    from entries

)

select * from majors
union all
select * from mids
union all
select * from minors

-- One row per digital patent x level (major / mid / minor) x digital-economy core industry it
-- falls in. A patent whose codes fall in several sub-classes (小类) of the same mid class (中类)
-- or major class (大类) is one row at that level: the CNIPA table's rule that aggregating to a
-- higher level de-duplicates.
-- Built from the patents' sub-class masks (int_patents_classified): the few thousand distinct
-- masks are expanded into industries once, then joined back to the patents on the mask (an
-- equi-join), instead of re-joining every patent x code x sub-class row.

with

patents as (

    select application_number, digital_minor_mask
    from {{ ref('int_patents_classified') }}
    where is_digital

),

industries as (

    select * from {{ ref('int_digital_core_industries') }}

),

masks as (

    select distinct digital_minor_mask from patents

),

mask_minors as (

    select
        masks.digital_minor_mask,
        industries.minor_code,
        industries.mid_code,
        industries.major_code
    from masks
    inner join industries
        on industries.industry_level = 'minor'
        and (masks.digital_minor_mask >> industries.industry_bit) & 1 = 1

),

mask_industries as (

    select distinct digital_minor_mask, 'major' as industry_level, major_code as industry_code
    from mask_minors
    union all
    select distinct digital_minor_mask, 'mid' as industry_level, mid_code as industry_code
    from mask_minors
    union all
    select digital_minor_mask, 'minor' as industry_level, minor_code as industry_code
    from mask_minors

),

final as (

    select
        patents.application_number,
        mask_industries.industry_level,
        mask_industries.industry_code
    from patents
    inner join mask_industries
        on patents.digital_minor_mask = mask_industries.digital_minor_mask

)

select * from final

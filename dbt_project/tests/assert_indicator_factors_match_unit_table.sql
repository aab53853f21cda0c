-- The catalogue's conversion factors are typed by hand; they must agree with the unit table
-- of macros/convert_unit.sql, and every catalogue unit must be known there. Returns offenders.
with indicators as (
    select * from {{ ref('ref_indicators') }}
),

checked as (
    select
        code,
        unit_printed,
        canonical_unit,
        factor_to_canonical,
        {{ unit_factor_case('unit_printed', 'canonical_unit') }} as expected_factor
    from indicators
)

select *
from checked
where expected_factor is null
    or abs(factor_to_canonical - expected_factor) > 1e-12 * expected_factor

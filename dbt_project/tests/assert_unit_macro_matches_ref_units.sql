-- The compile-time unit table of macros/convert_unit.sql is a copy of rows of the seed
-- ref_units (the one unit table, also read by orchestration/ingest/units.py); every entry
-- must exist in the seed with the same dimension and size. Returns offenders.
with macro_units as (
    {{ unit_table_rows() }}
),

seed_units as (
    select * from {{ ref('ref_units') }}
)

select
    macro_units.unit,
    macro_units.dimension as macro_dimension,
    seed_units.dimension as seed_dimension,
    macro_units.to_base as macro_to_base,
    seed_units.to_base as seed_to_base
from macro_units
left join seed_units
    on macro_units.unit = seed_units.unit
where seed_units.unit is null
    or seed_units.dimension != macro_units.dimension
    or seed_units.to_base != macro_units.to_base

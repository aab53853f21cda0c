-- The grades of ref_index_coordination_levels cover [0, 1] without gaps or overlaps: ordered
-- by grade, the first starts at 0, each starts where the previous ends, the last ends at 1.
-- Returns the offending grades.

with

levels as (

    select
        *,
        lag(d_upper) over (order by grade) as previous_upper,
        row_number() over (order by grade) as position,
        count(*) over () as n_grades
    from {{ ref('ref_index_coordination_levels') }}

)

select grade, d_lower, d_upper, previous_upper
from levels
where d_upper <= d_lower
    or (position = 1 and d_lower <> 0)
    or (position > 1 and abs(d_lower - previous_upper) > 1e-12)
    or (position = n_grades and d_upper <> 1)

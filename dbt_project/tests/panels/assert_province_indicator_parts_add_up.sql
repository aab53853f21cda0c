-- The reported provincial and national values add up within each table: patents granted,
-- applied and valid = invention + utility model + design (integer counts: exactly, 0.5 件 for
-- float error), and R&D expenditure and R&D personnel = basic research + applied research +
-- experimental development (within 0.5 %: the total and the parts are rounded separately, and
-- the total may come from another table; the bundled tables differ by at most 0.25 %).
-- Fails with the region, year and total that do not add up.

{%- set identities = [
    ('patents_granted', ['patents_granted_invention', 'patents_granted_utility', 'patents_granted_design'], 'absolute', 0.5),
    ('patent_applications', ['patent_applications_invention', 'patent_applications_utility', 'patent_applications_design'], 'absolute', 0.5),
    ('patents_valid', ['patents_valid_invention', 'patents_valid_utility', 'patents_valid_design'], 'absolute', 0.5),
    ('rd_expenditure', ['rd_expenditure_basic', 'rd_expenditure_applied', 'rd_expenditure_experimental'], 'relative', 0.005),
    ('rd_personnel_fte', ['rd_personnel_fte_basic', 'rd_personnel_fte_applied', 'rd_personnel_fte_experimental'], 'relative', 0.005),
] %}

with

reported as (

    select * from {{ ref('int_province_indicators') }}

),

{%- for total, parts, kind, tolerance in identities %}

check_{{ loop.index }} as (

    select
        total.region_code,
        total.year,
        '{{ total }}' as indicator_code,
        total.value as total_value,
        sum(part.value) as sum_of_parts
    from reported as total
    inner join reported as part
        on total.region_code = part.region_code
        and total.year = part.year
        and part.indicator_code in ('{{ parts | join("', '") }}')
    where total.indicator_code = '{{ total }}'
    group by total.region_code, total.year, total.value
    -- only where every part is reported
    having count(*) = {{ parts | length }}
        and abs(total.value - sum(part.value))
            > {{ tolerance }}{{ ' * abs(total.value)' if kind == 'relative' }}

){{ ',' if not loop.last }}
{%- endfor %}

{%- for _ in identities %}
{{ 'union all' if not loop.first }}
select * from check_{{ loop.index }}
{%- endfor %}

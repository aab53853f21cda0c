-- The provincial tables checked against the national totals they carry: for each indicator
-- and year with a reported 全国 value, the sum of the reported provincial values (no
-- interpolated ones) against it, with the tolerance of the indicator and a status.
--
-- gap_share = (national_value - province_sum) / national_value: the share of the national
-- total that the provinces do not account for (positive = provinces below the total).
-- Tolerances (most specific pattern wins; `docs province_national_tolerances`):
--   * sum (R&D expenditure, R&D personnel, local budget expenditure, each with its parts): the
--     national row is the sum of the provinces; |gap_share| <= 0.5 %.
--   * below_national (patents; technology market): the national total also counts Hong Kong,
--     Macao and Taiwan and unallocated entries, so the provinces fall below it, never above:
--     0 <= gap_share <= max_gap (patents 8 %, valid invention patents 12 %; technology market
--     -0.05 % for rounding, no upper bound).
--   * not_additive (R&D intensity, a ratio): not checked.
-- status: ok; out_of_tolerance (fails the dbt test); incomplete (fewer than all provinces
-- reported: only the lower bound can be checked, and it still fails when the provinces
-- already exceed the total); not_additive; no_rule (an indicator without a tolerance: warns).

with

reported as (

    select * from {{ ref('int_province_indicators') }}

),

provinces_expected as (

    select count(*) as provinces_expected
    from {{ ref('dim_regions') }}
    where is_province_level

),

national as (

    select
        indicator_code,
        year,
        unit,
        value as national_value
    from reported
    where region_level = 'national'

),

province_sums as (

    select
        indicator_code,
        year,
        sum(value) as province_sum,
        count(*) as provinces_reported
    from reported
    where region_level = 'province'
    group by indicator_code, year

),

tolerances as (

    select *
    from (
        values
        ('rd_expenditure*', 'sum', -0.005, 0.005,
         'national R&D expenditure is the sum of the provinces (S&T yearbook; the sums match exactly); 0.5% for rounding'),
        ('rd_personnel_fte*', 'sum', -0.005, 0.005,
         'national R&D personnel is the sum of the provinces (S&T yearbook); 0.5% for rounding'),
        ('fiscal_expenditure*', 'sum', -0.005, 0.005,
         'national local general public budget expenditure is the sum of the provinces; 0.5% for rounding'),
        ('patent*', 'below_national', 0.0, 0.08,
         'national patent totals also count Hong Kong, Macao, Taiwan and unallocated applicants: provinces 0.5-7.5% below (source notes), never above'),
        ('patents_valid_invention', 'below_national', 0.0, 0.12,
         'valid invention patents: the stock keeps earlier Taiwan-held patents; the gap is 10.9% in 2010 and shrinks to 1.8% by 2023 (bound set from that series)'),
        ('tech_market*', 'below_national', -0.0005, null,
         'the national technology-market total also counts contracts with parties abroad and unallocated ones: provinces below it, by up to 22% (inflow 2010); no upper bound documented; 0.05% above for the rounding of values printed to 0.01 万元'),
        ('rd_intensity', 'not_additive', null, null,
         'a ratio (R&D expenditure over GDP): provincial values do not add up to the national one')
    ) as t (indicator_pattern, check_rule, min_gap, max_gap, tolerance_basis)

),

rules as (

    -- the most specific pattern that matches each indicator
    select
        national.indicator_code,
        tolerances.check_rule,
        tolerances.min_gap,
        tolerances.max_gap,
        tolerances.tolerance_basis
    from (select distinct indicator_code from national) as national
    inner join tolerances
        on national.indicator_code glob tolerances.indicator_pattern
    qualify row_number() over (
        partition by national.indicator_code
        order by length(replace(tolerances.indicator_pattern, '*', '')) desc
    ) = 1

),

compared as (

    select
        national.indicator_code,
        national.year,
        national.unit,
        national.national_value,
        province_sums.province_sum,
        coalesce(province_sums.provinces_reported, 0) as provinces_reported,
        provinces_expected.provinces_expected,
        case
            when national.national_value <> 0
                then (national.national_value - coalesce(province_sums.province_sum, 0))
                    / national.national_value
            when coalesce(province_sums.province_sum, 0) = 0 then 0
        end as gap_share,
        rules.check_rule,
        rules.min_gap,
        rules.max_gap,
        rules.tolerance_basis
    from national
    cross join provinces_expected
    left join province_sums
        on national.indicator_code = province_sums.indicator_code
        and national.year = province_sums.year
    left join rules
        on national.indicator_code = rules.indicator_code

),

final as (

    select
        cast(indicator_code as varchar) as indicator_code,
        cast(year as integer) as year,
        cast(unit as varchar) as unit,
        cast(national_value as double) as national_value,
        cast(province_sum as double) as province_sum,
        cast(provinces_reported as integer) as provinces_reported,
        cast(provinces_expected as integer) as provinces_expected,
        cast(gap_share as double) as gap_share,
        cast(check_rule as varchar) as check_rule,
        cast(min_gap as double) as min_gap,
        cast(max_gap as double) as max_gap,
        cast(tolerance_basis as varchar) as tolerance_basis,
        cast(
            case
                when check_rule is null then 'no_rule'
                when check_rule = 'not_additive' then 'not_additive'
                -- 1e-9: float error of summing converted values, not a tolerance
                when gap_share is null or gap_share < min_gap - 1e-9 then 'out_of_tolerance'
                when provinces_reported < provinces_expected then 'incomplete'
                when max_gap is not null and gap_share > max_gap + 1e-9 then 'out_of_tolerance'
                else 'ok'
            end as varchar
        ) as status
    from compared

)

select * from final

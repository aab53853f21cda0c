-- Every change in ref_admin_changes must agree with the validity years of ref_admin_divisions
-- (year-end convention): the unit that disappears was last valid the year before the change,
-- a unit that appears is first valid in the year of the change, and a unit that receives
-- territory exists in that year. Returns the disagreeing changes.
-- Shown in Dagster as an asset check of ref_admin_changes: the test reads several models, so
-- its config names the one it guards (dagster-dbt's meta.dagster.ref).
{{ config(meta={'dagster': {'ref': {'name': 'ref_admin_changes'}}}) }}

with

changes as (

    select * from {{ ref('ref_admin_changes') }}

),

divisions as (

    select * from {{ ref('ref_admin_divisions') }}

),

checked as (

    select
        changes.change_id,
        changes.change_type,
        changes.year,
        changes.old_code,
        old_unit.valid_to as old_valid_to,
        changes.new_code,
        new_unit.valid_from as new_valid_from,
        new_unit.valid_to as new_valid_to,
        case
            when changes.change_type = 'renamed'
                then changes.old_code = changes.new_code and new_unit.valid_to is null
            when changes.change_type = 'created'
                then changes.old_code is null and new_unit.valid_from = changes.year
            when changes.change_type = 'prefecture_to_city'
                then old_unit.valid_to = changes.year - 1 and new_unit.valid_from = changes.year
            when changes.change_type in ('abolished', 'merged')
                then old_unit.valid_to = changes.year - 1
                    and coalesce(new_unit.valid_from, 0) <= changes.year
                    and coalesce(new_unit.valid_to, 9999) >= changes.year
        end as is_consistent
    from changes
    left join divisions as old_unit
        on changes.old_code = old_unit.code
    left join divisions as new_unit
        on changes.new_code = new_unit.code

)

select * from checked
where is_consistent is distinct from true

-- Warns when a provincial indicator is reported (int_province_indicators) but has no column in
-- marts.province_panel (macro province_panel_indicators): a newly landed table whose values
-- would otherwise reach the warehouse but not the panel. Add the code to the macro and a
-- column to province_panel.yml.
{{ config(severity='warn') }}

select distinct indicator_code
from {{ ref('int_province_indicators') }}
where region_level = 'province'
    and indicator_code not in (
        {%- for indicator in province_panel_indicators() %}
        '{{ indicator }}'{{ ',' if not loop.last }}
        {%- endfor %}
    )

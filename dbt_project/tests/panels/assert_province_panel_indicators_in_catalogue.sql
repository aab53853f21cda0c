-- Every column of marts.province_panel named by the macro province_panel_indicators() is an
-- indicator of the catalogue (ref_indicators); a renamed or misspelt code would otherwise give
-- a column that is NULL for ever. Fails with the unknown codes.

with

panel_indicators as (

    {%- for indicator in province_panel_indicators() %}
    select '{{ indicator }}' as indicator_code
    {{ 'union all' if not loop.last }}
    {%- endfor %}

)

select panel_indicators.indicator_code
from panel_indicators
left join {{ ref('ref_indicators') }} as catalogue
    on panel_indicators.indicator_code = catalogue.code
where catalogue.code is null

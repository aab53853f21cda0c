-- An interpolated value of the province panel's long model lies between the two observed
-- values it was made from; an observed value equals what was reported (macro
-- interpolation_violations). Fails with the offending rows. An asset check of
-- int_province_indicators_interpolated (named in the config: the test reads two models).
{{ config(meta={'dagster': {'ref': {'name': 'int_province_indicators_interpolated'}}}) }}

{{ interpolation_violations(
    'int_province_indicators_interpolated', 'region_code',
    'int_province_indicators', 'region_code', "region_level = 'province'") }}

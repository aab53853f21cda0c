-- An interpolated value of the city panel's long model lies between the two observed values
-- it was made from; an observed value equals what was reported (macro
-- interpolation_violations). Fails with the offending rows. An asset check of
-- int_city_indicators_interpolated (named in the config: the test reads two models).
{{ config(meta={'dagster': {'ref': {'name': 'int_city_indicators_interpolated'}}}) }}

{{ interpolation_violations(
    'int_city_indicators_interpolated', 'city_code',
    'int_city_indicators_converted', 'city_code', '1 = 1') }}

{#- The body of int_patents_located (its header comment says what it does), as a macro so
    that int_patents_classified can locate a subset of the patents (`where`, a condition
    on stg_patents__patents) in an incremental run: the view itself locates them all.

    On Spark the address parsing is built in stages (`output`: the CTE the query returns).
    Spark inlines every deterministic CTE wherever it is read (it has no MATERIALIZED), and
    here the CTEs over the distinct address heads are read several times each, nested, so
    one query plans the regular expression over every patent and the name matching dozens
    of times over (hundreds of stages; ~150 s on the demo instead of ~15 s). The stages
    (spark_stages, macros/spark/stages.sql) are tables there (models/spark/located/, each
    this macro with `output` = the stage), and the later stages and int_patents_located read
    them instead of the CTE. A head's reading depends on its text and the seeds alone, so a table over all
    heads serves any subset; with `where` (an incremental run) nothing is staged. On DuckDB
    nothing changes: the text rendered is the one the model always had. -#}
{% macro patents_located(where=none, output='final') %}
{%- set prefix_chars = var('patent_address_prefix_chars', 30) %}
{%- set staged = spark_staged('patents_located', output) if where is none else {} %}

with

patents as {{ cte_hint('not materialized') }}(

    select
        patent_key,
        application_number,
        application_date,
        patent_type_code,
        applicant_region_code,
        applicant_address
    from {{ ref('stg_patents__patents') }}
    {%- if where %}
    where {{ where }}
    {%- endif %}

),

provinces as (

    select * from {{ ref('ref_provinces') }}

),

cities as (

    select * from {{ ref('ref_cities') }}

),

divisions as (

    select * from {{ ref('ref_admin_divisions') }}

),

counties as (

    select * from {{ ref('ref_counties') }}

),

-- every prefecture-level code ever used -> the ref_cities code it means today
prefecture_codes as (

    select
        divisions.code,
        divisions.province_code,
        coalesce(cities.city_code, successors.new_code) as city_code
    from divisions
    left join cities
        on divisions.code = cities.city_code
    left join (
        select old_code, min(new_code) as new_code
        from {{ ref('ref_admin_changes') }}
        where old_code is not null and old_code <> new_code
        group by old_code
        having count(distinct new_code) = 1
    ) as successors
        on divisions.code = successors.old_code
        and successors.new_code in (select city_code from cities)

),

-- region code path ----------------------------------------------------------------------------

codes as (

    select
        applicant_region_code,
        {{ regexp_replace_all('applicant_region_code', "'[^0-9]'", "''") }} as digits
    from (select distinct applicant_region_code from patents) as distinct_codes
    where applicant_region_code is not null

),

codes_parsed as (

    select
        codes.applicant_region_code,
        case
            when length(digits) in (6, 9, 12) then left(digits, 6)
            when length(digits) = 4 then digits || '00'
            when length(digits) = 2 then digits || '0000'
        end as code6
    from codes

),

codes_located as (

    select
        codes_parsed.applicant_region_code,
        case
            when counties.county_code is not null then counties.city_code
            when municipality.province_code is not null then municipality.province_code
            else prefecture_codes.city_code
        end as city_code,
        coalesce(
            counties.province_code,
            municipality.province_code,
            prefecture_codes.province_code,
            province_only.province_code
        ) as province_code,
        coalesce(counties.is_province_direct, false) as is_province_direct
    from codes_parsed
    left join counties
        on codes_parsed.code6 = counties.county_code
    left join provinces as municipality
        on municipality.province_type = 'municipality'
        and left(codes_parsed.code6, 2) = left(municipality.province_code, 2)
        and substr(codes_parsed.code6, 5, 2) = '00'
        and counties.county_code is null
    left join prefecture_codes
        on codes_parsed.code6 = prefecture_codes.code
    left join provinces as province_only
        on codes_parsed.code6 = province_only.province_code

),

-- address path --------------------------------------------------------------------------------

-- the name table: (name, level, province_code, city_code, is_short); city_code of a county is its
-- prefecture (NULL for a province-direct county)
names as (

    select province_name as name, 'province' as level, province_code,
        cast(null as {{ string_type() }}) as city_code, false as is_short
    from provinces
    union all
    select short_name, 'province', province_code, null, true
    from provinces
    union all
    select province_name, 'city', province_code, province_code, false
    from provinces
    where province_type = 'municipality'
    union all
    select divisions.name, 'city', prefecture_codes.province_code, prefecture_codes.city_code, false
    from divisions
    inner join prefecture_codes on divisions.code = prefecture_codes.code
    where prefecture_codes.city_code is not null
    union all
    select divisions.short_name, 'city', prefecture_codes.province_code, prefecture_codes.city_code, true
    from divisions
    inner join prefecture_codes on divisions.code = prefecture_codes.code
    where prefecture_codes.city_code is not null
        and divisions.short_name not in (select short_name from provinces)
    union all
    -- X州 abbreviations and former names (襄樊); those without a suffix count as short names
    select aliases.alias, 'city', prefecture_codes.province_code, prefecture_codes.city_code,
        not {{ regexp_contains('aliases.alias', "'[省市区县旗州盟]$'") }}
    from {{ ref('ref_region_aliases') }} as aliases
    inner join prefecture_codes on aliases.code = prefecture_codes.code
    where aliases.level = 'prefecture'
        and aliases.alias_type in ('abbreviation', 'former_name')
        and prefecture_codes.city_code is not null
    union all
    select county_name, 'county', province_code, city_code, false
    from counties
    where name_match
    union all
    select short_name, 'county', province_code, city_code, true
    from counties
    where name_match and short_name is not null

),

names_distinct as (

    select distinct name, level, province_code, city_code, is_short
    from names
    where name is not null

),

-- patents with their code's reading; the address is read only where the code named no city
patents_coded as {{ cte_hint('not materialized') }}(

    select
        patents.patent_key,
        patents.application_number,
        patents.application_date,
        patents.patent_type_code,
        patents.applicant_address,
        codes_located.city_code as code_city_code,
        codes_located.province_code as code_province_code,
        coalesce(codes_located.is_province_direct, false) as code_is_province_direct
    from patents
    left join codes_located
        on patents.applicant_region_code = codes_located.applicant_region_code

),

-- the patents whose code located no city, with the administrative head of their address: its
-- first characters up to the last unit character among them; number, street and building are
-- cut off, so that few distinct heads remain to be parsed (a plain greedy pattern: the cheapest
-- regular expression here). The regular expression is most of this model's cost per patent:
-- these rows are materialized so that it runs once per patent, and only on these rows.
address_rows as {{ cte_hint('materialized') }}(

    select
        patent_key,
        {{ regexp_match_text(
            'left(applicant_address, ' ~ prefix_chars ~ ')', "'^.*[省市区县旗州盟]'"
        ) }} as address_key
    from patents_coded
    where code_city_code is null and not code_is_province_direct

),

addresses as ({% if 'addresses' in staged %}select * from {{ ref(staged['addresses']) }}{% else %}

    select
        address_key,
        {{ row_number_any('address_key') }} as address_id,
        {{ regexp_replace_all('address_key', "'\\s'", "''") }} as text
    from (
        select distinct address_key
        from address_rows
        where address_key is not null
    ) as distinct_addresses
    where address_key <> ''

{% endif %}),

unit_positions as (

    select
        address_id,
        text,
        {{ list_comprehension(
            'p',
            int_range('1', 'length(text) + 1'),
            condition="contains('省市区县旗州盟', substr(text, p, 1))"
        ) }} as unit_ends
    from addresses

),

-- full names end at a unit character: substrings of 2-15 characters ending there
full_candidates as (

    select
        address_id,
        end_pos - name_length + 1 as start_pos,
        end_pos,
        substr(text, end_pos - name_length + 1, name_length) as candidate
    from (
        select address_id, text, {{ unnest_list('unit_ends') }} as end_pos
        from unit_positions
    ) as ends
    cross join (select {{ unnest_list(int_range('2', '16')) }} as name_length) as lengths
    where name_length <= end_pos

),

-- short names: 2-5 characters at the start, after a 2-3 character start, or after a unit character
short_candidates as (

    select
        address_id,
        start_pos,
        start_pos + name_length - 1 as end_pos,
        substr(text, start_pos, name_length) as candidate
    from (
        select
            address_id,
            text,
            {{ unnest_list(list_distinct(list_concat(
                list_of(['1', '3', '4']), list_comprehension('e', 'unit_ends', 'e + 1')
            ))) }} as start_pos
        from unit_positions
    ) as starts
    cross join (select {{ unnest_list(int_range('2', '6')) }} as name_length) as lengths
    where start_pos + name_length - 1 <= length(text)

),

matches_raw as ({% if 'matches_raw' in staged %}select * from {{ ref(staged['matches_raw']) }}{% else %}

    select full_candidates.*, names_distinct.level, names_distinct.province_code,
        names_distinct.city_code, false as is_short
    from full_candidates
    inner join names_distinct
        on full_candidates.candidate = names_distinct.name
        and not names_distinct.is_short
    union all
    select short_candidates.*, names_distinct.level, names_distinct.province_code,
        names_distinct.city_code, true as is_short
    from short_candidates
    inner join names_distinct
        on short_candidates.candidate = names_distinct.name
        and names_distinct.is_short

{% endif %}),

-- short names: provinces and cities at the start; a city right after its province; a county
-- right after its province or city (matched in full or at the start)
anchors as (

    select * from matches_raw
    where not is_short or (start_pos = 1 and level in ('province', 'city'))

),

matches_accepted as (

    select * from anchors
    union
    select short.*
    from matches_raw as short
    inner join anchors
        on short.address_id = anchors.address_id
        and short.start_pos = anchors.end_pos + 1
        and short.province_code = anchors.province_code
        and (
            (short.level = 'city' and anchors.level = 'province')
            or (short.level = 'county' and anchors.level = 'province')
            or (short.level = 'county' and anchors.level = 'city'
                and short.city_code = anchors.city_code)
        )
    where short.is_short and short.start_pos > 1

),

-- drop a match lying inside a longer one (鞍山市 inside 马鞍山市)
matches as ({% if 'matches' in staged %}select * from {{ ref(staged['matches']) }}{% else %}

    select *
    from matches_accepted as inner_match
    where not exists (
        select 1
        from matches_accepted as outer_match
        where outer_match.address_id = inner_match.address_id
            and outer_match.start_pos <= inner_match.start_pos
            and outer_match.end_pos >= inner_match.end_pos
            and outer_match.end_pos - outer_match.start_pos > inner_match.end_pos - inner_match.start_pos
    )

{% endif %}),

named_provinces as (

    select address_id, province_code
    from matches
    where level = 'province'
    group by address_id, province_code

),

province_counts as (

    select address_id, count(*) as n_provinces, min(province_code) as province_code
    from named_provinces
    group by address_id

),

-- city and county matches consistent with the provinces named (if any)
consistent as (

    select matches.*
    from matches
    left join province_counts
        on matches.address_id = province_counts.address_id
    where matches.level in ('city', 'county')
        and (
            province_counts.address_id is null
            or exists (
                select 1 from named_provinces
                where named_provinces.address_id = matches.address_id
                    and named_provinces.province_code = matches.province_code
            )
        )

),

by_city as (

    select
        address_id,
        {{ arg_min_list('city_code', ['start_pos', 'start_pos - end_pos']) }} as city_code,
        {{ arg_min_list('province_code', ['start_pos', 'start_pos - end_pos']) }} as province_code,
        count(distinct city_code) as city_match_count
    from consistent
    where level = 'city'
    group by address_id

),

-- the first county name named: all counties of that name (several if ambiguous)
first_county as (

    select *
    from consistent
    where level = 'county'
    qualify start_pos = min(start_pos) over (partition by address_id)
        and end_pos = max(end_pos) over (partition by address_id, start_pos)

),

by_county as (

    select
        address_id,
        count(distinct coalesce(city_code, 'direct-' || province_code)) as city_match_count,
        min(city_code) as city_code,
        bool_or(city_code is null) as has_province_direct,
        count(distinct province_code) as n_provinces,
        min(province_code) as province_code
    from first_county
    group by address_id

),

addresses_located as ({% if 'addresses_located' in staged %}select * from {{ ref(staged['addresses_located']) }}{% else %}

    select
        addresses.address_key,
        case
            when by_city.city_code is not null then by_city.city_code
            when by_county.city_match_count = 1 and not by_county.has_province_direct
                then by_county.city_code
        end as city_code,
        case
            when by_city.city_code is not null then by_city.province_code
            when by_county.n_provinces = 1 then by_county.province_code
            when province_counts.n_provinces = 1 then province_counts.province_code
        end as province_code,
        case
            when by_city.city_code is not null then 'address_city'
            when by_county.city_match_count = 1 and not by_county.has_province_direct
                then 'address_county'
        end as location_method,
        coalesce(by_city.city_match_count, by_county.city_match_count, 0) as city_match_count
    from addresses
    left join by_city
        on addresses.address_id = by_city.address_id
    left join by_county
        on addresses.address_id = by_county.address_id
    left join province_counts
        on addresses.address_id = province_counts.address_id

{% endif %}),

-- join back ------------------------------------------------------------------------------------

joined as (

    select
        {{ star_except('patents_coded', ['applicant_address']) }},
        addresses_located.city_code as address_city_code,
        addresses_located.province_code as address_province_code,
        addresses_located.location_method as address_method,
        addresses_located.city_match_count as address_match_count
    from patents_coded
    left join address_rows
        on patents_coded.patent_key = address_rows.patent_key
    left join addresses_located
        on address_rows.address_key = addresses_located.address_key

),

final as (

    select
        patent_key,
        application_number,
        case
            when code_city_code is not null then code_city_code
            when code_is_province_direct then null
            when code_province_code is null or address_province_code = code_province_code
                then address_city_code
        end as city_code,
        case
            when code_province_code is not null then code_province_code
            else address_province_code
        end as province_code,
        case
            when code_city_code is not null then 'region_code'
            when code_is_province_direct then null
            when code_province_code is null or address_province_code = code_province_code
                then address_method
        end as location_method,
        cast(case
            when code_city_code is not null then 1
            when code_is_province_direct then 0
            when code_province_code is null or address_province_code = code_province_code
                then coalesce(address_match_count, 0)
            else 0
        end as integer) as city_match_count,
        -- carried through so int_patents_classified reads the patents once (one scan, no
        -- second join on patent_key)
        application_date,
        patent_type_code
    from joined

)

select * from {{ output }}
{% endmacro %}

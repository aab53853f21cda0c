-- One row per patent: digital / real-economy classification from its IPC codes, and the city
-- it is located in from the applicant's address.
--
-- Classification (parsed codes only; a code that does not parse says nothing either way):
--   is_digital    at least one code is covered by an entry of the CNIPA 2023 digital-economy
--                 core industry table (coverage rules: int_ipc_digital_core_entries_parsed);
--   is_real       at least one code is covered by no entry of that table;
--   is_integrated both, i.e. the patent is co-classified in digital and real-economy IPC.
-- Location: the ref_cities city whose city_name AND province_name both occur in the address
-- (for a municipality the two are the same name, e.g. 北京市). Requiring the province avoids
-- false hits such as 鞍山市 inside 安徽省马鞍山市. If several cities qualify, the one named
-- first in the address wins (then the longer name); city_match_count shows such cases.
-- Addresses that abbreviate the province (内蒙古 for 内蒙古自治区) or use a former name stay
-- unlocated for now.

with

patents as (

    select * from {{ ref('stg_patents__patents') }}

),

ipc_codes as (

    select * from {{ ref('int_patent_ipc_codes') }}
    where is_parsed

),

digital_entries as (

    select * from {{ ref('int_ipc_digital_core_entries_parsed') }}

),

cities as (

    select * from {{ ref('ref_cities') }}

),

codes_matched as (

    -- one row per parsed code, with whether any table entry covers it
    select
        ipc_codes.application_number,
        ipc_codes.ipc_code,
        exists (
            select 1
            from digital_entries
            where digital_entries.subclass = ipc_codes.subclass
                and (
                    digital_entries.main_group is null
                    or digital_entries.main_group = ipc_codes.main_group
                )
                and (
                    digital_entries.subgroup is null
                    or digital_entries.subgroup = ipc_codes.subgroup
                )
        ) as is_digital_code
    from ipc_codes

),

classification as (

    select
        application_number,
        count(*) as n_ipc_codes,
        count(*) filter (where is_digital_code) as n_digital_ipc_codes,
        bool_or(is_digital_code) as is_digital,
        bool_or(not is_digital_code) as is_real
    from codes_matched
    group by application_number

),

city_candidates as (

    select
        patents.application_number,
        cities.city_code,
        strpos(patents.applicant_address, cities.city_name) as name_position,
        length(cities.city_name) as name_length
    from patents
    inner join cities
        on contains(patents.applicant_address, cities.city_name)
        and contains(patents.applicant_address, cities.province_name)

),

located as (

    select
        application_number,
        city_code,
        count(*) over (partition by application_number) as city_match_count
    from city_candidates
    qualify row_number() over (
        partition by application_number
        order by name_position, name_length desc, city_code
    ) = 1

),

final as (

    select
        patents.application_number,
        patents.application_date,
        cast(year(patents.application_date) as integer) as application_year,
        patents.patent_type_code,
        coalesce(patents.patent_type_code = 'invention', false) as is_invention,
        located.city_code,
        coalesce(located.city_match_count, 0) as city_match_count,
        coalesce(classification.n_ipc_codes, 0) as n_ipc_codes,
        coalesce(classification.n_digital_ipc_codes, 0) as n_digital_ipc_codes,
        coalesce(classification.is_digital, false) as is_digital,
        coalesce(classification.is_real, false) as is_real,
        coalesce(classification.is_digital and classification.is_real, false) as is_integrated
    from patents
    left join classification
        on patents.application_number = classification.application_number
    left join located
        on patents.application_number = located.application_number

)

select * from final

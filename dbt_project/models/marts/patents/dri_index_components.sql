{#- The body is the macro dri_index_components (macros/indices/dri_index_components.sql),
    shared with the Spark stage of its CTE patent_subclasses. -#}
-- The digital-real integration (DRI) index, step 1: the raw indicators of its four
-- dimensions, one row per city-year of int_city_patent_counts (docs block
-- dri_index_components has the formulas and their sources). With, for city i and year t,
-- T = located patents, K = integrated patents (digital and real-economy IPC codes):
--
--   time      integrated_share     = K / T
--             integration_growth   = ln(1 + K_t) - ln(1 + K_{t-1}); 0 in the extract's first
--                                    year (K_{t-1} = 0 when the city has no row in t - 1)
--   industry  real_field_breadth   = distinct real-economy subclasses in the integrated patents
--             real_field_diversity = -sum_s q_s ln q_s, q_s = share of subclass s among the
--                                    (integrated patent, real subclass) assignments
--   region    location_quotient    = (K / T) / (sum_cities K / sum_cities T), same year
--             national_share       = K / sum_cities K, same year
--   network   digital_real_links   = distinct (digital subclass, real subclass) pairs that
--                                    co-occur in an integrated patent
--             link_density         = links / (digital subclasses x real subclasses present)
--
-- Scale: codes are joined to integrated patents only, reduced to distinct (patent, subclass,
-- side) rows, and the digital x real pairs are formed per patent (a few codes each) before
-- anything is aggregated per city-year.

{{ dri_index_components() }}

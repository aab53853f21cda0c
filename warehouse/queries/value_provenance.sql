-- Where does a panel number come from? The cell behind Shijiazhuang's GDP in 2020, as printed.
SELECT region_name, year, indicator_code, scope, value, unit,
       value_printed, unit_printed, header_printed,
       source_file, sheet_name, source_row, source_col
FROM marts.value_provenance
WHERE region_code = '130100' AND year = 2020 AND indicator_code = 'gdp'
ORDER BY source_file, scope;

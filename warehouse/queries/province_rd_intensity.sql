-- R&D intensity (%) by province, latest year first (real S&T yearbook data).
select province_name, year, rd_intensity, rd_intensity_imputed
from marts.province_panel
where rd_intensity is not null
order by year desc, rd_intensity desc;

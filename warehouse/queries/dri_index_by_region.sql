-- Mean digital-real integration index by East / Central / West and year (synthetic demo data).
select region3, year, round(avg(dri_index), 4) as mean_dri_index, count(*) as cities
from marts.city_panel_balanced
group by region3, year
order by region3, year;

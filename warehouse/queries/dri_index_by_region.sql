-- Mean DRI index (dri_index, the four-dimension composite of marts.dri_index) by East / Central /
-- West and year, with the mean integrated-patent share beside it (synthetic demo data).
select region3, year, round(avg(dri_index), 4) as mean_dri_index,
    round(avg(integrated_share), 4) as mean_integrated_share, count(*) as cities
from marts.city_panel_balanced
group by region3, year
order by region3, year;

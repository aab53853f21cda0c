-- Every region code of the marts has a polygon or is listed as missing with the reason, never
-- both or neither; and only the national total, 巢湖 and 莱芜 are missing.
select region_code, region_name, missing_reason
from {{ ref('region_boundaries') }}
where (geometry_wkt is null) = (missing_reason is null)
    or (geometry_wkt is null and region_code not in ('100000', '341400', '371200'))

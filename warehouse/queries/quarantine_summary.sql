-- What was rejected on ingest, by table and reason.
select target_table, split_part(reason, ' ', 1) as kind, count(*) as rows
from quality.quarantine
group by all
order by rows desc;

-- Slashed dates that can only be day-first (13/05) or only month-first (05/13), per field.
SELECT {{counts}} FROM {{sample}};
-- @part timestamp
count(*) FILTER (WHERE ingest_day_first({{text}})) AS {{day_first}},
count(*) FILTER (WHERE ingest_month_first({{text}})) AS {{month_first}}

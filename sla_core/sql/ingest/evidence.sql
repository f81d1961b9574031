-- Counts over the sample that betray the file's conventions, one scan for all its fields; each
-- field adds the part of its kind. Date order is counted (in date_order.sql) only for fields
-- written with slashes: ISO dates skip the costlier extracts.
SELECT {{counts}} FROM {{sample}};
-- @part timestamp
count(*) FILTER (WHERE ingest_slashed({{text}})) AS {{slashed}}
-- @part number
count(*) FILTER (WHERE ingest_shows_decimal_comma({{text}})) AS {{comma}},
count(*) FILTER (WHERE ingest_shows_decimal_point({{text}})) AS {{dot}}
-- @part boolean
count({{text}}) AS {{total}},
count(*) FILTER (WHERE ingest_yes_no({{text}}) IS NOT NULL) AS {{vocab}},
count(*) FILTER (WHERE ingest_date_like({{text}})) AS {{dates}}

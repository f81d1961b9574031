-- The unread date cells of a typed stage, counted over only the rows that have one ({{columns}}: the
-- _bad_x columns of the date fields with any): per field, the cells that read as a date (outside the
-- plausible range, then), those whose typed value the scan kept (to clear), and, when the date order
-- was decided automatically, those that read only day-first or only month-first (the full scan's word
-- on the order the sample decided).
SELECT {{counts}} FROM {{typed}} WHERE coalesce({{columns}}) IS NOT NULL;
-- @part dated
count(*) FILTER (WHERE ingest_reads_as_date({{bad}}, $formats)) AS {{dated}},
count({{bad}}) FILTER (WHERE {{field}} IS NOT NULL) AS {{typed_count}}
-- @part order
count(*) FILTER (WHERE ingest_day_first({{bad}})) AS {{day_first}},
count(*) FILTER (WHERE ingest_month_first({{bad}})) AS {{month_first}}

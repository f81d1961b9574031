-- The first row whose unread date cell {{bad}} reads only day-first ($day_first) or only month-first:
-- where a file shows the date order its sample could not.
SELECT rowid AS r, {{bad}} AS raw
FROM {{typed}}
WHERE CASE WHEN $day_first THEN ingest_day_first({{bad}}) ELSE ingest_month_first({{bad}}) END
ORDER BY rowid
LIMIT 1;

-- One pass over a typed stage: per field its filled cells, cells that did not parse, clock times
-- in a daylight-saving gap, and whether amounts carry more than one currency mark (the smallest
-- and largest differ: a parallel min/max, not a one-thread DISTINCT); for leads, the rows
-- without a Lead ID or creation date. Of a date field's unread cells: those that are dates outside
-- the plausible range, and those that read only day-first or only month-first (the full scan's
-- word on the date order the sample decided).
SELECT {{stats}} FROM {{typed}};
-- @part present
count({{field}}) AS {{present}}
-- @part bad
count({{bad}}) AS {{bad_count}}
-- @part dated
count(*) FILTER (WHERE {{bad}} IS NOT NULL AND ingest_reads_as_date({{bad}}, $formats)) AS {{dated}}
-- @part order
count(*) FILTER (WHERE {{bad}} IS NOT NULL AND ingest_day_first({{bad}})) AS {{day_first}},
count(*) FILTER (WHERE {{bad}} IS NOT NULL AND ingest_month_first({{bad}})) AS {{month_first}}
-- @part gap
count({{gap}}) AS {{gap_count}}
-- @part mixed
coalesce(min({{currency}}) <> max({{currency}}), false) AS {{mixed}}
-- @part invalid
count(*) FILTER (WHERE lead_id IS NULL OR created_at IS NULL) AS invalid

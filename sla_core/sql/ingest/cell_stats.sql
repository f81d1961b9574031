-- One pass over a typed stage: per field its filled cells, cells that did not parse, clock times
-- in a daylight-saving gap, and whether amounts carry more than one currency mark (the smallest
-- and largest differ: a parallel min/max, not a one-thread DISTINCT); for leads, the rows
-- without a Lead ID or creation date.
SELECT {{stats}} FROM {{typed}};
-- @part present
count({{field}}) AS {{present}}
-- @part bad
count({{bad}}) AS {{bad_count}}
-- @part gap
count({{gap}}) AS {{gap_count}}
-- @part mixed
coalesce(min({{currency}}) <> max({{currency}}), false) AS {{mixed}}
-- @part invalid
count(*) FILTER (WHERE lead_id IS NULL OR created_at IS NULL) AS invalid

-- The values of one segment field ($field: source, tier or region) in the leads, as goal rules compare them
-- (segment_value), each with its number of leads, most leads first: what the goal rules editor offers.
SELECT value, count(*) AS leads
FROM (SELECT segment_value($field, source, tier, region) AS value FROM leads)
WHERE value IS NOT NULL
GROUP BY value
ORDER BY leads DESC, value
LIMIT $limit;

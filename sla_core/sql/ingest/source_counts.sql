-- Distinct source values with their current origin, for the origin-mapping editor.
SELECT coalesce(source, '(no source)') AS source, any_value(origin) AS origin, count(*) AS leads
FROM leads
GROUP BY source
ORDER BY leads DESC;

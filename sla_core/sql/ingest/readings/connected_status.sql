-- A "connected" column that holds a lead status: connected when it is one of $connected_values (lower case).
-- @part scan
ingest_trimmed({{cell}}) AS {{text}}
-- @part cast
{{text}}
-- @part trim
{{text}}
-- @part parse
{{text}}
-- @part final
CASE WHEN {{text}} IS NOT NULL THEN list_contains($connected_values, lower({{text}})) END AS {{field}}

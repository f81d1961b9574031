-- A "connected" column that holds the date of the connection: any value means connected.
-- @part scan
ingest_trimmed({{cell}}) AS {{text}}
-- @part cast
{{text}}
-- @part trim
{{text}}
-- @part parse
{{text}}
-- @part final
CASE WHEN {{text}} IS NOT NULL THEN true END AS {{field}}

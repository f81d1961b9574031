-- Text and ids: the trimmed cell, as written.
-- @part scan
ingest_trimmed({{cell}}) AS {{text}}
-- @part cast
{{text}}
-- @part trim
{{text}}
-- @part parse
{{text}}
-- @part final
{{text}} AS {{field}}

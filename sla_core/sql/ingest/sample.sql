-- The top of an export, as trimmed text, for the fields whose conventions the sample settles
-- (date order, decimal mark, what a "connected" column holds). A broken row is skipped here; the
-- typed scan reports it.
CREATE OR REPLACE TEMP TABLE {{sample}} AS
SELECT {{columns}}
FROM read_csv(
-- @include ingest/export_csv
    , ignore_errors = true)
LIMIT $rows;
-- @part column
ingest_trimmed({{cell}}) AS {{text}}

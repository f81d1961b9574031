-- The version of cell_rules.sql this connection defined (NULL before the first load).
SELECT getvariable('ingest_cell_rules') AS version;

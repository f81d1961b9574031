-- A working table ingest made (a sample, a typed stage) that is no longer needed.
DROP TABLE IF EXISTS {{table}};

-- DuckDB appends to its reject tables: clear them around each typed scan.
DROP TABLE IF EXISTS reject_errors;
DROP TABLE IF EXISTS reject_scans;

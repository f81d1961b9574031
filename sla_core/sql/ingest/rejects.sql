-- The records the last typed scan could not use, in file order (DuckDB reports a long row once
-- per extra field). Positions are byte offsets into the scanned file.
SELECT line_byte_position, byte_position, error_type, error_message, csv_line
FROM reject_errors
ORDER BY byte_position;

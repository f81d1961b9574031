-- Rows of a working table.
SELECT count(*) AS n FROM {{table}};

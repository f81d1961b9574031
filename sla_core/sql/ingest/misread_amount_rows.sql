-- The first rows whose amount did not parse because it is written in the other decimal
-- convention than the file is read with ($decimal).
SELECT rowid AS r
FROM {{typed}}
WHERE {{bad}} IS NOT NULL AND ingest_written_other_way({{bad}}, $decimal)
ORDER BY rowid
LIMIT $limit;

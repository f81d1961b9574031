-- The first rows whose amount carries one of the $marks (the minority currencies).
SELECT rowid AS r
FROM {{typed}}
WHERE list_contains($marks, {{currency}})
ORDER BY rowid
LIMIT $limit;

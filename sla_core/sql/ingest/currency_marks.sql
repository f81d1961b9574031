-- The currency marks of an amount column, most used first.
SELECT {{currency}} AS mark, count(*) AS n
FROM {{typed}}
WHERE {{currency}} IS NOT NULL
GROUP BY 1
ORDER BY 2 DESC, 1;

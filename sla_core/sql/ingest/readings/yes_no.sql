-- A yes/no column (true/false, yes/no, y/n, 1/0, x); any other text is reported.
-- @part scan
ingest_trimmed({{cell}}) AS {{text}}
-- @part cast
{{text}}
-- @part trim
{{text}}
-- @part parse
{{text}}, ingest_yes_no({{text}}) AS {{typed}}
-- @part final
{{typed}} AS {{field}},
CASE WHEN {{typed}} IS NULL THEN {{text}} END AS {{bad}}

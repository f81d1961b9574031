-- An amount written with a decimal comma (1.234,56), grouping, currency marks and signs allowed.
-- @part scan
ingest_trimmed({{cell}}) AS {{text}}
-- @part cast
{{text}}
-- @part trim
{{text}}
-- @part parse
{{text}}, ingest_number_comma({{text}}) AS {{typed}}
-- @part final
{{typed}} AS {{field}},
CASE WHEN {{typed}} IS NULL THEN {{text}} END AS {{bad}},
CASE WHEN {{typed}} IS NOT NULL AND TRY_CAST({{text}} AS DOUBLE) IS NULL THEN ingest_currency_mark({{text}}) END AS {{currency}}

-- Which of the reported cells' texts ($values) read as dates at all (in the file's $formats): those
-- are dates outside the plausible range, the rest text that is no date.
SELECT v AS value, coalesce(ingest_reads_as_date(v, $formats), false) AS dated
FROM unnest($values::VARCHAR[]) AS t(v);

-- A date the scan typed but reported (outside the plausible range): its value goes, so it cannot set
-- the as-of time or stretch a page's months; its text stays in {{bad}} for the report.
UPDATE {{typed}} SET {{field}} = NULL WHERE {{bad}} IS NOT NULL AND {{field}} IS NOT NULL;

-- Canonical columns, in place on the typed stage {{typed}} (copying 5M rows would cost time and a
-- second copy of the table in memory; origin is derived in the typed scan already), which then
-- becomes leads_next. Before this runs, ingest has deleted the rows it does not keep and added
-- each absent field as a column (a date falling back to the previous one, SPEC 1).
-- Rules that need every upload merged first (deals, activities) are in finalize_leads.sql.
UPDATE {{typed}} SET attempts = 0 WHERE attempts IS NULL;
UPDATE {{typed}} SET connected = false WHERE connected IS NULL;
DROP TABLE IF EXISTS leads_next;
ALTER TABLE {{typed}} RENAME TO leads_next;

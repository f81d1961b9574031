-- Replace the previous dataset only now that every step succeeded, in one transaction; without
-- an activity log there is no activities_next, and the previous activities go.
BEGIN TRANSACTION;
DROP TABLE IF EXISTS leads;
ALTER TABLE leads_next RENAME TO leads;
DROP TABLE IF EXISTS activities;
ALTER TABLE IF EXISTS activities_next RENAME TO activities;
COMMIT;

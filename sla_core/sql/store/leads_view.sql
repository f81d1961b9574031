-- The metric SQL reads the unqualified table `leads`: in a shared view it is this cursor-local view over the
-- stored rows of one workspace, queried in place (no copy back into memory).
CREATE OR REPLACE TEMP VIEW leads AS
SELECT * EXCLUDE (workspace_id) FROM workspace_leads WHERE workspace_id = getvariable('shown_workspace')

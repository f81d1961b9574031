-- `incoming` is the Arrow reader over the session's leads, registered for the duration of the save.
INSERT INTO workspace_leads BY NAME SELECT $workspace_id AS workspace_id, * FROM incoming

-- The workspace a per-session store cursor shows as `leads` (a session variable, so the view needs no SQL text from values).
SET VARIABLE shown_workspace = $workspace_id

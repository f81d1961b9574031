-- Reopening a saved workspace for editing: the stored rows (an Arrow reader `incoming`) become the session's leads.
CREATE OR REPLACE TABLE leads AS SELECT * FROM incoming

-- The saved-workspace store (sla_core/store/file.py). Run once at start-up in one transaction, then CHECKPOINT:
-- WAL replay bugs cluster on DDL, so saves only ever INSERT/UPDATE/DELETE rows.
-- The leads of every workspace live in one wide table keyed by workspace_id: workspace_leads.sql creates it
-- with its key, and its lead columns come from sla_core/contract.py (added at start-up when a store lacks one);
-- its data-version columns are added after them (sla_core/store/version_schema.py).
CREATE TABLE IF NOT EXISTS workspaces (
    workspace_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL,
    rows_saved BIGINT NOT NULL,
    dataset_json VARCHAR NOT NULL,
    mapping_json VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS scenarios (
    scenario_id VARCHAR NOT NULL,
    revision INTEGER NOT NULL,
    workspace_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL,
    settings_json VARCHAR NOT NULL,
    PRIMARY KEY (scenario_id, revision)
);
CREATE TABLE IF NOT EXISTS share_links (
    token_sha256 VARCHAR PRIMARY KEY,
    workspace_id VARCHAR NOT NULL,
    scenario_id VARCHAR NOT NULL,
    revision INTEGER NOT NULL,
    label VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
-- Every load of a workspace's data (its save, each refresh, each restore) is a data version. The workspace's own
-- row repeats its latest version's facts (rows_saved, dataset_json, mapping_json), written in the same transaction.
CREATE TABLE IF NOT EXISTS data_versions (
    workspace_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL,
    loaded_by VARCHAR,  -- the signed-in editor's email, "command line (user)", or NULL when sign-in is off
    how VARCHAR NOT NULL,  -- saved | refreshed | restored
    restored_from INTEGER,
    files_json VARCHAR NOT NULL,  -- kind (leads, deals, activities) → file name
    rows_read BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_stored BIGINT NOT NULL,  -- lead rows this version stored (new or changed leads); the rest it shares
    rows_replaced BIGINT NOT NULL,  -- rows of the version before that this one replaced or dropped
    dataset_json VARCHAR NOT NULL,
    mapping_json VARCHAR NOT NULL,
    PRIMARY KEY (workspace_id, version)  -- two refreshes at once both write version N + 1: one commits
);
-- Columns added since the store's first release: a store written by an older app gains them here (NULL).
ALTER TABLE workspaces ADD COLUMN IF NOT EXISTS keep_versions INTEGER;  -- NULL: the default retention
ALTER TABLE share_links ADD COLUMN IF NOT EXISTS data_version INTEGER;  -- NULL: the link follows the latest data
ALTER TABLE share_links ADD COLUMN IF NOT EXISTS month DATE;  -- NULL: the month shown first (SPEC 8)

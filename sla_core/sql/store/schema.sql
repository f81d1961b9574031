-- The saved-workspace store (sla_core/store/file.py). Run once at start-up in one transaction, then CHECKPOINT:
-- WAL replay bugs cluster on DDL, so saves only ever INSERT/UPDATE/DELETE rows.
-- The leads of every workspace live in one wide table keyed by workspace_id: workspace_leads.sql creates it
-- with its key, and its lead columns come from sla_core/contract.py (added at start-up when a store lacks one).
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

-- The saved-workspace store (sla_core/store.py). Run once at start-up in one transaction, then CHECKPOINT:
-- WAL replay bugs cluster on DDL, so saves only ever INSERT/UPDATE/DELETE rows.
-- One wide table holds every workspace's leads, keyed by workspace_id (columns mirror create_leads.sql).
CREATE TABLE IF NOT EXISTS workspaces (
    workspace_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL,
    rows_saved BIGINT NOT NULL,
    dataset_json VARCHAR NOT NULL,
    mapping_json VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS workspace_leads (
    workspace_id VARCHAR NOT NULL,
    lead_id VARCHAR,
    created_at TIMESTAMPTZ,
    mql_at TIMESTAMPTZ,
    source VARCHAR,
    origin VARCHAR,
    handed_at TIMESTAMPTZ,
    first_touch_at TIMESTAMPTZ,
    attempts INTEGER,
    connected BOOLEAN,
    customer_at TIMESTAMPTZ,
    deal_amount DOUBLE,
    owner VARCHAR,
    tier VARCHAR,
    job_title VARCHAR,
    touched_before_handoff BOOLEAN
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

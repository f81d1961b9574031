-- The canonical lead table (docs/architecture.md). Ingest fills it with CREATE TABLE AS;
-- tests and fixtures create it empty from this statement and insert rows.
CREATE OR REPLACE TABLE leads (
    lead_id VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    mql_at TIMESTAMPTZ,
    source VARCHAR,
    origin VARCHAR NOT NULL,
    handed_at TIMESTAMPTZ,
    first_touch_at TIMESTAMPTZ,
    attempts INTEGER NOT NULL,
    connected BOOLEAN NOT NULL,
    customer_at TIMESTAMPTZ,
    deal_amount DOUBLE,
    owner VARCHAR,
    tier VARCHAR,
    job_title VARCHAR,
    touched_before_handoff BOOLEAN NOT NULL
);

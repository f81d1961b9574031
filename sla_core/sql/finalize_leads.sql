-- The stated data-quality rules (shown on the Data page): a customer date before the lead
-- was created is not a win; a negative amount is not revenue; a touch before hand-off is
-- kept but flagged so speed can exclude and count it (SPEC section 5). The source is the
-- leads_next table, or build_leads.sql as a subquery when nothing was merged.
CREATE OR REPLACE TABLE leads_final AS
SELECT
    lead_id, created_at, mql_at, source, origin, handed_at, first_touch_at, attempts, connected,
    CASE WHEN customer_at < created_at THEN NULL ELSE customer_at END AS customer_at,
    CASE WHEN deal_amount < 0 OR customer_at < created_at THEN NULL ELSE deal_amount END AS deal_amount,
    owner, tier, job_title,
    coalesce(first_touch_at < handed_at, false) AS touched_before_handoff
FROM {source};

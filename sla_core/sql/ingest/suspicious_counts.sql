-- Rows that break the funnel's order or sign, counted before finalize_leads.sql applies its rules,
-- and rows with a timestamp later than the moment of loading ($loaded_at), which latest_timestamp.sql
-- keeps out of the as-of time.
SELECT
    count(*) FILTER (WHERE first_touch_at < handed_at) AS touched_before_handoff,
    count(*) FILTER (WHERE customer_at < created_at) AS customer_before_created,
    count(*) FILTER (WHERE deal_amount < 0) AS negative_amount,
    count(*) FILTER (WHERE greatest(created_at, mql_at, handed_at, first_touch_at, customer_at) > $loaded_at::TIMESTAMPTZ)
        AS after_loading
FROM leads_next;

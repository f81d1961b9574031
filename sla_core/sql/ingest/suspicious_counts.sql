-- Rows that break the funnel's order or sign, counted before finalize_leads.sql applies its rules.
SELECT
    count(*) FILTER (WHERE first_touch_at < handed_at) AS touched_before_handoff,
    count(*) FILTER (WHERE customer_at < created_at) AS customer_before_created,
    count(*) FILTER (WHERE deal_amount < 0) AS negative_amount
FROM leads_next;

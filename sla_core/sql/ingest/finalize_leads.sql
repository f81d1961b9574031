-- The stated data-quality rules (shown on the Data page): a customer date before the lead
-- was created is not a win; a negative amount is not revenue; a touch before hand-off is
-- kept but flagged so speed can exclude and count it (SPEC section 5). Applied in place to
-- leads_next once every upload is merged into it.
ALTER TABLE leads_next ADD COLUMN touched_before_handoff BOOLEAN DEFAULT false;
UPDATE leads_next SET touched_before_handoff = true WHERE first_touch_at < handed_at;
UPDATE leads_next SET customer_at = NULL, deal_amount = NULL WHERE customer_at < created_at;
UPDATE leads_next SET deal_amount = NULL WHERE deal_amount < 0;

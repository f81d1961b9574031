-- customer_at and deal_amount from each lead's first won deal (SPEC section 1); the
-- deal's owner fills in where the lead file names none. {{typed}} has deal_amount and owner
-- (empty when the deals file lacks them).
CREATE OR REPLACE TABLE leads_next AS
WITH first_won AS (
    SELECT lead_id,
           min(customer_at) AS won_at,
           arg_min(deal_amount, customer_at) AS won_amount,
           arg_min(owner, customer_at) AS won_owner
    FROM {{typed}}
    WHERE lead_id IS NOT NULL AND customer_at IS NOT NULL
    GROUP BY lead_id
)
SELECT l.* REPLACE (
    coalesce(w.won_at, l.customer_at) AS customer_at,
    CASE WHEN w.lead_id IS NULL THEN l.deal_amount ELSE w.won_amount END AS deal_amount,
    coalesce(l.owner, w.won_owner) AS owner
)
FROM leads_next l
LEFT JOIN first_won w ON w.lead_id = l.lead_id;

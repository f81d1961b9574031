-- What the merge of a deals file ignores or chooses, for the notices: deals naming a Lead ID not in
-- the leads, deals without a Lead ID, and leads with more than one won deal.
SELECT
    count(*) FILTER (WHERE lead_id IS NOT NULL AND lead_id NOT IN (SELECT lead_id FROM leads_next)) AS unknown,
    count(*) FILTER (WHERE lead_id IS NULL) AS no_id,
    (SELECT count(*) FROM (
        SELECT lead_id FROM {{typed}} WHERE lead_id IS NOT NULL AND customer_at IS NOT NULL
        GROUP BY lead_id HAVING count(*) > 1)) AS several
FROM {{typed}};

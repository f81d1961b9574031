-- The data's as-of time: the latest instant anywhere in the loaded leads (SPEC section 9).
SELECT greatest(max(created_at), max(mql_at), max(handed_at), max(first_touch_at), max(customer_at)) AS as_of
FROM leads;

-- The data's as-of time: the latest instant anywhere in the loaded leads (SPEC section 9) that is
-- not later than the moment of loading ($loaded_at). A later timestamp is a data error, flagged by
-- suspicious_counts.sql, and does not move as_of (SPEC 8); when every timestamp is later, as_of is
-- the moment of loading.
SELECT coalesce(greatest(max(created_at) FILTER (WHERE created_at <= $loaded_at::TIMESTAMPTZ),
                         max(mql_at) FILTER (WHERE mql_at <= $loaded_at::TIMESTAMPTZ),
                         max(handed_at) FILTER (WHERE handed_at <= $loaded_at::TIMESTAMPTZ),
                         max(first_touch_at) FILTER (WHERE first_touch_at <= $loaded_at::TIMESTAMPTZ),
                         max(customer_at) FILTER (WHERE customer_at <= $loaded_at::TIMESTAMPTZ)),
                $loaded_at::TIMESTAMPTZ) AS as_of
FROM leads;

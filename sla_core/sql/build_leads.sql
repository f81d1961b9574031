-- Canonical columns from the typed stage ({typed}); placeholders are generated column
-- names (c0, c1 …) or typed NULLs chosen by ingest, never user text. Rules that need
-- every upload merged first (deals, activities) are applied in finalize_leads.sql.
-- A bare SELECT: ingest materialises it as leads_next only when deals or activities are
-- merged into it; a lone lead file goes straight into finalize_leads (one copy, not two).
SELECT
    lead_id,
    created_at,
    {mql} AS mql_at,
    {source} AS source,
    CASE WHEN list_contains($sales_sources, lower({source})) THEN 'sales' ELSE 'marketing' END AS origin,
    {handed} AS handed_at,
    {first_touch} AS first_touch_at,
    coalesce({attempts}, 0) AS attempts,
    coalesce({connected}, false) AS connected,
    {customer} AS customer_at,
    {amount} AS deal_amount,
    {owner} AS owner,
    {tier} AS tier,
    {job_title} AS job_title
FROM {typed}
WHERE {keep}

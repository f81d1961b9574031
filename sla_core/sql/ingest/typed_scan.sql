-- The typed scan: one read of an export into {{typed}}, every mapped column read as text and
-- typed in the same statement. A row DuckDB cannot split costs one reject (reject_errors), not
-- the file. Each field adds its reading (readings/*.sql) to every level, innermost first:
--   scan   the cells as read (a raw copy, or the trimmed text);
--   cast   the plain cast, for fields whose cast ignores surrounding spaces by itself;
--   trim   the trimmed text (only of the cells that cast refused, where there is one);
--   parse  typed candidates;
--   final  the canonical column, with _bad_x (the text of a cell that did not parse), _gap_x (a
--          clock time skipped by daylight saving) and _cur_x (the currency mark of an amount).
-- Each level names the trimmed text of a cell once, so the optimiser does not hoist the trim onto
-- every row (trimming every cell costs a fifth of the scan). A reading keeps a cell's text as
-- CASE WHEN <it reads> THEN NULL ELSE <text> END: a NULL test falls to ELSE, as with
-- NOT coalesce(<it reads>, false), which cost the scan about 7 % more CPU (1M leads).
CREATE OR REPLACE TABLE {{typed}} AS
SELECT {{final}} FROM (
    SELECT {{parse}} FROM (
        SELECT {{trim}} FROM (
            SELECT {{cast}} FROM (
                SELECT {{scan}}
                FROM read_csv(
-- @include ingest/export_csv
                    , store_rejects = true)))));
-- SPEC 1: a lead is sales-sourced when its source is one of the mapping's sales sources ($sales_sources, lower case).
-- @part origin_from_source
CASE WHEN list_contains($sales_sources, lower({{source}})) THEN 'sales' ELSE 'marketing' END AS origin
-- @part origin_without_source
'marketing' AS origin

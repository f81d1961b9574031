-- The first flagged cells of a typed stage in file order: one row per non-NULL cell of the
-- diagnostic {{columns}} (_bad_x: did not parse, or _gap_x: in a daylight-saving gap), named by
-- its column; cells of one row follow the order of $columns.
SELECT r, cell, raw
FROM (
    UNPIVOT (SELECT rowid AS r, {{columns}} FROM {{typed}} WHERE coalesce({{columns}}) IS NOT NULL)
    ON {{columns}} INTO NAME cell VALUE raw
)
ORDER BY r, list_position($columns, cell)
LIMIT $limit;

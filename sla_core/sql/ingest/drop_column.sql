-- A diagnostic column (_bad_x, _gap_x, _cur_x) no longer needed: at 5M rows these hold hundreds of
-- MB even when empty, and the lead table is built next to them.
ALTER TABLE {{table}} DROP COLUMN {{column}};

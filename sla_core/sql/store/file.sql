-- The store file as a whole (sla_core/store/file.py).

-- name: checkpoint
-- Fold the write-ahead log into the file: after the schema at start-up and after every write.
CHECKPOINT;

-- Every row of the session's canonical table, streamed as Arrow batches into the store on save.
SELECT * FROM leads

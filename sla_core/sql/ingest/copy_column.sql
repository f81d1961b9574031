-- An absent date that falls back to another (SPEC 1: no MQL date → the creation date).
UPDATE {{table}} SET {{column}} = {{source}};

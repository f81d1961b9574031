"""SLA health (SPEC 8): one verdict per figure, month by month, and the written agreement."""

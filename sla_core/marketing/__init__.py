"""The marketing SLA (SPEC 2-4): targets, tiers, monthly actuals, the goal line, its charts and report keys."""

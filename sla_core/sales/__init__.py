"""The sales SLA (SPEC 5-7): the clock, speed and depth of follow-up, rep capacity, charts and report keys."""

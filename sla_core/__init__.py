"""Pure core of the Sales & Marketing SLA dashboard: ingest, metrics, store, report.

Nothing here imports streamlit, so the same numbers come out of the app, the
report command and the tests.
"""

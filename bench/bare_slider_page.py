"""The floor of a what-if rerun: a page with one slider and one figure, nothing else.

bench/run.py times a slider rerun of the Marketing SLA page (1M leads loaded) against a
rerun of this page in the same process, so the ratio is Streamlit's own cost removed.
"""
import streamlit as st

quota = st.slider("Sales quota for the month ($)", 0, 1_000_000, 200_000, step=1_000, key="quota")
st.metric("Quota", f"${quota:,}")

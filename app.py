"""Entry point: navigation between the dashboard's pages.

Run with ``streamlit run app.py``; the bundled sample export is loaded on first visit.
"""
import streamlit as st

st.set_page_config(page_title="Sales & Marketing SLA", page_icon="📈", layout="wide")

PAGES = [
    st.Page("pages/marketing.py", title="Marketing SLA", icon="🎯", default=True),
    st.Page("pages/sales.py", title="Sales SLA", icon="⏱️"),
    st.Page("pages/data.py", title="Data", icon="📄"),
]

st.navigation(PAGES).run()

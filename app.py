"""Entry point: navigation between the dashboard's pages.

Run with ``streamlit run app.py``; the bundled sample export is loaded on first visit.
"""
import streamlit as st

from pages import session

st.set_page_config(page_title="Sales & Marketing SLA", page_icon="📈", layout="wide")

PAGES = [
    st.Page("pages/marketing.py", title="Marketing SLA", icon="🎯", default=True),
    st.Page("pages/sales.py", title="Sales SLA", icon="⏱️"),
    st.Page("pages/data.py", title="Data", icon="📄"),
    st.Page("pages/workspace.py", title="Save & share", icon="💾"),
    st.Page("pages/overview.py", title="Overview", icon="🧭"),
    st.Page("pages/agreement.py", title="Agreement", icon="🤝"),
]
# What a leadership share link (?share=TOKEN) shows: read-only, nothing to upload, save or delete.
SHARED_PAGES = [
    st.Page("pages/overview.py", title="Overview", icon="🧭", default=True),
    st.Page("pages/marketing.py", title="Marketing SLA", icon="🎯"),
    st.Page("pages/sales.py", title="Sales SLA", icon="⏱️"),
    st.Page("pages/agreement.py", title="Agreement", icon="🤝"),
]

token = session.share_token()
if token is not None:
    session.workspace()  # the token's read-only workspace, or the one generic refusal and stop
    if st.query_params.get(session.SHARE_PARAM) != token:  # page navigation drops it; keep the URL reloadable
        st.query_params[session.SHARE_PARAM] = token
    page = st.navigation(SHARED_PAGES)
    names = st.session_state["shared_names"]
    st.caption(f"🔒 Shared read-only view: workspace {session.literal(names[0])} · scenario "
               f"{session.literal(names[1])} (revision {names[2]})")
    page.run()
else:
    session.require_editor()
    st.navigation(PAGES).run()

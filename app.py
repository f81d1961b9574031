"""Entry point: navigation between the dashboard's pages.

Run with ``streamlit run app.py``; the bundled sample export is loaded on first visit.
"""
import streamlit as st

from pages.common import access
from pages.common.ui import literal

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

token = access.share_token()
if token is not None:
    access.workspace()  # the token's read-only workspace, or the one generic refusal and stop
    if st.query_params.get(access.SHARE_PARAM) != token:  # page navigation drops it; keep the URL reloadable
        st.query_params[access.SHARE_PARAM] = token
    page = st.navigation(SHARED_PAGES)
    workspace_name, scenario_name, revision = access.shared_names()
    st.caption(f"🔒 Shared read-only view: workspace {literal(workspace_name)} · scenario "
               f"{literal(scenario_name)} (revision {revision}). The data and the goals are as the sender saved "
               "them; pick any month to read it.")
    data_version, loaded_at, follows_latest = access.shared_version()
    st.caption(f"Data version {data_version}, loaded {loaded_at:%Y-%m-%d %H:%M} UTC · "
               + ("the link follows the latest data" if follows_latest else "the link stays on this version"))
    page.run()
else:
    access.require_editor()
    try:
        st.navigation(PAGES).run()
    finally:  # after the page changed anything (st.stop and st.rerun end a run early): a reload gets it back
        access.keep_draft()

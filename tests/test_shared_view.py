"""Many viewers of one share link: the figures are computed once for all of them, and each still stops on revoke."""
from __future__ import annotations

import gc

import pytest
from apptest_support import new_app, shown, workspace_of

from pages.common import access
from pages.common.ui import KEYS
from sla_core import queries
from sla_core.store import share

SHARED_PAGES = ("pages/overview.py", "pages/marketing.py", "pages/sales.py", "pages/agreement.py")


@pytest.fixture(autouse=True)
def store_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_STORE_PATH", str(tmp_path / "store.duckdb"))
    monkeypatch.delenv(access.EDITORS_ENV, raising=False)


@pytest.fixture
def metric_queries(monkeypatch) -> list[str]:
    """The name of every metric query run from now on (the store's own bookkeeping, ``store/…``, left out)."""
    ran: list[str] = []
    real = queries.sql

    def counted(name: str) -> str:
        if not name.startswith("store/"):
            ran.append(name)
        return real(name)

    monkeypatch.setattr(queries, "sql", counted)
    return ran


@pytest.fixture
def editor_and_token():
    """An editor who saved the sample as a workspace and made a share link of its Baseline scenario."""
    editor = new_app().run()
    editor.switch_page("pages/workspace.py").run()
    editor.text_input(key=KEYS.workspace_name).input("Board review")
    editor.button(key=KEYS.save_workspace).click().run()
    editor.text_input(key=KEYS.link_label).input("CEO")
    editor.button(key=KEYS.create_link).click().run()
    assert not editor.exception
    return editor, editor.code[-1].value.split("?share=")[1]


def _viewer(token: str):
    app = new_app()
    app.query_params["share"] = token
    return app.run()


def _tour(viewer) -> dict[str, dict[str, str]]:
    """Every shared page in turn: what each shows as metrics."""
    seen = {}
    for page in SHARED_PAGES:
        viewer.switch_page(page).run()
        assert not viewer.exception and not viewer.error, page
        seen[page] = {m.label: m.value for m in viewer.metric}
    return seen


def test_a_second_viewer_of_a_link_is_served_the_figures_the_first_computed(editor_and_token, metric_queries):
    _, token = editor_and_token
    first = _viewer(token)
    first_saw = _tour(first)
    assert metric_queries and any(first_saw.values())  # the first viewer's tour queried the data
    computed = len(workspace_of(first).cache)
    metric_queries.clear()

    second = _viewer(token)
    assert _tour(second) == first_saw
    assert metric_queries == []  # not one metric query again: every figure came from the shared view
    mine, theirs = workspace_of(first), workspace_of(second)
    assert mine is not theirs and mine.cache is theirs.cache and mine.con is theirs.con
    assert len(theirs.cache) == computed


def test_a_viewers_widgets_stay_its_own(editor_and_token):
    _, token = editor_and_token
    first, second = _viewer(token), _viewer(token)
    opened_on = first.selectbox(key=KEYS.overview_month).index
    picked = 0 if opened_on else 1
    first.selectbox(key=KEYS.overview_month).select_index(picked).run()
    assert first.selectbox(key=KEYS.overview_month).index == picked and not first.exception
    second.run()
    assert second.selectbox(key=KEYS.overview_month).index == opened_on


def test_a_revoked_link_stops_every_viewer_of_the_shared_view(editor_and_token):
    editor, token = editor_and_token
    viewers = [_viewer(token), _viewer(token)]
    assert all(v.metric and not v.error for v in viewers)
    editor.selectbox(key=KEYS.revoke_pick).select_index(0)
    editor.button(key=KEYS.revoke_link).click().run()
    assert not editor.exception
    for viewer in viewers:
        viewer.run()  # each open session re-checks the token on its next run
        assert shown(viewer.error) == share.GENERIC_DENIAL and not viewer.metric


def test_a_viewer_leaving_leaves_the_shared_view_to_the_others(editor_and_token, metric_queries):
    _, token = editor_and_token
    leaving, staying = _viewer(token), _viewer(token)
    before = _tour(staying)
    ws = workspace_of(leaving)
    con, cache, folder = ws.con, ws.cache, ws.work_dir
    del ws, leaving
    gc.collect()  # Streamlit dropped the session: its folder goes, the shared cursor stays open
    assert not folder.exists()
    with cache.using():
        assert con.execute("SELECT count(*) FROM leads").fetchone() == (6000,)
    metric_queries.clear()
    assert _tour(staying) == before and metric_queries == []
    assert _tour(_viewer(token)) == before and metric_queries == []  # and a new viewer still gets it

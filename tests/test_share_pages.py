"""Save → share → open the link in a fresh session: the same numbers, read-only, nothing else reachable."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest
from apptest_support import capture_downloads, clicked, upload_on_data_page, workspace_of
from ingest_support import export_text
from streamlit.testing.v1 import AppTest
from share_support import app_at as _app
from share_support import create_link as _create_link
from share_support import metrics as _metrics
from share_support import saved_editor
from share_support import text as _text

from pages.common import access
from pages.common.state import ReadOnlyError
from pages.common.ui import KEYS, SHARED_SAMPLE_LINE
from sla_core.assumptions import Assumptions
from sla_core.store import share

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def store_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_STORE_PATH", str(tmp_path / "store.duckdb"))
    monkeypatch.delenv(access.EDITORS_ENV, raising=False)


@pytest.fixture
def editor():
    """An editing session with the sample loaded, a what-if quota, the workspace saved and on the Save & share page."""
    return saved_editor()


def test_share_link_opens_read_only_view_with_the_same_numbers(editor):
    token = _create_link(editor)
    editor.switch_page("pages/marketing.py").run()
    shown_to_editor = _metrics(editor)
    assert shown_to_editor

    viewer = _app(share=token).run()
    assert not viewer.exception
    assert ("Shared read-only view: workspace Board <b>review</b> · scenario Baseline (revision 1)"
            in _text(viewer.caption))
    ws = workspace_of(viewer)
    assert ws.read_only and ws.assumptions.quota == 120_000 and ws.dataset.rows_loaded == 6000
    viewer.switch_page("pages/marketing.py").run()
    assert not viewer.exception
    assert _metrics(viewer) == shown_to_editor


def test_shared_view_is_read_only_on_the_server(editor):
    viewer = _app(share=_create_link(editor)).run()
    ws = workspace_of(viewer)
    for action in (lambda: access.save_workspace(ws, "x"), lambda: access.delete_saved_workspace(ws, "x"),
                   lambda: access.save_scenario(ws, "x", "y"), lambda: ws.store_uploads({}),
                   lambda: access.create_share_link(ws, "w", "s", 1, "", None),
                   lambda: access.revoke_share_link(ws, "w", "h"), lambda: access.open_saved_workspace(ws, "w", "{}")):
        with pytest.raises(ReadOnlyError):
            action()
    for hidden in ("pages/workspace.py", "pages/data.py"):  # not in the shared navigation at all
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            viewer.switch_page(hidden)


PAGE_SCRIPTS = sorted((ROOT / "pages").glob("*.py"))


def test_every_page_script_run_on_its_own_with_a_share_link_shows_only_a_shared_page(editor):
    """Each page as Streamlit runs it without app.py (its pages-folder mode, or a page URL of a fresh server):
    an editing page stops with the generic refusal whatever the token; a shared page draws the read-only view."""
    token = _create_link(editor)
    assert {p.name for p in PAGE_SCRIPTS} >= set(access.SHARED_PAGE_FILES) | {"data.py", "workspace.py"}
    for script in PAGE_SCRIPTS:
        for given in (token, token[:-1] + ("A" if token[-1] != "A" else "B")):
            app = AppTest.from_file(str(script), default_timeout=120)
            app.query_params["share"] = given
            app.run()
            assert not app.exception, script.name
            editable = [w for w in (*app.file_uploader, *app.text_input, *app.button) if not w.disabled]
            assert not editable, script.name  # nothing to upload, name, save or delete
            if script.name not in access.SHARED_PAGE_FILES or given != token:
                assert _text(app.error) == share.GENERIC_DENIAL, script.name
                assert not app.title and not app.metric and not app.dataframe and not app.caption, script.name
                assert not app.get("download_button") and not app.get("data_editor"), script.name
            else:
                assert app.title and share.GENERIC_DENIAL not in _text(app.error), script.name
                assert workspace_of(app).read_only, script.name


@pytest.mark.parametrize("script", ["pages/data.py", "pages/workspace.py"])
def test_a_share_link_to_an_editing_page_as_a_fresh_servers_first_request_opens_the_shared_view(editor, script):
    """A page URL before app.py ever ran in the process: Streamlit's pages-folder mode, handed to app.py."""
    token = _create_link(editor)
    viewer = _app(share=token)
    viewer.switch_page(script).run()  # AppTest starts each run in a fresh pages-folder state, as a new server
    assert not viewer.exception
    assert [t.value for t in viewer.title] == ["Overview"]
    assert "Shared read-only view: workspace Board <b>review</b>" in _text(viewer.caption)
    assert not viewer.file_uploader and not viewer.text_input and not viewer.get("data_editor")
    assert "sample_leads.csv" not in _text(viewer.caption) + _text(viewer.markdown)


def test_the_app_and_the_guard_name_the_same_shared_pages():
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    shared = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == "SHARED_PAGES" for t in node.targets))
    scripts = [Path(call.args[0].value).name for call in shared.elts]
    assert sorted(scripts) == sorted(access.SHARED_PAGE_FILES)


@pytest.fixture
def downloads(monkeypatch) -> dict[str, object]:
    return capture_downloads(monkeypatch)


def test_every_download_of_the_shared_pages_gives_its_file(editor, downloads):
    token = _create_link(editor)
    viewer = _app(share=token).run()
    got: dict[str, dict[str, int]] = {}
    for script in ("pages/overview.py", "pages/marketing.py", "pages/sales.py", "pages/agreement.py"):
        downloads.clear()
        viewer.switch_page(script).run()
        opened = {"pages/marketing.py": (KEYS.exact_values_open, KEYS.tiers_open),  # built only while open
                  "pages/sales.py": (KEYS.breaches_open,)}
        if script in opened:
            for section in opened[script]:
                viewer.session_state[section] = True
            viewer.run()
        assert not viewer.exception and workspace_of(viewer).read_only
        buttons = viewer.get("download_button")
        assert buttons, script
        got[script] = {b.label: len(clicked(downloads[b.id])) for b in buttons}
        assert all(got[script].values()), (script, got[script])
    assert {"Download the whole list (CSV)", "Download the rep table (CSV)"} <= set(got["pages/sales.py"])
    assert "Download the monthly table (CSV)" in got["pages/marketing.py"]
    assert {"Download as Markdown", "Download health table (CSV)"} <= set(got["pages/agreement.py"]) | \
        set(got["pages/overview.py"])


def _links(app) -> dict:
    """The newest row of the Save & share page's links table, as read: plain names, times in words."""
    table = next(d.value for d in app.dataframe if "Revoked" in d.value.columns)
    assert list(table.columns) == ["Label", "Status", "Scenario", "Revision", "Data", "Opens on", "Created",
                                   "Expires", "Revoked"]
    assert not table.isna().any().any()  # a time a link has not got reads blank or "never", not None
    return table.iloc[0].to_dict()


def test_a_link_that_never_expires_says_never(editor):
    editor.selectbox(key=KEYS.link_expiry).set_value("Never")
    _create_link(editor)
    links = _links(editor)
    assert (links["Expires"], links["Revoked"], links["Data"], links["Opens on"]) == ("never", "", "latest",
                                                                                      "latest month")


def test_revoked_and_tampered_tokens_get_one_generic_message(editor):
    token = _create_link(editor)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "", "x" * 43, token + "x"):
        app = _app(share=bad).run()
        assert not app.exception
        assert _text(app.error) == share.GENERIC_DENIAL
        assert not app.metric
    viewer = _app(share=token).run()
    assert not viewer.error
    links = _links(editor)
    assert (links["Status"], links["Expires"].endswith(" UTC"), links["Revoked"]) == ("active", True, "")
    editor.selectbox(key=KEYS.revoke_pick).select_index(0)
    editor.button(key=KEYS.revoke_link).click().run()
    assert not editor.exception
    links = _links(editor)
    assert links["Status"] == "revoked" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", links["Revoked"])
    viewer.run()  # the open session re-checks its token on the next interaction
    assert _text(viewer.error) == share.GENERIC_DENIAL and not viewer.metric
    assert _text(_app(share=token).run().error) == share.GENERIC_DENIAL


def test_other_parameters_never_reach_another_scenario_or_workspace(editor):
    first_token = _create_link(editor, "baseline")
    workspace_of(editor).assumptions = Assumptions(quota=999_000)
    editor.text_input(key=KEYS.scenario_name).input("Stretch")
    editor.button(key=KEYS.save_scenario).click().run()
    assert not editor.exception
    viewer = _app(share=first_token, scenario="Stretch", workspace="anything", quota="1").run()
    assert not viewer.exception
    assert workspace_of(viewer).assumptions.quota == 120_000
    viewer.switch_page("pages/marketing.py").run()
    assert workspace_of(viewer).assumptions.quota == 120_000


def test_two_sessions_never_see_each_others_data(editor):
    """Another visitor uploads their own export: each session keeps its own leads, numbers, tables and files."""
    editor.switch_page("pages/overview.py").run()
    mine_before = _metrics(editor)
    other = _app().run()
    upload_on_data_page(other, "theirs.csv", export_text(700, seed=11).encode())
    other.switch_page("pages/overview.py").run()
    editor.run()
    assert not other.exception and not editor.exception
    mine, theirs = workspace_of(editor), workspace_of(other)
    assert (mine.dataset.rows_loaded, theirs.dataset.rows_loaded) == (6000, 700)
    assert mine.con.execute("SELECT count(*) FROM leads").fetchone() == (6000,)
    assert theirs.con.execute("SELECT count(*) FROM leads").fetchone() == (700,)
    assert _metrics(editor) == mine_before != _metrics(other)
    assert theirs.uploads.leads.path.is_relative_to(theirs.work_dir)
    assert not theirs.work_dir.is_relative_to(mine.work_dir) and not mine.work_dir.is_relative_to(theirs.work_dir)
    with pytest.raises(duckdb.PermissionException):  # my connection cannot read their upload
        mine.con.execute("SELECT count(*) FROM read_csv(?)", [str(theirs.uploads.leads.path)]).fetchall()
    mine.con.execute("CREATE TABLE only_mine AS SELECT 42 AS answer")
    assert not theirs.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'only_mine'").fetchone()[0]


def test_scenarios_compare_and_keep_revisions(editor):
    workspace_of(editor).assumptions = Assumptions(quota=240_000, close_rate=0.04)
    editor.text_input(key=KEYS.scenario_name).input("Double")
    editor.button(key=KEYS.save_scenario).click().run()
    assert not editor.exception
    compared = next(d.value for d in editor.dataframe if "measure" in d.value.columns)
    leads = compared.set_index("measure").loc["leads_needed"]
    # 120,000 × 0.7 / 15,000 → 6 customers / 0.04 = 150 leads; 240,000 → 12 customers → 300 leads
    assert list(leads) == [150, 300, 150]
    workspace_of(editor).assumptions = Assumptions(quota=360_000, close_rate=0.04)
    editor.selectbox(key=KEYS.revise_pick).select_index(1)
    editor.button(key=KEYS.revise_scenario).click().run()
    assert not editor.exception
    history = next(d.value for d in editor.dataframe if "revision" in d.value.columns and "quota" in d.value.columns)
    assert list(history["quota"]) == [240_000, 360_000] and list(history["revision"]) == [1, 2]


def test_overview_shows_the_same_headline_numbers_to_leadership(editor):
    token = _create_link(editor)
    editor.switch_page("pages/overview.py").run()
    assert not editor.exception
    mine = _metrics(editor)
    assert set(mine) == {"Marketing leads", "Speed: within 1 h", "Depth: 6+ attempts"}
    assert "the agreement is up for review" in _text(editor.warning)  # the sample's sales side misses every month
    viewer = _app(share=token).run()  # the leadership view opens on the overview, on the month shown first
    assert not viewer.exception
    assert _metrics(viewer) == mine
    assert viewer.selectbox[0].format_func(viewer.selectbox[0].value) == "January 2025 (in progress)"
    badges = [re.findall(r":\w+-badge\[[^\]]*\]", m.value) for m in viewer.markdown if "-badge[" in m.value]
    # 150 leads a month: 101 by 14 January is on track (67.7 due by then); speed and depth behind so far
    assert badges[:5] == [[":blue-badge[in progress]"], [":blue-badge[on track]"], [":blue-badge[in progress]"],
                          [":blue-badge[behind]"], [":blue-badge[behind]"]]
    assert badges[:5] == [re.findall(r":\w+-badge\[[^\]]*\]", m.value) for m in editor.markdown
                          if "-badge[" in m.value][:5]


def test_agreement_text_is_written_by_the_editor_and_shared_read_only():
    app = _app().run()
    app.switch_page("pages/agreement.py").run()
    assert not app.exception
    assert [s.value for s in app.subheader] == ["Summary", "Goals", "Requirements", "Points of contact",
                                                "Plan when goals are missed", "Cancellation conditions"]
    app.text_area(key=KEYS.agreement("marketing_contact")).input("Ana <b>Ruiz</b>, CMO").run()
    app.text_area(key=KEYS.agreement("sales_plan")).input("Daily stand-up until back on track").run()
    assert not app.exception
    ws = workspace_of(app)
    assert ws.agreement_text.marketing_contact == "Ana <b>Ruiz</b>, CMO"
    app.switch_page("pages/workspace.py").run()
    app.text_input(key=KEYS.workspace_name).input("With agreement")
    app.button(key=KEYS.save_workspace).click().run()
    token = _create_link(app)
    viewer = _app(share=token).run()
    viewer.switch_page("pages/agreement.py").run()
    assert not viewer.exception
    assert not viewer.text_area  # read-only: the agreement as text, nothing to type into
    assert "Ana <b>Ruiz</b>, CMO" in _text(viewer.markdown)
    assert "Daily stand-up until back on track" in _text(viewer.markdown)
    assert "Read-only shared view" in _text(viewer.info)
    assert "Not filled in yet." in _text(viewer.markdown)  # the sales contact nobody wrote: no form hint
    assert "(name, role, email)" not in _text(viewer.markdown)
    for script in ("pages/overview.py", "pages/marketing.py", "pages/sales.py", "pages/agreement.py"):
        viewer.switch_page(script).run()  # the shared sample says so, and sends nobody to a Data page it lacks
        assert SHARED_SAMPLE_LINE in _text(viewer.info) and "Data page" not in _text(viewer.info), script

"""Share links and the store around them: who may edit, the hosting defaults, another editor opening a saved
workspace, and a damaged or unreachable store explained to the editor and to the viewer."""
from __future__ import annotations

from pathlib import Path

import pytest
from apptest_support import workspace_of
from share_support import app_at as _app
from share_support import create_link as _create_link
from share_support import metrics as _metrics
from share_support import saved_editor
from share_support import text as _text

from pages.common import access
from pages.common.ui import KEYS
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


def test_editor_allow_list_when_sign_in_is_configured(editor, monkeypatch):
    token = _create_link(editor)
    monkeypatch.setenv(access.EDITORS_ENV, "boss@example.com, Ed@Example.com")
    visitor = _app()
    visitor.user = {"is_logged_in": False}
    visitor.run()
    assert not visitor.exception
    assert [b.label for b in visitor.button] == ["Sign in"] and not visitor.metric and not visitor.title
    stranger = _app()
    stranger.user = {"is_logged_in": True, "email": "someone@example.com"}
    stranger.run()
    assert "not on this dashboard's list of editors" in _text(stranger.error) and not stranger.title
    allowed = _app()
    allowed.user = {"is_logged_in": True, "email": "ed@example.com"}
    allowed.run()
    assert not allowed.exception and [t.value for t in allowed.title] == ["Marketing SLA"]
    viewer = _app(share=token)  # leadership links open without signing in
    viewer.user = {"is_logged_in": False}
    viewer.run()
    assert not viewer.exception and [t.value for t in viewer.title] == ["Overview"]


def test_without_an_allow_list_everyone_edits(monkeypatch):
    monkeypatch.delenv(access.EDITORS_ENV, raising=False)
    assert access.editor_emails() == frozenset()
    app = _app().run()
    assert not app.exception and [t.value for t in app.title] == ["Marketing SLA"]


def test_hosting_config_keeps_the_safe_defaults():
    import subprocess
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True and config["server"]["enableCORS"] is True
    assert config["server"]["maxUploadSize"] == 1024
    assert config["client"]["showErrorDetails"] is False
    ignored = subprocess.run(["git", "check-ignore", "data/store.duckdb", "data/store.duckdb.wal",
                              ".streamlit/secrets.toml"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ignored == ["data/store.duckdb", "data/store.duckdb.wal", ".streamlit/secrets.toml"]


def test_another_editor_opens_the_saved_workspace_with_its_assumptions(editor):
    other = _app().run()
    other.switch_page("pages/workspace.py").run()
    assert not other.exception
    other.button(key=KEYS.open_workspace).click().run()
    assert not other.exception and "Opened" in _text(other.success)
    ws = workspace_of(other)
    assert ws.assumptions.quota == 120_000 and ws.dataset.rows_loaded == 6000 and not ws.read_only
    assert ws.con.execute("SELECT count(*) FROM leads").fetchone()[0] == 6000
    other.switch_page("pages/overview.py").run()
    editor.switch_page("pages/overview.py").run()
    assert _metrics(other) == _metrics(editor)


def test_a_damaged_store_is_explained_to_the_editor_and_to_the_viewer(editor, tmp_path):
    token = _create_link(editor)
    path = tmp_path / "store.duckdb"
    editor.session_state[access.STORE_CURSOR][1].close()  # as after a restart: nothing holds the file open,
    access.open_store(str(path.resolve())).close()  # and the next visit opens it again
    access.open_store.clear()
    damaged = bytearray(path.read_bytes())
    damaged[4096:4296] = b"\x00" * 200
    path.write_bytes(bytes(damaged))

    page = _app()
    page.switch_page("pages/workspace.py").run()
    assert not page.exception
    assert "The saved workspaces cannot be opened: the store file" in _text(page.error)
    assert "restore the file from a backup" in _text(page.error)

    viewer = _app(share=token).run()
    assert not viewer.exception
    assert _text(viewer.error) == ("This shared view cannot be shown right now: the saved workspaces are "
                                   "unavailable. Ask the person who shared the link.")
    assert not viewer.metric


@pytest.mark.parametrize("where", ["below a file", "under /proc"])
def test_a_store_folder_that_cannot_be_made_is_explained_to_the_editor_and_to_the_viewer(tmp_path, monkeypatch,
                                                                                         where):
    (tmp_path / "plain").write_text("a file where the store's folder should be")
    folder = tmp_path / "plain" / "sla" if where == "below a file" else Path("/proc/sla-dashboard-test")
    monkeypatch.setenv("SLA_STORE_PATH", str(folder / "store.duckdb"))
    page = _app()
    page.switch_page("pages/workspace.py").run()
    assert not page.exception
    assert _text(page.error).startswith("The saved workspaces cannot be opened: the folder of the store file ")
    assert "set SLA_STORE_PATH to a path on a writable disk" in _text(page.error)
    page.switch_page("pages/marketing.py").run()  # the other pages do without the store
    assert not page.exception and not page.error and page.metric

    viewer = _app(share=share.new_token()).run()
    assert not viewer.exception
    assert _text(viewer.error) == ("This shared view cannot be shown right now: the saved workspaces are "
                                   "unavailable. Ask the person who shared the link.")
    assert not viewer.metric and not viewer.title


def test_a_log_set_aside_at_start_up_is_shown_on_save_and_share(editor, tmp_path):
    (tmp_path / "store.duckdb.wal.damaged-20261123T101500000000Z").write_bytes(b"\xff" * 64)
    editor.run()
    assert "store.duckdb.wal.damaged-20261123T101500000000Z" in _text(editor.warning)
    assert "may be missing" in _text(editor.warning)

"""Refresh data on the Save & share page, and what leadership's links show afterwards (AppTest)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from apptest_support import new_app, shown, upload_on_data_page, workspace_of
from streamlit.testing.v1 import AppTest

from pages.common import access
from pages.common.ui import KEYS
from sla_core.store import versions, workspaces
from tests.refresh_support import monthly_exports

MAY, JUNE = 5, 6


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[int, Path]:
    return dict(enumerate(monthly_exports(3000, tmp_path_factory.mktemp("exports"), months=range(5, 8)), start=5))


@pytest.fixture(autouse=True)
def store_path(tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("SLA_STORE_PATH", str(path))
    monkeypatch.delenv(access.EDITORS_ENV, raising=False)
    return path


@pytest.fixture
def editor(exports) -> AppTest:
    """May's export uploaded and saved as "Monthly <b>SLA</b>", on the Save & share page."""
    app = new_app().run()
    upload_on_data_page(app, exports[MAY].name, exports[MAY].read_bytes())
    app.run()
    app.switch_page("pages/workspace.py").run()
    app.text_input(key=KEYS.workspace_name).input("Monthly <b>SLA</b>")
    app.button(key=KEYS.save_workspace).click().run()
    assert not app.exception and "Saved “Monthly <b>SLA</b>”" in shown(app.success)
    return app


def _link(app: AppTest, data_version: int | None = None, month: date | None = None) -> str:
    app.selectbox(key=KEYS.link_data_version).set_value(data_version)
    app.selectbox(key=KEYS.link_month).set_value(month)
    app.button(key=KEYS.create_link).click().run()
    assert not app.exception
    return app.code[-1].value.split("?share=")[1]


def _refresh(app: AppTest, name: str, data: bytes, round_: int = 0) -> None:
    app.file_uploader(key=KEYS.refresh_upload("leads", round_)).upload(name, data, "text/csv")
    app.button(key=KEYS.refresh_data).click().run()
    assert not app.exception


def _viewer(token: str) -> AppTest:
    app = new_app()
    app.query_params["share"] = token
    app.run()
    assert not app.exception
    return app


def _month_shown(view: AppTest) -> date:
    """The month the shared Overview opens on (its month picker)."""
    return view.selectbox(key=KEYS.overview_month).value


def _rows(path: Path) -> int:
    return sum(1 for _ in path.open(encoding="utf-8")) - 1


def _versions(store_path: Path) -> list[int]:
    """The stored versions, read through the app's own store connection (one per file in a process)."""
    cur = access.open_store(str(store_path.resolve())).cursor()
    try:
        (wid,) = workspaces.list_workspaces(cur)["workspace_id"]
        return [v.version for v in versions.versions(cur, wid)]
    finally:
        cur.close()


def test_a_refresh_moves_latest_links_to_the_new_month_and_leaves_pinned_ones(editor, exports):
    latest = _link(editor)
    pinned = _link(editor, data_version=1, month=date(2024, 4, 1))
    before = _viewer(latest)
    assert "Data version 1, loaded" in shown(before.caption) and _month_shown(before) == date(2024, 5, 1)

    _refresh(editor, exports[JUNE].name, exports[JUNE].read_bytes())
    june = _rows(exports[JUNE])
    assert f"Refreshed to data version 2: {june:,} leads" in shown(editor.success)
    assert list(editor.dataframe[0].value["version"]) == [2, 1]  # the versions list, newest first
    assert workspace_of(editor).dataset.rows_loaded == june  # the session that saved it moved on too

    before.run()  # the open view moves on its next rerun (AppTest reruns only the page, not app.py's caption)
    assert before.session_state[access.SHARED_VERSION][0] == 2 and _month_shown(before) == date(2024, 6, 1)
    fresh = _viewer(latest)
    assert "Data version 2, loaded" in shown(fresh.caption) and "follows the latest data" in shown(fresh.caption)
    for view in (before, fresh):
        assert _month_shown(view) == date(2024, 6, 1) and workspace_of(view).dataset.rows_loaded == june
    stays = _viewer(pinned)
    assert "Data version 1, loaded" in shown(stays.caption) and "stays on this version" in shown(stays.caption)
    assert workspace_of(stays).dataset.rows_loaded == _rows(exports[MAY])
    assert stays.session_state[KEYS.goal_month] == stays.session_state[KEYS.sales_month] == date(2024, 4, 1)
    assert workspace_of(stays).assumptions == workspace_of(_viewer(latest)).assumptions  # the scenario is the same


def test_a_changed_header_is_shown_and_nothing_is_stored_until_it_is_mapped(editor, exports, store_path):
    header, rest = exports[JUNE].read_text(encoding="utf-8").split("\n", 1)
    renamed = header.replace('"Create Date"', '"Created on"') + "\n" + rest
    _refresh(editor, "june [renamed].csv", renamed.encode())
    assert "The columns of june [renamed].csv differ from those version 1 was read from" in shown(editor.warning)
    difference = editor.dataframe[0].value
    assert difference.to_dict("records") == [
        {"column": "Create Date", "change": "removed", "the workspace read": "Created"},
        {"column": "Created on", "change": "added", "the workspace read": ""}]
    proposed = editor.dataframe[1].value.set_index("field")["column"]
    assert proposed["created_at"] == "" and proposed["lead_id"] == "Record ID"

    editor.button(key=KEYS.refresh_confirm).click().run()
    assert "no column for Created" in shown(editor.error) and _versions(store_path) == [1]
    editor.button(key=KEYS.refresh_cancel).click().run()
    assert not editor.button(key=KEYS.refresh_data).disabled and _versions(store_path) == [1]
    assert not editor.warning


def test_restore_and_retention_on_the_page(editor, exports, store_path):
    _refresh(editor, exports[JUNE].name, exports[JUNE].read_bytes())
    editor.selectbox(key=KEYS.restore_pick).set_value(1)
    editor.button(key=KEYS.restore_version).click().run()
    assert "Version 1 restored as version 3." in shown(editor.success)
    assert workspace_of(editor).dataset.rows_loaded == _rows(exports[MAY])
    wid = editor.session_state[KEYS.saved_pick]
    editor.number_input(key=KEYS.keep_versions(wid)).set_value(2)
    editor.button(key=KEYS.save_keep_versions).click().run()
    assert "keeps its last 2 data versions" in shown(editor.success) and _versions(store_path) == [3, 2]

"""The very first request of a fresh server: a share link shows only the shared read-only pages, whatever the URL;
a copied deep link opens its page inside the app's navigation.

Until ``app.py`` has run once in a process, Streamlit runs a page URL in its pages-folder mode
(every ``pages/*.py`` listed in the sidebar, the page run without the app's navigation). Each
test here starts its own server so that its first request is the share link.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from live_server import live_server
from playwright.sync_api import expect

from sla_core.db import open_session_db
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping
from sla_core.store import file as store_file
from sla_core.store import share, workspaces

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_leads.csv"
SHARED_FILE = "board_export.csv"
TIMEOUT = 60_000
EDITING_ONLY = ("Upload exports", "Column mapping", "Preview", "Data quality", "Save this workspace",
                "Save workspace", "Create a share link", "Saved workspaces", "sample_leads.csv")


def _saved_store_with_link(folder: Path) -> tuple[Path, str]:
    """A store holding the sample, uploaded as ``SHARED_FILE``, as a saved workspace, and a valid share link to its
    baseline (the new session's own sample, ``sample_leads.csv``, must never reach the viewer)."""
    path = folder / "store.duckdb"
    export = folder / "exports" / SHARED_FILE
    export.parent.mkdir()
    shutil.copyfile(SAMPLE, export)
    con = open_session_db(folder / "session", readable=(export.parent,))
    dataset = ingest.load(con, ingest.UploadSet(leads=ingest.Upload(export.name, export)), Mapping(),
                          ingest.ReadOptions(), folder / "session" / "work")
    db = store_file.open_store(path)
    try:
        cur = db.cursor()
        wid, sid = workspaces.save_workspace(cur, con, "Board plan", dataset, Mapping().to_json(), "{}")
        token = share.create_link(cur, wid, sid, 1, "CEO")
    finally:
        db.close()
        con.close()
    return path, token


@pytest.fixture
def fresh_server(tmp_path):
    """A new ``streamlit run app.py`` no request has reached yet, on a store with one share link."""
    store, token = _saved_store_with_link(tmp_path)
    with live_server({"SLA_STORE_PATH": str(store)}) as url:
        yield url, token


@pytest.mark.parametrize("path", ["data", "workspace"])
def test_a_share_link_to_an_editing_page_on_a_fresh_server_shows_only_the_shared_view(fresh_server, page, path,
                                                                                       artifacts):
    url, token = fresh_server
    page.goto(f"{url}/{path}?share={token}")
    expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT)  # the run has finished drawing
    page.screenshot(path=str(artifacts / f"share_guard_{path}.png"), full_page=True)
    shown = page.locator("body").inner_text()
    for text in EDITING_ONLY:
        assert text not in shown, f"{text!r} reached a share viewer on /{path}"
    expect(page.get_by_text("Shared read-only view: workspace Board plan")).to_be_visible()
    assert f"Data: {SHARED_FILE}" in shown  # the data line names the shared data, not the session's sample
    expect(page.locator("input[type=file]")).to_have_count(0)
    listed = [" ".join(t.split()[1:]).lower()
              for t in page.get_by_test_id("stSidebarNavItems").locator("a").all_inner_texts()]  # after the icon
    assert listed == ["overview", "marketing sla", "sales sla", "agreement"], listed
    assert "share=" + token in page.url  # the link still reloads the shared view


def test_a_page_script_reached_directly_with_a_share_token_is_refused_in_the_browser(fresh_server, page):
    """The guard's own refusal, not only the app's navigation: a bad token on an editing page says nothing more."""
    url, token = fresh_server
    page.goto(f"{url}/data?share={token[:-1]}{'A' if token[-1] != 'A' else 'B'}")
    expect(page.get_by_text(share.GENERIC_DENIAL)).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT)
    shown = page.locator("body").inner_text()
    assert not any(text in shown for text in EDITING_ONLY)
    listed = " ".join(page.get_by_test_id("stSidebarNav").all_inner_texts()).lower()
    assert not any(name in listed for name in ("session", "workspace", "data", "save & share"))


def test_a_deep_link_as_the_first_request_of_a_fresh_server_opens_its_page_in_the_app(fresh_server, page, artifacts):
    """A copied Sales link opened right after a restart: the Sales page on the link's month, the sidebar naming the
    app's pages (not the file names of ``pages/``)."""
    url, _ = fresh_server
    page.goto(f"{url}/sales?month=2024-06")
    expect(page.get_by_role("heading", name="Sales SLA", level=1)).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT)
    page.screenshot(path=str(artifacts / "deep_link_fresh_server.png"), full_page=True)
    listed = [" ".join(t.split()[1:]).lower()
              for t in page.get_by_test_id("stSidebarNavItems").locator("a").all_inner_texts()]  # after the icon
    assert listed == ["marketing sla", "sales sla", "data", "save & share", "overview", "agreement"], listed
    assert "month=2024-06" in page.url
    expect(page.get_by_text("Jun 2024").first).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)  # the hand-over finds the page it was asked for

"""Drafts: a tab's upload and settings kept on the server, named by an unguessable token, back after a reload.

The core (sla_core/store/drafts.py) on its own, then the pages through AppTest: a new session with the
draft's id sees the same data and settings; a wrong or expired id gets the sample and one generic notice.
"""
from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from apptest_support import metric, new_app, shown, upload_on_data_page, workspace_of
from ingest_support import export_text

from pages.common import access, sections
from sla_core.store import drafts

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
LEADS = [
    {"lead_id": "A", "created_at": "2024-03-01T09:00:00Z", "source": "Web", "deal_amount": 120.5,
     "customer_at": "2024-04-01T00:00:00Z"},
    {"lead_id": "B", "created_at": "2024-03-02T09:00:00Z", "source": "Outbound", "origin": "sales", "attempts": 3},
]
STATE = {"dataset": "{}", "settings": '{"sales_clock": "business"}'}


@pytest.fixture
def config(tmp_path) -> drafts.DraftConfig:
    return drafts.DraftConfig(tmp_path / "drafts", timedelta(days=7))


def rows(con) -> list[tuple]:
    return con.execute("SELECT * FROM leads ORDER BY lead_id").fetchall()


# --- the core ------------------------------------------------------------------------------------------

def test_a_draft_keeps_the_rows_and_state_under_the_tokens_hash_only(config, make_leads, tmp_path):
    con = make_leads(LEADS)
    token = drafts.new_token()
    assert len(token) == 43  # 256 random bits, base64url
    expires = drafts.save(config, token, STATE, con, now=T0)
    assert expires == T0 + timedelta(days=7)
    folders = list(config.folder.iterdir())
    assert [f.name for f in folders] == [hashlib.sha256(token.encode()).hexdigest()]  # the token is nowhere on disk
    assert not any(token in p.read_bytes().decode("latin-1") for p in folders[0].iterdir())
    assert folders[0].stat().st_mode & 0o077 == 0

    draft = drafts.open_draft(config, token, now=T0 + timedelta(days=6))
    assert draft.state == STATE and draft.expires_at == expires
    other = make_leads([])  # a fresh session's connection is another database: restore into one
    other.execute("DROP TABLE leads")
    drafts.restore_leads(draft, other)
    assert rows(other) == rows(con)


def test_saving_again_keeps_the_rows_unless_given_and_moves_the_expiry(config, make_leads):
    con = make_leads(LEADS)
    token = drafts.new_token()
    drafts.save(config, token, STATE, con, now=T0)
    first = drafts.open_draft(config, token, now=T0).leads
    later = drafts.save(config, token, {"settings": "{}"}, None, now=T0 + timedelta(days=5))
    kept = drafts.open_draft(config, token, now=T0 + timedelta(days=11))  # past the first expiry
    assert kept.leads == first and kept.state == {"settings": "{}"} and kept.expires_at == later
    con.execute("DELETE FROM leads WHERE lead_id = 'B'")
    drafts.save(config, token, STATE, con, now=T0)
    replaced = drafts.open_draft(config, token, now=T0)
    assert replaced.leads != first and not first.exists()  # one set of rows per draft
    assert {p.name for p in replaced.leads.parent.iterdir()} == {"draft.json", replaced.leads.name}


@pytest.mark.parametrize("token", [None, "", "short", "x" * 43 + "/", "../" + "a" * 40, "a" * 43, 42])
def test_a_bad_or_unknown_token_is_refused_with_one_message(config, token):
    with pytest.raises(drafts.DraftDenied) as denied:
        drafts.open_draft(config, token)
    assert str(denied.value) == "This draft is not available."


def test_an_expired_draft_is_refused_and_removed(config, make_leads):
    token = drafts.new_token()
    drafts.save(config, token, STATE, make_leads(LEADS), now=T0)
    with pytest.raises(drafts.DraftDenied):
        drafts.open_draft(config, token, now=T0 + timedelta(days=7))
    assert list(config.folder.iterdir()) == []


def test_an_unreadable_or_another_owners_draft_is_refused_the_same_way(config, make_leads):
    token = drafts.new_token()
    drafts.save(config, token, STATE, make_leads(LEADS), owner="ana@example.com", now=T0)
    with pytest.raises(drafts.DraftDenied):
        drafts.open_draft(config, token, owner="bo@example.com", now=T0)
    with pytest.raises(drafts.DraftDenied):
        drafts.open_draft(config, token, now=T0)  # signed out
    assert drafts.open_draft(config, token, owner="Ana@Example.com ", now=T0).state == STATE
    index = next(config.folder.iterdir()) / "draft.json"
    index.write_text("{not json")
    with pytest.raises(drafts.DraftDenied):
        drafts.open_draft(config, token, owner="ana@example.com", now=T0)


def test_purge_removes_expired_drafts_only(config, make_leads):
    con = make_leads(LEADS)
    old, fresh = drafts.new_token(), drafts.new_token()
    drafts.save(config, old, STATE, con, now=T0 - timedelta(days=8))
    drafts.save(config, fresh, STATE, con, now=T0)
    stray = config.folder / "not-a-draft"
    stray.mkdir()
    assert drafts.purge(config, now=T0) == 1
    assert drafts.open_draft(config, fresh, now=T0).state == STATE
    assert stray.exists()  # only folders named like a token's hash are drafts


def test_where_drafts_live_and_for_how_long(monkeypatch, tmp_path):
    for name in (drafts.DIR_ENV, drafts.DAYS_ENV, "SLA_STORE_PATH"):
        monkeypatch.delenv(name, raising=False)
    default = drafts.DraftConfig.from_env()
    repo = Path(__file__).resolve().parents[1]
    assert repo not in default.folder.resolve().parents and default.lifetime == timedelta(days=7)
    monkeypatch.setenv("SLA_STORE_PATH", str(tmp_path / "store" / "store.duckdb"))
    assert drafts.DraftConfig.from_env().folder == tmp_path / "store" / "drafts"
    monkeypatch.setenv(drafts.DIR_ENV, str(tmp_path / "d"))
    monkeypatch.setenv(drafts.DAYS_ENV, "0.5")
    assert drafts.DraftConfig.from_env() == drafts.DraftConfig(tmp_path / "d", timedelta(hours=12))
    monkeypatch.setenv(drafts.DAYS_ENV, "a week")
    with pytest.raises(ValueError, match="SLA_DRAFT_DAYS"):
        drafts.DraftConfig.from_env()
    with pytest.raises(ValueError):
        drafts.DraftConfig(tmp_path, timedelta(0))


# --- the pages -----------------------------------------------------------------------------------------

@pytest.fixture
def draft_dir(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv(drafts.DIR_ENV, str(tmp_path / "drafts"))
    return tmp_path / "drafts"


def reload(token: str | None, page: str = "pages/data.py"):
    """What F5 does: a new session opening the same address."""
    app = new_app()
    if token is not None:
        app.query_params[access.DRAFT_PARAM] = token
    app.run()
    app.switch_page(page).run()
    assert not app.exception
    return app


def test_a_reload_gets_the_upload_and_the_settings_back(draft_dir):
    app = new_app()
    app.run()
    assert access.DRAFT_PARAM not in app.query_params  # the sample needs no draft
    upload_on_data_page(app, "hubspot.csv", export_text(634, seed=8).encode())
    assert metric(app, "Leads loaded") == "634"
    app.switch_page("pages/sales.py").run()
    app.radio(key="sales_clock").set_value("business").run()
    assert not app.exception
    token = app.query_params[access.DRAFT_PARAM]
    before = workspace_of(app)
    figures = before.con.execute("SELECT count(*), sum(deal_amount), min(created_at), max(customer_at) "
                                 "FROM leads").fetchall()

    again = reload(token)
    ws = workspace_of(again)
    assert metric(again, "Leads loaded") == "634"
    assert ws.con.execute("SELECT count(*), sum(deal_amount), min(created_at), max(customer_at) "
                          "FROM leads").fetchall() == figures
    assert ws.sales_clock == "business" and ws.assumptions == before.assumptions
    assert ws.dataset.files == {"leads": "hubspot.csv"} and ws.mapping == before.mapping
    assert "Data: hubspot.csv" in shown(again.caption) and "Sample data" not in shown(again.info)
    assert again.query_params[access.DRAFT_PARAM] == token  # still reloadable
    assert "upload them again to change the mapping" in shown(again.caption)


@pytest.mark.parametrize("token", ["not-a-token", "A" * 43])
def test_a_wrong_id_gets_the_sample_and_one_generic_notice(draft_dir, token):
    app = reload(token)
    assert metric(app, "Leads loaded") == "6,000"
    assert access.DRAFT_LOST in shown(app.warning)
    assert access.DRAFT_PARAM not in app.query_params


def test_an_expired_id_is_refused_the_same_way(draft_dir, monkeypatch):
    monkeypatch.setenv(drafts.DAYS_ENV, str(2 / 86400))  # two seconds
    app = new_app()
    app.run()
    upload_on_data_page(app, "hubspot.csv", export_text(50, seed=8).encode())
    token = app.query_params[access.DRAFT_PARAM]
    time.sleep(2.5)
    again = reload(token)
    assert metric(again, "Leads loaded") == "6,000"
    assert access.DRAFT_LOST in shown(again.warning)
    assert list(draft_dir.iterdir()) == []  # removed once expired


def test_an_unreadable_draft_falls_back_to_the_sample(draft_dir):
    app = new_app()
    app.run()
    upload_on_data_page(app, "hubspot.csv", export_text(50, seed=8).encode())
    token = app.query_params[access.DRAFT_PARAM]
    folder = next(draft_dir.iterdir())
    index = json.loads((folder / "draft.json").read_text())
    (folder / index["leads"]).write_bytes(b"PAR1 not parquet")
    again = reload(token)
    assert metric(again, "Leads loaded") == "6,000"
    assert access.DRAFT_LOST in shown(again.warning)


def test_the_drafts_link_parameter_is_no_unknown_parameter_on_any_page(draft_dir):
    app = new_app()
    app.run()
    upload_on_data_page(app, "hubspot.csv", export_text(300, seed=3).encode())
    assert access.DRAFT_PARAM in app.query_params
    for page in ("pages/marketing.py", "pages/sales.py", "pages/overview.py", "pages/agreement.py"):
        app.switch_page(page).run()
        assert not app.exception
        assert "unknown link parameter" not in shown(app.warning), page


def test_a_section_stopped_in_its_own_rerun_still_saves_and_leaves_the_next_one_checking(monkeypatch):
    """A section's own rerun can be stopped mid-way (a page link clicked while it runs): it still saves the draft,
    and the next section's own rerun still checks the share link and saves (nothing of the stopped one lingers)."""
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    done: list[str] = []
    monkeypatch.setattr(sections, "_in_fragment_run", lambda: True)
    monkeypatch.setattr(sections, "share_token", lambda: "token")
    monkeypatch.setattr(sections, "_recheck_share_link", lambda: done.append("checked"))
    monkeypatch.setattr(sections, "keep_draft", lambda: done.append("saved"))

    def stopped() -> None:
        raise StopException()

    def outer() -> None:
        sections.run_section(lambda: done.append("drawn"))  # a section within: its check and save are the outer one's

    with pytest.raises(StopException):
        sections.run_section(stopped)
    assert done == ["checked", "saved"]
    done.clear()
    sections.run_section(outer)
    assert done == ["checked", "drawn", "saved"]

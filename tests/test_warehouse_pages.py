"""Warehouse mode in the app: the Data page connects a Spark source instead of an upload, every page then shows the
figures Spark computed (the same as the upload's), a saved workspace keeps the source and mapping but no rows, and
its share link computes on the engine. Bad input gets one clear line and leaves the data loaded before.

The source is a Parquet copy of the bundled sample carrying its own export headers, so the pages' figures on
Spark must equal those a new session shows on the sample in DuckDB."""
from __future__ import annotations

import json

import pytest
from apptest_support import new_app, workspace_of
from share_support import app_at, create_link, metrics, text
from spark_support import SPARK_URL, parquet_of

from pages.common import access
from pages.common.state import SAMPLE_LEADS
from pages.common.ui import KEYS
from pages.sections import warehouse

pytestmark = pytest.mark.spark
PAGES = ("pages/overview.py", "pages/marketing.py", "pages/sales.py", "pages/agreement.py")


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    """The sample as a warehouse file (its own headers, what DuckDB loaded)."""
    return parquet_of(SAMPLE_LEADS, tmp_path_factory.mktemp("warehouse"))


@pytest.fixture(autouse=True)
def settings(tmp_path, monkeypatch, parquet):
    monkeypatch.setenv("SLA_STORE_PATH", str(tmp_path / "store.duckdb"))
    monkeypatch.setenv(warehouse.PATHS_ENV, str(parquet.parent))
    monkeypatch.setenv(warehouse.SPARK_URL_ENV, SPARK_URL)
    monkeypatch.delenv(access.EDITORS_ENV, raising=False)


def connect(app, leads: str, url: str | None = None, tz: str = "UTC", mapping: bytes | None = None,
            activities: str | None = None):
    app.switch_page("pages/data.py").run()
    if activities is not None:
        app.text_input(key=KEYS.warehouse_activities).input(activities)
    if mapping is not None:
        app.file_uploader(key=KEYS.warehouse_mapping).upload("mapping.json", mapping, "application/json")
    if url is not None:
        app.selectbox(key=KEYS.spark_url).select(url)
    app.text_input(key=KEYS.warehouse_leads).input(leads)
    app.selectbox(key=KEYS.warehouse_tz).select(tz)
    app.button(key=KEYS.warehouse_connect).click().run()
    assert not app.exception
    return app


def page_figures(app) -> dict[str, dict[str, str]]:
    """Every shared page's metrics as drawn (label → value)."""
    shown = {}
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, page
        shown[page] = metrics(app)
    return shown


def test_a_connected_parquet_source_shows_the_uploads_figures_on_every_page(parquet):
    on_duckdb = page_figures(new_app().run())
    app = connect(new_app().run(), str(parquet))
    assert "Connected: 6,000 leads in" in text(app.success)
    ws = workspace_of(app)
    assert ws.engine is not None and ws.dataset.warehouse == {"url": SPARK_URL, "leads": str(parquet)}
    assert ws.mapping.columns["lead_id"] == "Record ID"  # auto-mapped from the headers, spelled out
    on_spark = page_figures(app)
    assert on_spark == on_duckdb
    assert on_spark["pages/sales.py"]["Within the speed goal"] == "22.2 %"  # the sample's January, hand-checked


def test_a_mapping_that_does_not_fit_the_table_is_refused_and_the_sample_stays(parquet, tmp_path):
    bad = json.dumps({"columns": {"lead_id": "Contact Key"}}).encode()
    app = connect(new_app().run(), str(parquet), mapping=bad)
    shown = text(app.error)
    assert "Could not connect:" in shown and "previous data is still loaded" in shown
    assert "the mapping reads Lead ID from column 'Contact Key', which is not in the file" in shown  # as an upload
    assert workspace_of(app).engine is None and workspace_of(app).dataset.rows_loaded == 6000


def test_a_mapping_file_that_is_not_json_names_its_line_and_column(parquet):
    app = connect(new_app().run(), str(parquet), mapping=b'{"columns": {\n  "lead_id" ')
    assert "mapping.json: line 2, column" in text(app.error)


def test_only_the_operators_spark_urls_are_offered(monkeypatch):
    monkeypatch.setenv(warehouse.SPARK_URL_ENV, f"{SPARK_URL}, sc://spark.example:15002")
    app = new_app().run()
    app.switch_page("pages/data.py").run()
    assert app.selectbox(key=KEYS.spark_url).options == [SPARK_URL, "sc://spark.example:15002"]


def test_an_unreachable_spark_url_gets_one_clear_line(parquet, monkeypatch):
    monkeypatch.setenv(warehouse.SPARK_URL_ENV, f"{SPARK_URL},sc://127.0.0.1:9")
    app = connect(new_app().run(), str(parquet), url="sc://127.0.0.1:9")
    assert "Could not connect: cannot reach Spark at sc://127.0.0.1:9" in text(app.error)
    assert "Traceback" not in text(app.error) and workspace_of(app).engine is None


def test_a_path_outside_the_allowed_folders_is_refused(parquet, monkeypatch):
    monkeypatch.setenv(warehouse.PATHS_ENV, str(parquet.parent / "elsewhere"))
    app = connect(new_app().run(), str(parquet))
    assert "not a folder this app may read" in text(app.error)
    app = connect(new_app().run(), "/etc/passwd")
    assert "not a folder this app may read" in text(app.error)


def test_a_saved_warehouse_workspace_keeps_no_rows_and_its_link_computes_on_spark(parquet, tmp_path):
    app = connect(new_app().run(), str(parquet))
    sales_on_spark = page_figures(app)["pages/sales.py"]
    app.switch_page("pages/workspace.py").run()
    app.text_input(key=KEYS.workspace_name).input("Warehouse")
    app.button(key=KEYS.save_workspace).click().run()
    assert not app.exception and "Saved “Warehouse” with 6,000 leads" in text(app.success)
    token = create_link(app)
    stored = access.open_store(str((tmp_path / "store.duckdb").resolve())).cursor()
    assert stored.execute("SELECT count(*) FROM workspace_leads").fetchone() == (0,)  # the rows stayed in Spark
    viewer = app_at(share=token).run()
    viewer.switch_page("pages/sales.py").run()
    assert not viewer.exception
    shared = workspace_of(viewer)
    assert shared.read_only and shared.engine is not None
    assert metrics(viewer) == sales_on_spark


def test_another_editor_opens_the_saved_warehouse_workspace_on_spark(parquet):
    app = connect(new_app().run(), str(parquet))
    workspace_of(app).sales_clock = "business"
    app.switch_page("pages/workspace.py").run()
    app.text_input(key=KEYS.workspace_name).input("Warehouse")
    app.button(key=KEYS.save_workspace).click().run()
    other = new_app().run()
    other.switch_page("pages/workspace.py").run()
    other.button(key=KEYS.open_workspace).click().run()
    assert not other.exception and "Opened" in text(other.success)
    ws = workspace_of(other)
    assert ws.engine is not None and ws.dataset.warehouse["leads"] == str(parquet) and ws.sales_clock == "business"
    assert page_figures(other) == page_figures(app)


def test_a_reload_connects_the_source_again(parquet, tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_DRAFT_DIR", str(tmp_path / "drafts"))
    app = connect(new_app().run(), str(parquet))
    token = app.query_params[access.DRAFT_PARAM]
    again = new_app()
    again.query_params[access.DRAFT_PARAM] = token
    again.run()
    ws = workspace_of(again)
    assert ws.engine is not None and ws.dataset.rows_loaded == 6000 and ws.dataset.warehouse["leads"] == str(parquet)
    assert page_figures(again) == page_figures(app)


def test_an_activity_log_beside_the_table_feeds_follow_up(parquet, tmp_path_factory):
    log = parquet.parent / "activities.csv"
    log.write_text("lead_id,activity_at,type,outcome\n5000000002,2024-01-01T12:30:00Z,call,Connected\n")
    app = connect(new_app().run(), str(parquet), activities=str(log))
    ws = workspace_of(app)
    assert ws.dataset.has_activities and ws.dataset.warehouse["activities"] == str(log)
    assert "First touch, attempts and connected were derived from the activity log." in text(app.info)

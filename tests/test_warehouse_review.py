"""Warehouse mode under hostile input: a source whose rows are all rejected, a source that is gone or unreadable
when a saved workspace, its share link or a reload reads it again, duplicate lead ids counted as an upload counts
them. Every failure is one line naming the source, never a traceback, and the data loaded before stays."""
from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pytest
from apptest_support import html_tables, new_app, open_section, workspace_of
from share_support import app_at, create_link, text
from spark_support import SPARK_URL

from pages.common import access
from pages.common.ui import KEYS
from pages.sections import warehouse
from sla_core.db import open_session_db
from sla_core.engine import spark_source
from sla_core.ingest import load as ingest
from sla_core.ingest.errors import InputError
from sla_core.ingest.mapping import Mapping
from sla_core.sales.goal_rules import GoalRule, GoalRules

pytestmark = pytest.mark.spark
HEADER = "Record ID,Create Date,Lead Status\n"


@pytest.fixture(autouse=True)
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SLA_STORE_PATH", str(tmp_path / "store.duckdb"))
    monkeypatch.setenv(warehouse.PATHS_ENV, str(tmp_path))
    monkeypatch.setenv(warehouse.SPARK_URL_ENV, SPARK_URL)
    monkeypatch.delenv(access.EDITORS_ENV, raising=False)


def csv_source(folder, body: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "leads.csv").write_text(HEADER + body)
    return folder / "leads.csv"


def test_a_source_whose_rows_are_all_rejected_is_refused_as_an_upload_is(tmp_path):
    leads = csv_source(tmp_path / "bad", ",2025-01-01,New\n7,not a date,New\n")
    with pytest.raises(InputError, match=r"leads\.csv: none of its 2 rows can be used, so nothing was loaded"):
        spark_source.load(spark_source.SparkSource(SPARK_URL, str(leads)), Mapping(), "UTC")


def test_an_empty_source_is_refused(tmp_path):
    leads = csv_source(tmp_path / "empty", "")
    with pytest.raises(InputError, match=r"leads\.csv: .*no rows"):
        spark_source.load(spark_source.SparkSource(SPARK_URL, str(leads)), Mapping(), "UTC")


def test_duplicate_lead_ids_are_counted_as_an_upload_counts_them(tmp_path):
    body = "1,2025-01-02 10:00,New\n1,2025-01-03 10:00,New\n2,2025-01-04 10:00,New\n2,never,New\n3,,New\n"
    leads = csv_source(tmp_path / "dupes", body)
    con = open_session_db(tmp_path / "duckdb", readable=(leads.parent,))
    uploaded = ingest.load(con, ingest.UploadSet(leads=ingest.Upload(leads.name, leads)), Mapping(),
                           ingest.ReadOptions(tz="UTC"), tmp_path / "load")
    engine, dataset = spark_source.load(spark_source.SparkSource(SPARK_URL, str(leads)), Mapping(), "UTC")
    engine.close()
    assert (dataset.rows_loaded, dataset.quality.rows_rejected) == (uploaded.rows_loaded, 3) == (2, 3)
    def duplicates(quality):
        return [v for k, v in quality.issue_counts.items() if "duplicate" in k.lower()]

    # lead 1 twice; lead 2's second row is rejected, not a duplicate
    assert duplicates(dataset.quality) == duplicates(uploaded.quality) == [1]


def saved_warehouse(tmp_path):
    """An editor connected to a CSV folder and saved it; a share link to it."""
    leads = csv_source(tmp_path / "src", "1,2025-01-02 10:00,New\n2,2025-01-03 10:00,New\n")
    app = new_app().run()
    app.switch_page("pages/data.py").run()
    app.text_input(key=KEYS.warehouse_leads).input(str(leads))
    app.button(key=KEYS.warehouse_connect).click().run()
    assert not app.exception and "Connected: 2 leads" in text(app.success)
    app.switch_page("pages/workspace.py").run()
    app.text_input(key=KEYS.workspace_name).input("Warehouse")
    app.button(key=KEYS.save_workspace).click().run()
    assert not app.exception
    return app, create_link(app), leads


def test_a_share_link_whose_source_is_gone_says_so_without_a_traceback(tmp_path):
    _, token, leads = saved_warehouse(tmp_path)
    shutil.rmtree(leads.parent)
    viewer = app_at(share=token).run()
    assert not viewer.exception
    assert "leads.csv" in text(viewer.error) and "cannot be shown" in text(viewer.error)


def test_opening_a_saved_workspace_whose_source_is_unreadable_keeps_the_data(tmp_path):
    _, _, leads = saved_warehouse(tmp_path)
    shutil.rmtree(leads.parent)
    other = new_app().run()
    other.switch_page("pages/workspace.py").run()
    other.button(key=KEYS.open_workspace).click().run()
    assert not other.exception
    assert "Could not open" in text(other.error) and "leads.csv" in text(other.error)
    assert workspace_of(other).engine is None and workspace_of(other).dataset.rows_loaded == 6000


def test_a_corrupt_parquet_source_is_one_line_naming_it(tmp_path):
    folder = tmp_path / "corrupt"
    folder.mkdir()
    (folder / "part-0.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    with pytest.raises(InputError, match=r"corrupt: cannot be read by Spark: .*Could not read footer"):
        spark_source.load(spark_source.SparkSource(SPARK_URL, str(folder)), Mapping(), "UTC")


def snapshot(app) -> tuple:
    """What a page shows: its metrics and every table's cells."""
    assert not app.exception
    return metrics_of(app), [df.to_csv() for df in (*(d.value for d in app.dataframe), *html_tables(app))]


def metrics_of(app) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def sales_steps(app) -> list[tuple]:
    """The Sales page through its options: business clock, day and week views, every chart, the full breaching
    list, a calendar for a region of the sample, the suggested goals per segment accepted."""
    app.switch_page("pages/sales.py").run()
    shown = [snapshot(app)]
    app.radio(key=KEYS.sales_clock).set_value("business").run()
    shown.append(snapshot(app))
    for period in ("day", "week"):
        app.radio(key=KEYS.sales_period).set_value(period).run()
        shown.append(snapshot(app))
    for charts in ("delays", "depth"):
        app.segmented_control(key=KEYS.sales_charts).set_value(charts).run()
        shown.append(snapshot(app))
    open_section(app, KEYS.breaches_open)
    app.checkbox(key=KEYS.breach_all).check().run()
    shown.append(snapshot(app))
    open_section(app, KEYS.calendars_section_open)
    app.selectbox(key=KEYS.rc_region).set_value("Canada")
    app.selectbox(key=KEYS.rc_tz).set_value("America/Chicago")
    app.button(key=KEYS.rc_add).click().run()
    shown.append(snapshot(app))
    ws = workspace_of(app)
    ws.assumptions = replace(ws.assumptions, goal_rules=GoalRules((GoalRule("region", "Canada", 8.0),)))
    app.run()
    shown.append(snapshot(app))
    app.button(key=KEYS.suggest_goals).click().run()
    shown.append(snapshot(app))
    app.button(key=KEYS.accept_goals).click().run()
    shown.append(snapshot(app))
    return shown


def marketing_steps(app) -> list[tuple]:
    """The Marketing page's goal line for each of its views, and the Agreement page."""
    app.switch_page("pages/marketing.py").run()
    shown = [snapshot(app)]
    for view in app.radio(key=KEYS.goal_view).options:  # as drawn: escaped by literal()
        app.radio(key=KEYS.goal_view).set_value(re.sub(r"\\(.)", r"\1", view)).run()
        shown.append(snapshot(app))
    app.switch_page("pages/agreement.py").run()
    return [*shown, snapshot(app)]


def test_the_pages_options_show_the_uploads_figures_on_a_warehouse_source(tmp_path):
    from spark_support import export_parquet

    from pages.common.state import SAMPLE_LEADS
    from sla_core.digest import printable
    from sla_core.health import view as health_view

    work = tmp_path / "src"
    work.mkdir()
    con = open_session_db(tmp_path / "duckdb", readable=(SAMPLE_LEADS.parent,))
    sample = ingest.load(con, ingest.UploadSet(leads=ingest.Upload(SAMPLE_LEADS.name, SAMPLE_LEADS)), Mapping(),
                         ingest.ReadOptions(tz="UTC"), tmp_path / "load")
    export_parquet(con, sample.columns, work / "leads.parquet")
    on_duckdb = new_app().run()
    on_spark = new_app().run()
    on_spark.switch_page("pages/data.py").run()
    on_spark.text_input(key=KEYS.warehouse_leads).input(str(work / "leads.parquet"))
    on_spark.button(key=KEYS.warehouse_connect).click().run()
    assert workspace_of(on_spark).engine is not None
    assert sales_steps(on_spark) == sales_steps(on_duckdb)
    assert marketing_steps(on_spark) == marketing_steps(on_duckdb)
    for app in (on_duckdb, on_spark):
        app.switch_page("pages/overview.py").run()
    ws_d, ws_s = workspace_of(on_duckdb), workspace_of(on_spark)
    month = on_spark.session_state[KEYS.overview_month]
    pages = [printable.month_page(ws.db, ws.dataset, health_view.Settings(ws.assumptions, ws.tier_rules, ws.sales_clock,
                                                                         ws.business_hours, ws.tiers), month, ws.cache)
             for ws in (ws_d, ws_s)]
    assert pages[0] == pages[1] and b"Sales" in pages[1]


def test_an_upload_after_a_warehouse_drops_the_engine_and_shows_the_upload(tmp_path):
    from apptest_support import upload_on_data_page

    app, _, _ = saved_warehouse(tmp_path)
    upload_on_data_page(app, "three.csv", (HEADER + "a,2025-01-02 10:00,New\nb,2025-01-03 10:00,New\n"
                                                    "c,2025-01-04 10:00,New\n").encode())
    ws = workspace_of(app)
    assert not app.exception and ws.engine is None and ws.dataset.warehouse is None
    assert ws.dataset.rows_loaded == 3 and metrics_of(app)["Leads loaded"] == "3"


def test_a_link_to_a_parquet_folder_shows_a_new_row_once_its_view_is_rebuilt(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pages.common.shared_view import shared_view

    folder = tmp_path / "folder"
    folder.mkdir()
    rows = {"Record ID": ["1", "2"], "Create Date": ["2025-01-02 10:00:00", "2025-01-03 10:00:00"]}
    pq.write_table(pa.table(rows), folder / "part-0.parquet")
    app = new_app().run()
    app.switch_page("pages/data.py").run()
    app.text_input(key=KEYS.warehouse_leads).input(str(folder))
    app.button(key=KEYS.warehouse_connect).click().run()
    app.switch_page("pages/workspace.py").run()
    app.text_input(key=KEYS.workspace_name).input("Folder")
    app.button(key=KEYS.save_workspace).click().run()
    token = create_link(app)
    first, second = app_at(share=token).run(), app_at(share=token).run()
    assert not first.exception and not second.exception
    assert workspace_of(first).engine is workspace_of(second).engine  # one engine for both viewers
    assert workspace_of(first).dataset.rows_loaded == workspace_of(second).dataset.rows_loaded == 2
    pq.write_table(pa.table({"Record ID": ["3"], "Create Date": ["2025-01-04 10:00:00"]}), folder / "part-1.parquet")
    shared_view.clear()
    third = app_at(share=token).run()
    assert not third.exception and workspace_of(third).dataset.rows_loaded == 3
    first.switch_page("pages/sales.py").run()
    assert not first.exception  # the first viewer's engine let go of its rows and still answers


def test_a_table_name_cannot_read_a_file_beside_the_server(tmp_path, monkeypatch):
    """Spark reads ``csv.secrets`` as the file ``secrets`` in its working folder, past the path allow-list."""
    (tmp_path / "secrets").write_text("Record ID,Create Date\nSECRET,2025-01-01 10:00\n")
    monkeypatch.chdir(tmp_path)
    mapping = Mapping.from_dict({"columns": {"lead_id": "_c0", "created_at": "_c1"}})
    source = spark_source.SparkSource(SPARK_URL, "csv.secrets")
    source.check_readable(())  # a table: the warehouse's to allow or refuse
    with pytest.raises(InputError, match=r"csv\.secrets: cannot be read by Spark: \[TABLE_OR_VIEW_NOT_FOUND\]"):
        spark_source.load(source, mapping, "UTC")

"""The Sales SLA page's verdicts through AppTest: complete months met or missed with the list to work first, the
depth target, a deep link, a month without hand-offs, and not measured is not missed."""
from __future__ import annotations

import io
from datetime import date

import pyarrow.csv as pacsv
import pytest
from apptest_support import (
    app_with_upload,
    capture_downloads,
    clicked,
    metric,
    open_section,
    shown,
    workspace_of,
)
from sales_page_support import (  # the hand-computed exports and the page's readers
    DONE,
    PAGE,
    SMALL_WITHOUT_TOUCH,
    captions,
    grid,
    markdown,
)

from pages.common.ui import KEYS
from sla_core import generator


@pytest.fixture
def done():
    """Complete months by hand: February missed, March met, April without hand-offs, May in progress."""
    return app_with_upload("done.csv", DONE, PAGE)


# --- verdicts on complete months ------------------------------------------------------------------

def test_opens_on_the_month_shown_first_with_its_verdict(done):
    month = done.select_slider(key=KEYS.sales_month)
    assert month.value == date(2024, 3, 1)  # the latest month with a marketing lead, not the as-of month (May)
    assert month.options[-1] == "May 2024 (in progress)"
    assert ":green-badge[:material/check_circle: Sales SLA met in March 2024]" in markdown(done)
    assert "Work first" not in " ".join(s.value for s in done.subheader)


def test_a_missed_month_gets_the_red_badge_and_the_list_to_work_first(done, monkeypatch):
    downloads = capture_downloads(monkeypatch)
    done.select_slider(key=KEYS.sales_month).set_value(date(2024, 2, 1)).run()
    assert not done.exception
    assert ":red-badge[:material/warning: Sales SLA missed in February 2024]" in markdown(done)
    assert "Speed missed: 40.0 % of due leads followed up within 1 h (target 80 %)" in captions(done)
    assert next(m.delta for m in done.metric if m.label == "Within the speed goal") == "missed · target 80 %"
    assert "Work first: leads of February 2024 still untouched" in [s.value for s in done.subheader]
    assert "2 of its leads have had no first touch 1 h after the hand-off" in captions(done)
    assert "Per rep: Ann 1, Bob 1." in captions(done)
    assert "The leads to work first, oldest hand-off first" in [e.label for e in done.expander]
    open_section(done, KEYS.work_first_open)  # the grid is built only while its section is open
    assert list(grid(done, "Breaches")["Lead"])[:2] == ["P2", "P4"]  # the work-first list comes first
    button = next(b for b in done.get("download_button") if b.proto.label == "Download all 2 leads to work first (CSV)")
    rows = pacsv.read_csv(io.BytesIO(clicked(downloads[button.id]))).to_pylist()  # made on click
    assert [(r["Lead"], r["Rep"]) for r in rows] == [("P2", "Ann"), ("P4", "Bob")]


def test_the_depth_target_slider_decides_the_depth_verdict(done):
    done.select_slider(key=KEYS.sales_month).set_value(date(2024, 2, 1)).run()
    done.slider(key=KEYS.assumption("depth_goal_attempts")).set_value(2).run()
    assert metric(done, "At the depth goal") == "50.0 %"  # P1 and P3 of four not connected
    assert next(m.delta for m in done.metric if m.label == "At the depth goal") == "missed · target 80 %"
    done.select_slider(key=KEYS.assumption("depth_target_share")).set_value(0.5).run()
    assert not done.exception
    assert workspace_of(done).assumptions.depth_target_share == 0.5
    assert next(m.delta for m in done.metric if m.label == "At the depth goal") == "met · target 50 %"
    assert "Depth met: 50.0 % of unconnected leads had at least 2 attempts (target 50 %)" in captions(done)
    assert done.query_params["depth_target_share"] == "0.5"  # the deep link carries it
    # speed still missed, so sales too; the speed target and goal then decide the badge
    assert "Sales SLA missed in February 2024" in markdown(done)
    done.slider(key=KEYS.assumption("speed_goal_hours")).set_value(3.0).run()
    done.select_slider(key=KEYS.assumption("speed_target_share")).set_value(0.6).run()
    assert "Sales SLA met in February 2024" in markdown(done)  # P1, P3, P5 within: 3 of 5


def test_a_deep_link_sets_the_depth_target_and_the_month(done):
    done.query_params["depth_target_share"] = "0.25"
    done.query_params["month"] = "2024-02"
    done.run()
    assert not done.exception
    assert workspace_of(done).assumptions.depth_target_share == 0.25
    assert done.select_slider(key=KEYS.assumption("depth_target_share")).value == 0.25
    assert done.select_slider(key=KEYS.sales_month).value == date(2024, 2, 1)
    assert next(m.delta for m in done.metric if m.label == "At the depth goal") == "met · target 25 %"  # 1 of 4


def test_a_month_without_hand_offs_has_no_verdict(done):
    done.select_slider(key=KEYS.sales_month).set_value(date(2024, 4, 1)).run()
    assert not done.exception
    assert "-badge[" not in markdown(done).replace("green-badge[:material/check_circle: Feasible", "")
    assert "no leads were handed to sales in April 2024" in captions(done)
    assert metric(done, "Leads handed") == "0"


# --- not measured is not missed -------------------------------------------------------------------

def salesforce_without_touch_or_attempts(n: int = 600) -> bytes:
    table = generator.to_table(generator.generate(n, seed=3), "salesforce")
    table = table.drop([generator.STYLES["salesforce"]["first_touch_at"], generator.STYLES["salesforce"]["attempts"]])
    out = io.BytesIO()
    pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))
    return out.getvalue()


def test_an_export_without_touch_or_attempts_is_not_measured_never_missed():
    app = app_with_upload("salesforce.csv", salesforce_without_touch_or_attempts(), PAGE)
    assert not app.error
    assert ":red-badge[" not in markdown(app).replace(":red-badge[:material/warning: Not feasible", "")
    info = shown(app.info)
    assert ("**Speed and depth not measured:** the export has neither first-touch dates nor follow-up attempt counts — "
            "upload an activity log on the Data page.") in info
    assert "Upload an activity log on the Data page" in [p.proto.label for p in app.get("page_link")]
    labels = [m.label for m in app.metric]
    for judged in ("Within the speed goal", "Avg attempts (not connected)", "At the depth goal", "Median response"):
        assert judged not in labels  # never "0.0 %" or "0.00"
    assert int(metric(app, "Leads handed")) > 0
    assert "Speed and depth are not measured, so no rep is judged." in captions(app)
    reps = grid(app, "Verdict")
    assert set(reps["Verdict"]) == {"not measured"} and "Outside SLA" not in reps.columns
    assert "no lead breaches them" in captions(app)


def test_an_export_without_first_touch_still_judges_depth():
    app = app_with_upload("no_touch.csv", SMALL_WITHOUT_TOUCH, PAGE)
    assert not app.exception
    assert "**Speed not measured:** the export has no first-touch dates" in shown(app.info)
    assert "Within the speed goal" not in [m.label for m in app.metric]
    assert metric(app, "At the depth goal") == "20.0 %"  # B of B, C, D, E, F
    assert "Sales SLA in progress, behind so far" in markdown(app)  # depth alone decides
    open_section(app, KEYS.breaches_open)
    leads = grid(app, "Breaches")
    assert set(leads["Speed"]) == {"not measured"} and set(leads["Breaches"]) == {"depth"}  # C, D, E, F
    assert "of 4 (oldest hand-off first)" in captions(app)

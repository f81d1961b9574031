"""The browser benchmarks' correctness mode: they still find every widget and page, and time them.

``python bench/browser_latency.py --check`` (2k leads, one sample of each what-if, toggle and
page switch beside the bare page) and ``python bench/viewers.py --check`` (two share-link
viewers at once) run against live servers in Chromium. No time is asserted against a
target here (the timed runs are in bench/README.md); what is asserted is that every sample
was taken: a renamed label or page would show up as an error or a skipped widget.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.browser_latency import SELECTORS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.browser
NOT_IN_THE_PRODUCT_YET = {"Depth target share"}  # the only what-if the latency script may skip


def run_check(script: str, out: Path, *extra: str) -> dict:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), "--check", "--json", str(out), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text())


def assert_timed(item: dict) -> None:
    """One or more samples, no error, times positive and settled no earlier than the first figure."""
    assert item["errors"] == [], item
    assert item["samples"], item
    for sample in item["samples"]:
        assert 0 < sample["first_ms"] <= sample["settled_ms"] < 300_000, item["name"]
        assert 0 < sample["bare_first_ms"] <= sample["bare_settled_ms"], item["name"]
    assert item["first_x_bare"] > 0 and item["settled_x_bare"] > 0


def test_latency_check_times_every_what_if_toggle_and_page_switch(tmp_path):
    result = run_check("browser_latency.py", tmp_path / "latency.json")
    assert result["errors"] == 0
    assert result["upload"]["loaded"].startswith("Loaded 2,000 leads")
    measured = {item["name"] for item in result["what_ifs"]}
    skipped = {name for _, name, _, _ in SELECTORS["what_ifs"]} - measured
    assert skipped <= NOT_IN_THE_PRODUCT_YET
    assert all(any(note.startswith(name) for note in result["notes"]) for name in skipped)  # said, not silent
    assert {item["name"] for item in result["toggles"]} == {name for _, name, _, _ in SELECTORS["toggles"]}
    pages = set(SELECTORS["pages"])
    switches = result["page_switches"]
    assert {s["destination"] for s in switches} == pages and {s["source"] for s in switches} == pages
    for item in result["what_ifs"] + result["toggles"] + result["first_visits"] + switches:
        assert_timed(item)
    assert 0 < result["bare"]["first_ms"] <= result["bare"]["settled_ms"]
    assert result["server_memory"]["peak_tree_rss_bytes"] > 50 * 2**20
    assert "| Marketing quota |" in result["table"]


@pytest.mark.parametrize("client", ["browser", "ws"])
def test_viewers_check_opens_the_share_link_for_two_viewers_at_once(tmp_path, client):
    result = run_check("viewers.py", tmp_path / "viewers.json", "--client", client)
    (run,) = result["runs"]
    assert run["client"] == client
    assert run["viewers"] == 2 and run["error_count"] == 0 and run["errors"] == []
    assert run["warm_up"]["errors"] == [] and "Overview" in run["warm_up"]["pages"]
    for viewer in run["viewer_results"]:
        assert list(viewer["pages"]) == ["Overview", "Marketing SLA", "Sales SLA", "Agreement"]
        for times in viewer["pages"].values():
            assert 0 < times["first_ms"] <= times["settled_ms"]
    for name, page in run["pages"].items():
        assert page["viewers_measured"] == 2, name
        assert 0 < page["first_p50_ms"] <= page["first_p95_ms"], name
        assert page["first_p95_ms"] <= page["settled_p95_ms"], name
    memory = run["server_memory"]
    assert 0 < memory["rss_before_bytes"] < memory["peak_tree_rss_bytes"]
    assert memory["server_vmhwm_bytes"] > 50 * 2**20
    assert run["rss_budget_bytes"] > 0


def run_alone(coroutine):
    """``asyncio.run`` in a thread of its own: the browser tests' Playwright may hold this thread's event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_websocket_viewer_of_a_bad_link_reports_the_denial(tmp_path):
    """The websocket client sees what a browser would: a link that is not valid is an error, not a fast page."""
    from bench.browser_harness import serve
    from bench.viewers import save_and_share, ws_viewer
    from sla_core.generator import write_export

    export, store_file = tmp_path / "leads.csv", tmp_path / "store.duckdb"
    write_export(300, export, seed=3)
    token = save_and_share(export, store_file)
    with serve("app.py", {"SLA_STORE_PATH": str(store_file)}) as (_, url):
        good = run_alone(ws_viewer(url, f"share={token}", ("Overview",)))
        bad = run_alone(ws_viewer(url, "share=" + "x" * 43, ("Overview",)))
    assert good["errors"] == [] and good["pages"]["Overview"]["first_ms"] > 0
    assert bad["pages"] == {} and "no first figures" in bad["errors"][0]

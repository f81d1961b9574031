"""Concurrent leadership viewers: N browser contexts open one share link of a saved workspace at once.

usage:
  python bench/viewers.py                        # 1M leads (generated), 20 viewers
  python bench/viewers.py --viewers 5 10 20      # a fresh server for each count
  python bench/viewers.py --check                # 2k leads, 2 viewers: the harness still works

The export (seeded generator, HubSpot style) is saved once as a workspace through the
store's API (``bench/run.py --one save``) and a share link is created for its Baseline
scenario (``sla_core.store.share.create_link``). A server (``streamlit run app.py``,
SLA_STORE_PATH on that store) then gets N viewers at once: one Chromium, a fresh context
per viewer (its own cookies and session), each opening the link and moving through the
four shared pages by the sidebar. Per page: p50/p95 of the time to the first figures (from
the navigation start or the click to the page's title and first figure, stamped inside the
page: bench/browser_harness.py) and to settled; errors (timeouts, a Streamlit exception or
the share denial on screen, script errors in the page); the server's peak RSS (its process
tree sampled every 50 ms, and its VmHWM). Chromium runs on the same cores as the server,
so the times include the browsers' own work. Results: a table on stdout and
bench/out/viewers.json (or --json); the exit status is 1 when a viewer saw an error.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import websockets
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

if str(Path(__file__).resolve().parent.parent) not in sys.path:  # run as ``python bench/viewers.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.browser_harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DONE_JS,
    OUT,
    PROBE_JS,
    ROOT,
    TIMEOUT_MS,
    VIEWPORT,
    MiB,
    NotChanged,
    TreeRss,
    cpu_seconds,
    ensure_export,
    probe_result,
    serve,
)
from bench.browser_latency import SELECTORS, arrival
from bench.ws_viewer import Viewer
from sla_core.store import share
from sla_core.store import workspaces as store

SHARED_PAGES = ("Overview", "Marketing SLA", "Sales SLA", "Agreement")  # app.py's SHARED_PAGES, in order
PROBLEMS = '[data-testid="stException"]'  # with the share denial's text: an error on a viewer's screen
P95_TARGET_S = 3.0
# The server's memory budget: one process holding the store (the rows are read in place) plus a
# session per viewer (its store cursor and memoised aggregates); 20 viewers: 1,012 MiB.
RSS_BASE_MIB, RSS_PER_VIEWER_MIB = 512, 25


def save_and_share(path: Path, store_file: Path) -> str:
    """Save ``path`` as a workspace (as ``bench/run.py --one save`` does) and return a share link's token."""
    saved = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--one", "save", str(path),
                            str(store_file)], cwd=ROOT, check=True, capture_output=True, text=True)
    workspace_id = json.loads(saved.stdout)["workspace_id"]
    con = store.open_store(store_file)
    try:
        baseline = store.scenarios(con.cursor(), workspace_id)[0]
        return share.create_link(con.cursor(), workspace_id, baseline.scenario_id, baseline.revision,
                                 label="bench viewers")
    finally:
        con.close()


async def _visit(page, index: int, name: str, link: str) -> dict:
    """Open the link (the first page) or click ``name`` in the sidebar; time its first figures and settled."""
    if index == 0:  # armed by the init script, timed from the navigation start
        await page.goto(link, wait_until="commit")
    else:
        await page.evaluate("spec => window.__benchArm(spec)", arrival(name))
        await page.get_by_test_id(SELECTORS["nav"]).get_by_role("link", name=name, exact=True).click()
    await page.wait_for_function(DONE_JS, arg=TIMEOUT_MS, timeout=TIMEOUT_MS, polling=100)
    return probe_result(await page.evaluate("() => window.__bench"))


async def viewer(browser, link: str, names: tuple[str, ...] = SHARED_PAGES) -> dict:
    """One leadership viewer in a fresh context: the shared pages ``names`` in turn, and what went wrong."""
    context = await browser.new_context(viewport=VIEWPORT)
    script_errors: list[str] = []
    loads: list[str] = []  # documents loaded in the tab: more than the link's one is a reload
    pages, errors = {}, []
    try:
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT_MS)  # a crowd on two cores: the link itself can take minutes to answer
        page.on("pageerror", lambda exc: script_errors.append(str(exc)))
        page.on("load", lambda: loads.append(page.url))
        await page.add_init_script(PROBE_JS)
        await page.add_init_script(f"window.__benchArm({json.dumps({**arrival(names[0]), 't0': 0})})")
        for index, name in enumerate(names):
            try:
                pages[name] = await _visit(page, index, name, link)
            except (PlaywrightError, NotChanged) as exc:
                errors.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0]}; "
                              f"on screen: {await _screen_text(page)}")
                break
            if await page.locator(PROBLEMS).count() or await page.get_by_text(share.GENERIC_DENIAL).count():
                errors.append(f"{name}: an exception or the share denial is on the screen")
    finally:
        await context.close()
    errors += [f"script error in the page: {e}" for e in script_errors]
    errors += [f"the tab loaded {url} again" for url in loads[1:]]
    return {"pages": pages, "errors": errors}


async def _screen_text(page) -> str:
    """The start of what the page shows, to say what a failed viewer was looking at."""
    try:
        return " ".join((await page.locator("body").inner_text(timeout=5_000)).split())[:300]
    except PlaywrightError as exc:
        return f"(unreadable: {str(exc).splitlines()[0]})"


async def crowd(link: str, count: int, server_pid: int) -> tuple[dict, list[dict], dict]:
    """One viewer opens the first page alone (a fresh server imports the app's modules on its first run: not
    what a crowd on a running server waits for), then ``count`` viewers at once (asyncio.gather).
    Returns the warm-up, the crowd's results, and the wall and server CPU seconds of the crowd."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            warm_up = await viewer(browser, link, SHARED_PAGES[:1])
            started, cpu = time.perf_counter(), cpu_seconds(server_pid)
            results = await asyncio.gather(*(viewer(browser, link) for _ in range(count)))
            return warm_up, list(results), {"wall_seconds": time.perf_counter() - started,
                                            "server_cpu_seconds": cpu_seconds(server_pid) - cpu}
        finally:
            await browser.close()


def _marks(name: str) -> tuple[str, ...]:
    """The texts that say a page has arrived: its title and its first figure (as in the browser)."""
    spec = SELECTORS["pages"][name]
    return spec["title"], spec.get("metric") or spec["text"]


async def ws_viewer(url: str, query: str, names: tuple[str, ...] = SHARED_PAGES) -> dict:
    """One viewer over Streamlit's websocket (no browser): the link, then each shared page in turn."""
    pages, errors = {}, []
    timeout = TIMEOUT_MS / 1000
    try:
        async with Viewer(url, query) as v:
            for index, name in enumerate(names):
                visit = await (v.open(_marks(name), timeout) if index == 0 else v.visit(name, _marks(name), timeout))
                shown = " ".join(visit.texts)
                if visit.exception or share.GENERIC_DENIAL in shown or visit.first_ms is None:
                    errors.append(f"{name}: {visit.exception or 'no first figures'}; sent: {shown[:300]}")
                    break
                pages[name] = {"first_ms": visit.first_ms, "settled_ms": visit.settled_ms}
    except (OSError, TimeoutError, KeyError, websockets.WebSocketException) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    return {"pages": pages, "errors": errors}


async def ws_crowd(url: str, query: str, count: int, server_pid: int) -> tuple[dict, list[dict], dict]:
    """As ``crowd``, with websocket viewers: one alone first, then ``count`` at once."""
    warm_up = await ws_viewer(url, query, SHARED_PAGES[:1])
    started, cpu = time.perf_counter(), cpu_seconds(server_pid)
    results = await asyncio.gather(*(ws_viewer(url, query) for _ in range(count)))
    return warm_up, list(results), {"wall_seconds": time.perf_counter() - started,
                                    "server_cpu_seconds": cpu_seconds(server_pid) - cpu}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``q`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(count: int, warm_up: dict, results: list[dict], spent: dict, memory: dict) -> dict:
    pages = {}
    for name in SHARED_PAGES:
        got = [r["pages"][name] for r in results if name in r["pages"]]
        first, settled = [g["first_ms"] for g in got], [g["settled_ms"] for g in got]
        pages[name] = {"viewers_measured": len(got)} | ({
            "first_p50_ms": statistics.median(first), "first_p95_ms": percentile(first, 0.95),
            "settled_p50_ms": statistics.median(settled), "settled_p95_ms": percentile(settled, 0.95)} if got else {})
    errors = [e for r in (warm_up, *results) for e in r["errors"]]
    budget = (RSS_BASE_MIB + RSS_PER_VIEWER_MIB * count) * MiB
    return {"viewers": count, "warm_up": warm_up, **spent, "pages": pages, "errors": errors, "error_count": len(errors),
            "server_memory": memory, "rss_budget_bytes": budget, "viewer_results": results}


RENDERERS = {"browser": "the viewers' Chromium", "ws": "the websocket clients"}


def table(runs: list[dict]) -> str:
    lines = ["| viewers | page | first figures p50 | p95 | settled p50 | p95 | target | met |",
             "|---|---|---|---|---|---|---|---|"]
    for run in runs:
        n = run["viewers"]
        for name, s in run["pages"].items():
            if "first_p95_ms" not in s:
                lines.append(f"| {n} | {name} | — | — | — | — | p95 ≤ {P95_TARGET_S:g} s | not measured |")
                continue
            met = "yes" if s["first_p95_ms"] <= P95_TARGET_S * 1000 else "NO"
            lines.append(f"| {n} | {name} | {s['first_p50_ms'] / 1000:.1f} s | {s['first_p95_ms'] / 1000:.1f} s | "
                         f"{s['settled_p50_ms'] / 1000:.1f} s | {s['settled_p95_ms'] / 1000:.1f} s | "
                         f"p95 ≤ {P95_TARGET_S:g} s | {met} |")
        mem, budget = run["server_memory"], run["rss_budget_bytes"]
        clean = "yes" if not run["error_count"] else "NO"
        lines.append(f"| {n} | errors | {run['error_count']} | | | | none | {clean} |")
        lines.append(f"| {n} | server RSS | {mem['rss_before_bytes'] / MiB:,.0f} MiB before, peak "
                     f"{mem['peak_tree_rss_bytes'] / MiB:,.0f} MiB | | | | ≤ {budget / MiB:,.0f} MiB | "
                     f"{'yes' if mem['peak_tree_rss_bytes'] <= budget else 'NO'} |")
        warm = run["warm_up"]["pages"].get(SHARED_PAGES[0])
        lines.append(f"| {n} | all viewers done | {run['wall_seconds']:.1f} s, of which the server used "
                     f"{run['server_cpu_seconds']:.0f} CPU s ({run['server_cpu_seconds'] / n:.1f} s a viewer; the "
                     f"rest of the {os.cpu_count()} cores: {RENDERERS[run.get('client', 'browser')]} and anything "
                     "else running) | "
                     f"| | | — | — |")
        lines.append(f"| {n} | one viewer alone first, on the fresh server | "
                     f"{warm['first_ms'] / 1000 if warm else float('nan'):.1f} s to the Overview's first figures "
                     "(its first run imports the app) | | | | — | — |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="leads to generate (default 1M)")
    ap.add_argument("--file", type=Path, help="an export to save instead of a generated one")
    ap.add_argument("--viewers", type=int, nargs="+", default=[20], help="viewer counts, one server each")
    ap.add_argument("--client", choices=("browser", "ws"), default="browser",
                    help="browser: a Chromium context per viewer; ws: Streamlit's websocket protocol from Python "
                         "(no rendering), so the server's own time is measured")
    ap.add_argument("--check", action="store_true", help="2k leads, 2 viewers")
    ap.add_argument("--json", type=Path, default=OUT / "viewers.json")
    args = ap.parse_args(argv)
    if args.check:
        args.rows, args.viewers = 2_000, [2]
    result = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "nproc": os.cpu_count(),
              "client": args.client,
              "p95_target_ms": P95_TARGET_S * 1000,
              "rss_budget": f"{RSS_BASE_MIB} MiB + {RSS_PER_VIEWER_MIB} MiB per viewer", "runs": []}
    runs = result["runs"]
    with tempfile.TemporaryDirectory(prefix="sla-bench-viewers-") as tmp:
        path = ensure_export(args.rows, args.file, Path(tmp) if args.check else OUT)
        store_file = Path(tmp) / "store.duckdb"
        saving = time.perf_counter()
        token = save_and_share(path, store_file)
        result.update(csv=str(path), csv_bytes=path.stat().st_size, save_and_share_seconds=time.perf_counter() - saving)
        for count in args.viewers:
            load_before = os.getloadavg()
            with serve("app.py", {"SLA_STORE_PATH": str(store_file)}) as (server, url):
                rss = TreeRss(server.pid)
                watched = (crowd(f"{url}/?share={token}", count, server.pid) if args.client == "browser"
                           else ws_crowd(url, f"share={token}", count, server.pid))
                warm_up, results, spent = asyncio.run(watched)
                runs.append(summary(count, warm_up, results, spent, rss.stop()))
            runs[-1].update(load_before=load_before, load_after=os.getloadavg(), client=args.client)
            result["table"] = table(runs)
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(result, indent=2))  # after each count: a later failure keeps it
            print(f"{count} viewers: done in {runs[-1]['wall_seconds']:.1f} s, {runs[-1]['error_count']} errors; "
                  f"load average {load_before[0]:.1f} → {runs[-1]['load_after'][0]:.1f}", flush=True)
    print(f"\n{os.cpu_count()} cores, shared by {RENDERERS[args.client]} and the server\n\n{result['table']}")
    return 1 if any(run["error_count"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed a user feels: key press or click → changed figure and → settled, in Chromium on a live server.

usage:
  python bench/browser_latency.py                     # 1M leads (generated), 5 presses, every page pair 3 times
  python bench/browser_latency.py --file leads.csv --rows 1000000 --presses 7 --rounds 2
  python bench/browser_latency.py --check             # 2k leads, one press each: the harness still works

One run starts two servers on 127.0.0.1: ``streamlit run app.py`` (a throwaway store; the
export is uploaded through the Data page as a user does) and the floor,
``bench/bare_slider_page.py`` (one slider, one figure). Every product sample is taken right
after a bare-page sample, and each ratio is the median of those per-pair ratios.

Times are taken inside the page (bench/browser_harness.py): from the keydown or pointerdown
to the first changed figure (the text of any metric, markdown or caption in the main area,
widgets left out) or, for a page switch, to the destination's title and first figure; and
to settled, when the script run has finished. Results: a table on stdout and
bench/out/browser_latency.json (or --json); the exit status is 1 when a sample failed.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

if str(Path(__file__).resolve().parent.parent) not in sys.path:  # run as ``python bench/browser_latency.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.browser_harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    OUT,
    PROBE_JS,
    TIMEOUT_MS,
    VIEWPORT,
    MiB,
    NotChanged,
    TreeRss,
    ensure_export,
    serve,
    timed,
)

TARGETS = {"what_if_first_x_bare": 2.0, "switch_settled_x_bare": 8.0}

# Everything located as a user sees it, in one place. Labels match at their start, so a
# label that grows a suffix still matches; a widget not found is skipped with a note.
SELECTORS = {
    "nav": "stSidebarNav",  # test id of the page links
    # nav link → the destination's title (st.title) and its first figure (a metric's label or a text)
    "pages": {
        "Marketing SLA": {"title": "Marketing SLA", "metric": "Leads needed"},
        "Sales SLA": {"title": "Sales SLA", "metric": "Leads handed"},
        "Data": {"title": "Data", "metric": "Rows read"},
        "Save & share": {"title": "Save & share", "text": "Save this workspace"},
        "Overview": {"title": "Overview", "metric": "Marketing leads"},
        "Agreement": {"title": "SLA agreement", "text": "Marketing and sales agree"},
    },
    # (page, what-if, slider label, key pressed each time): a new value on every press, as a user explores
    "what_ifs": [
        ("Marketing SLA", "Marketing quota", "Sales quota for the month", "ArrowRight"),
        ("Marketing SLA", "Marketing share", "Marketing share of revenue", "ArrowRight"),
        ("Marketing SLA", "Deal size", "Average deal size", "ArrowRight"),
        ("Marketing SLA", "Close rate", "Lead-to-customer close rate", "ArrowRight"),
        ("Marketing SLA", "Month picker (Marketing)", "Month", "ArrowLeft"),
        ("Sales SLA", "Speed goal", "Speed goal", "ArrowRight"),
        ("Sales SLA", "Depth goal", "Depth goal", "ArrowRight"),
        ("Sales SLA", "Speed target share", "Speed target", "ArrowLeft"),
        ("Sales SLA", "Depth target share", "Depth target", "ArrowRight"),
        ("Sales SLA", "Month picker (Sales)", "Month", "ArrowLeft"),
    ],
    # (page, toggle, radio label, options clicked in turn; None: every option the radio offers)
    "toggles": [
        ("Marketing SLA", "Marketing tier choice", "Goal line for", None),
        ("Sales SLA", "Sales clock", "Clock", ("Business hours", "Calendar hours")),
        ("Sales SLA", "Sales period", "Period of hand-off", ("Week", "Day", "Month")),
    ],
    "bare_slider": "Sales quota for the month",  # bench/bare_slider_page.py
    "upload": {"file": "input[type=file]", "button": "Load export", "loaded": r"^Loaded [\d,]+ leads"},
}

# --- one action, timed in the page ---------------------------------------------------------------

def label_start(text: str) -> re.Pattern:
    return re.compile("^" + re.escape(text))


def slider(page, label: str):
    box = page.get_by_test_id("stSlider").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(
        label_start(label)))
    return box.get_by_role("slider")


def nav_click(page, link: str):
    """Clicking the page link ``link`` in the sidebar, as an action for ``timed``."""
    return lambda: page.get_by_test_id(SELECTORS["nav"]).get_by_role("link", name=link, exact=True).click()


def arrival(link: str) -> dict:
    """The probe's spec for arriving on the page of ``link``: its title and first figure shown."""
    return {"mode": "appear", **SELECTORS["pages"][link]}


class Session:
    """The product tab and the bare tab; every product sample follows a bare sample (per-pair ratios)."""

    def __init__(self, product, bare):
        self.product, self.bare = product, bare
        self.bare_thumb = slider(bare, SELECTORS["bare_slider"])
        self._direction = 1

    def bare_sample(self) -> dict:
        self._direction = -self._direction  # back and forth around the default value
        key = "ArrowRight" if self._direction > 0 else "ArrowLeft"
        return timed(self.bare, {"mode": "change"}, lambda: self.bare_thumb.press(key))

    def sample(self, spec: dict, action) -> dict:
        bare = self.bare_sample()
        mine = timed(self.product, spec, action)
        return {**mine, "bare_first_ms": bare["first_ms"], "bare_settled_ms": bare["settled_ms"]}


# --- what is measured ---------------------------------------------------------------------------

def summarise(name: str, samples: list[dict], errors: list[str], **extra) -> dict:
    """Medians of the samples, each ratio the median of the per-pair ratios to the bare sample before it."""
    item = {"name": name, **extra, "samples": samples, "errors": errors}
    if samples:
        def med(key: str) -> float:
            return statistics.median(s[key] for s in samples)
        item.update(first_ms=med("first_ms"), settled_ms=med("settled_ms"),
                    first_x_bare=statistics.median(s["first_ms"] / s["bare_first_ms"] for s in samples),
                    settled_x_bare=statistics.median(s["settled_ms"] / s["bare_settled_ms"] for s in samples),
                    cold_settled_ms=samples[0]["settled_ms"])
    return item


def repeat(session: Session, name: str, count: int, spec: dict, action_for, **extra) -> dict:
    """``count`` samples of ``action_for(i)``; a failed sample is an error, the others still count."""
    samples, errors = [], []
    for i in range(count):
        try:
            samples.append(session.sample(spec, action_for(i)))
        except (PlaywrightError, NotChanged) as exc:  # a timeout or no change: reported, and the run goes on
            errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    item = summarise(name, samples, errors, **extra)
    print(f"  {name}: first figure {item.get('first_ms', float('nan')):,.0f} ms, settled "
          f"{item.get('settled_ms', float('nan')):,.0f} ms, {len(errors)} failed", flush=True)
    return item


def what_ifs(session: Session, page_name: str, presses: int, notes: list[str]) -> list[dict]:
    results = []
    for page, name, label, key in SELECTORS["what_ifs"]:
        if page != page_name:
            continue
        thumb = slider(session.product, label)
        if thumb.count() == 0:
            notes.append(f"{name}: no slider labelled {label!r}… on the {page} page; skipped")
            continue
        results.append(repeat(session, name, presses, {"mode": "change"},
                              lambda _i, t=thumb.first, k=key: _press_within(t, k), page=page, key=key))
    return results


def _press_within(thumb, key: str):
    """A press of ``key``; when it moved nothing (the thumb was at that end of its range: a select slider with a few
    options gets there within a run's presses), a press of the opposite arrow. Streamlit's slider thumbs carry only
    aria-valuetext, so the end shows as a press that leaves it unchanged (that sample's time then includes the
    first press, a few ms)."""
    def press() -> None:
        before = thumb.get_attribute("aria-valuetext")
        thumb.press(key)
        if thumb.get_attribute("aria-valuetext") == before:
            thumb.press({"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight"}[key])
    return press


def toggles(session: Session, page_name: str, clicks: int, notes: list[str]) -> list[dict]:
    results = []
    for page, name, label, wanted in SELECTORS["toggles"]:
        if page != page_name:
            continue
        radio = session.product.get_by_test_id("stRadio").filter(
            has=session.product.get_by_test_id("stWidgetLabel").get_by_text(label_start(label)))
        if radio.count() == 0:
            notes.append(f"{name}: no radio labelled {label!r}… on the {page} page; skipped")
            continue
        if wanted is None:  # every option, the first (the one shown) last
            names = radio.first.get_by_role("radio").evaluate_all(
                "inputs => inputs.map(i => i.closest('label').textContent.trim())")
            wanted = names[1:] + names[:1]
        results.append(repeat(session, name, clicks, {"mode": "change"}, lambda i, r=radio.first, o=wanted: (
            lambda: r.get_by_text(o[i % len(o)], exact=True).click()), page=page, options=list(wanted)))
    return results


def circuit(pages: list[str], start: str) -> list[str]:
    """A walk from ``start`` taking every ordered pair of pages exactly once (an Euler circuit)."""
    unused = {a: [b for b in pages if b != a] for a in pages}
    stack, walk = [start], []
    while stack:
        if unused[stack[-1]]:
            stack.append(unused[stack[-1]].pop())
        else:
            walk.append(stack.pop())
    return walk[::-1]


def page_switches(session: Session, start: str, rounds: int) -> list[dict]:
    pages = list(SELECTORS["pages"])
    walk = [start] + [p for _ in range(rounds) for p in circuit(pages, start)[1:]] if rounds else \
        [start, *(p for p in pages if p != start), start]
    samples: dict[tuple[str, str], list] = {}
    for here, there in itertools.pairwise(walk):
        got = samples.setdefault((here, there), ([], []))
        try:
            got[0].append(session.sample(arrival(there), nav_click(session.product, there)))
        except (PlaywrightError, NotChanged) as exc:  # reported; the walk goes on from wherever the page is
            got[1].append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    return [summarise(f"{a} → {b}", s, e, source=a, destination=b) for (a, b), (s, e) in samples.items()]


# --- the run ---------------------------------------------------------------------------------------

def settle(page) -> None:
    page.wait_for_function("""() => { const app = document.querySelector('[data-testid="stApp"]');
        return app && app.getAttribute('data-test-script-state') === 'notRunning'; }""", timeout=TIMEOUT_MS)


def upload(page, url: str, path: Path) -> dict:
    """Open the app (the bundled sample loads), then upload ``path`` on the Data page as a user does."""
    page.goto(url)
    page.get_by_test_id("stMetricValue").first.wait_for(timeout=TIMEOUT_MS)
    settle(page)
    timed(page, arrival("Data"), nav_click(page, "Data"))
    started = time.perf_counter()
    page.locator(SELECTORS["upload"]["file"]).first.set_input_files(str(path))
    page.get_by_role("button", name=SELECTORS["upload"]["button"]).click()
    loaded = page.get_by_text(re.compile(SELECTORS["upload"]["loaded"]))
    loaded.wait_for(timeout=1_800_000)
    seconds = time.perf_counter() - started
    settle(page)
    return {"upload_and_load_seconds": seconds, "loaded": loaded.inner_text()}


def measure(path: Path, presses: int, rounds: int) -> dict:
    store = Path(tempfile.mkdtemp(prefix="sla-bench-store-")) / "store.duckdb"
    notes: list[str] = []
    with serve("app.py", {"SLA_STORE_PATH": str(store)}) as (server, url), \
            serve("bench/bare_slider_page.py") as (_, bare_url), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        product = browser.new_context(viewport=VIEWPORT).new_page()
        bare = browser.new_context(viewport=VIEWPORT).new_page()
        for tab in (product, bare):
            tab.add_init_script(PROBE_JS)
        bare.goto(bare_url)
        bare.get_by_test_id("stMetricValue").wait_for(timeout=TIMEOUT_MS)
        rss = TreeRss(server.pid)
        result = {"upload": upload(product, url, path)}
        session = Session(product, bare)
        visits, what, flips = [], [], []
        for page_name in ("Marketing SLA", "Sales SLA"):
            visits.append(repeat(session, f"→ {page_name}, first visit after the upload", 1, arrival(page_name),
                                 lambda _i, n=page_name: nav_click(product, n)))
            what += what_ifs(session, page_name, presses, notes)
            flips += toggles(session, page_name, presses, notes)
        switches = page_switches(session, "Sales SLA", rounds)
        result.update(first_visits=visits, what_ifs=what, toggles=flips, page_switches=switches,
                      notes=notes, server_memory=rss.stop())
        browser.close()
    bare_samples = [s for group in (visits, what, flips, switches) for item in group for s in item["samples"]]
    result["bare"] = {"first_ms": statistics.median(s["bare_first_ms"] for s in bare_samples),
                      "settled_ms": statistics.median(s["bare_settled_ms"] for s in bare_samples),
                      "samples": len(bare_samples)}
    result["errors"] = sum(len(item["errors"]) for group in (visits, what, flips, switches) for item in group)
    return result


def verdict(item: dict, ratio_key: str, target: float | None) -> list[str]:
    if "first_ms" not in item:
        return [item["name"], "—", "—", "—", "—", "—", "; ".join(item["errors"])]
    met = "—" if target is None else ("yes" if item[ratio_key] <= target else "NO")
    return [item["name"], f"{item['first_ms']:,.0f}", f"{item['first_x_bare']:.1f}×", f"{item['settled_ms']:,.0f}",
            f"{item['settled_x_bare']:.1f}×", "—" if target is None else f"≤ {target:g}×", met
            + (f" ({len(item['errors'])} failed)" if item["errors"] else "")]


def table(result: dict) -> str:
    rows = [verdict(i, "first_x_bare", TARGETS["what_if_first_x_bare"]) for i in result["what_ifs"]]
    rows += [verdict(i, "settled_x_bare", TARGETS["switch_settled_x_bare"])
             for i in result["toggles"] + result["first_visits"] + result["page_switches"]]
    bare = result["bare"]
    lines = ["| item | first figure ms | × bare | settled ms | × bare | target | met |",
             "|---|---|---|---|---|---|---|",
             (f"| bare page (one slider), {bare['samples']} presses | {bare['first_ms']:,.0f} | 1× | "
              f"{bare['settled_ms']:,.0f} | 1× | — | — |")]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += [f"| note | {n} | | | | | |" for n in result["notes"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="leads to generate (default 1M)")
    ap.add_argument("--file", type=Path, help="an export to upload instead of a generated one")
    ap.add_argument("--presses", type=int, default=5, help="samples per what-if and toggle")
    ap.add_argument("--rounds", type=int, default=3, help="times every ordered pair of pages is switched")
    ap.add_argument("--check", action="store_true", help="2k leads, one sample each, each page once")
    ap.add_argument("--json", type=Path, default=OUT / "browser_latency.json")
    args = ap.parse_args(argv)
    if args.check:
        args.rows, args.presses, args.rounds = 2_000, 1, 0
    started, load_before = datetime.now(UTC), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="sla-bench-latency-") as tmp:
        path = ensure_export(args.rows, args.file, Path(tmp) if args.check else OUT)
        result = measure(path, args.presses, args.rounds)
        result.update(csv_bytes=path.stat().st_size)
    result.update(started=started.isoformat(timespec="seconds"), csv=str(path),
                  nproc=os.cpu_count(), load_before=load_before, load_after=os.getloadavg(), targets=TARGETS,
                  presses=args.presses, rounds=args.rounds)
    result["table"] = table(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print(f"{result['upload']['loaded']} in {result['upload']['upload_and_load_seconds']:.1f} s; server peak RSS "
          f"{result['server_memory']['peak_tree_rss_bytes'] / MiB:,.0f} MiB; load average "
          f"{load_before[0]:.1f} → {result['load_after'][0]:.1f} on {os.cpu_count()} cores\n\n{result['table']}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

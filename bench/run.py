"""Benchmark: the product against DuckDB's own CSV scan, a saved workspace, Streamlit and plain pandas.

usage:
  python bench/run.py                      # 1M and 5M leads, 5 runs each (a few minutes; big files in bench/out/)
  python bench/run.py --sizes 1000000 --runs 7
  python bench/run.py --check [--json F]   # 100k leads: the report's numbers equal pandas_reference's (no timing)
  python bench/run.py --one STEP ...       # one measured pipeline, run by the benchmark in a fresh process

Every pipeline runs in a fresh subprocess (imports and peak RSS per run) and the floor
runs alternate with the others, so each ratio is taken within one repetition and the
median of the ratios is reported. The exports come from the repo's seeded generator
(HubSpot style, like the bundled sample). Results: a table on stdout and
bench/out/results.json (git-ignored). Timing is left out of the test run on purpose;
tests/test_bench.py runs ``--check``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
PY = sys.executable
MONTH = "2024-06"  # a complete month in the generator's span (2024-01 … 2025-01-15)
CHECK_MONTHS = ("2024-01", "2024-06", "2024-11", "2024-12", "2025-01")  # first, middle, maturing, last full, partial
CHECK_ROWS = 100_000
SEED = 42
SLIDER_KEY = "quota"  # pages/marketing.py: the slider of the sales quota (sla_core/marketing_inputs.INPUTS)
SLIDER_VALUES = (150_000.0, 250_000.0)
WARMUP_RERUNS, TIMED_RERUNS = 5, 50
TARGETS = {"product_x_floor": 3.0, "reopen_x_floor": 1.0, "slider_x_bare": 3.0, "pandas_over_product_5m": 1.5}
FLOOR_CODE = ("import sys, duckdb; "
              "print(duckdb.connect().execute('SELECT count(*) FROM read_csv(?)', [sys.argv[1]]).fetchone()[0])")
# Not a target: DuckDB's own CSV → table with its detected types, no checks and no metrics (what the
# ingest target is up against: materialising the rows, before any rule is applied).
LOAD_CODE = ("import sys, duckdb; con = duckdb.connect(); "
             "con.execute('CREATE TABLE t AS SELECT * FROM read_csv(?)', [sys.argv[1]]); "
             "print(con.execute('SELECT count(*) FROM t').fetchone()[0])")
KB = 1024


def _importable() -> None:
    """Let a step import the repo's packages when run as ``python bench/run.py``."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


# --- single steps, each run in its own process ------------------------------------------------

def report_args(path: Path, month: str) -> list[str]:
    return ["report", "--leads", str(path), "--month", month, "--format", "json"]


def step_save(path: Path, store_file: Path) -> dict:
    """Ingest once and save it as a workspace through the store's public API (what "Save" does)."""
    _importable()
    from sla_core.ingest import load as ingest
    from sla_core.store import workspaces as store
    from sla_core.db import open_session_db
    from sla_core.ingest.mapping import Mapping
    with tempfile.TemporaryDirectory(prefix="sla-bench-", dir=OUT) as tmp:
        work = Path(tmp)
        con = open_session_db(work, readable=(path.parent,))
        dataset = ingest.load(con, ingest.UploadSet(ingest.Upload(path.name, path)), Mapping(), ingest.ReadOptions(),
                              work / "work")
        db = store.open_store(store_file)
        started = time.perf_counter()
        workspace_id, _ = store.save_workspace(db.cursor(), con, "bench", dataset, Mapping().to_json(), "{}")
        seconds = time.perf_counter() - started
        db.close()
        con.close()
    return {"workspace_id": workspace_id, "save_seconds": seconds, "store_bytes": store_file.stat().st_size}


def step_reopen(store_file: Path, workspace_id: str, month: str) -> dict:
    """Open a saved workspace as a share link does (the stored rows, queried in place) and build the full report."""
    _importable()
    from sla_core import report
    from sla_core.store import workspaces as store
    from sla_core.assumptions import Assumptions
    cur = store.open_store(store_file).cursor()
    saved = store.get_workspace(cur, workspace_id)
    store.show_workspace(cur, workspace_id)
    return report.build(cur, saved.dataset, report.ReportRequest(report.parse_month(month), Assumptions()))


def _rerun_times(app, bare) -> dict:
    """Median seconds of a slider move + rerun, the page and the bare page alternating."""
    times: dict[str, list[float]] = {"page": [], "bare": []}
    for i in range(WARMUP_RERUNS + TIMED_RERUNS):
        value = SLIDER_VALUES[i % 2]
        for name, at in (("page", app), ("bare", bare)):
            slider = at.slider(key=SLIDER_KEY).set_value(value)
            started = time.perf_counter()
            slider.run()
            if i >= WARMUP_RERUNS:
                times[name].append(time.perf_counter() - started)
    if app.exception or bare.exception:
        raise RuntimeError(f"page raised: {app.exception or bare.exception}")
    if app.slider(key=SLIDER_KEY).value != SLIDER_VALUES[(WARMUP_RERUNS + TIMED_RERUNS - 1) % 2]:
        raise RuntimeError("the slider did not take the value")
    ratios = [p / b for p, b in zip(times["page"], times["bare"], strict=True)]
    return {"page_ms": 1000 * statistics.median(times["page"]), "bare_ms": 1000 * statistics.median(times["bare"]),
            "ratio": statistics.median(ratios), "page_ms_range": [1000 * min(times["page"]), 1000 * max(times["page"])]}


def step_slider(path: Path) -> dict:
    """Median server-side rerun after a slider move: Marketing SLA page with ``path`` loaded vs the bare page.

    Measured twice: as AppTest runs (it builds a new ScriptCache on every run, so each rerun
    recompiles app.py and the page), and with one cache kept across reruns as the real
    server's Runtime does, which isolates what the page itself costs.
    """
    _importable()
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner
    from streamlit.testing.v1 import AppTest
    from sla_core.ingest import load as ingest
    from sla_core.ingest.mapping import Mapping
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    app.run()
    ws = app.session_state["workspace"]
    with open(path, "rb") as upload:
        files = ws.store_uploads({"leads": upload})
    dataset = ws.load(files, Mapping(), ingest.ReadOptions())
    app.switch_page("pages/marketing.py").run()
    bare = AppTest.from_file(str(BENCH / "bare_slider_page.py"), default_timeout=60)
    bare.run()
    result = {"rows_loaded": dataset.rows_loaded, **_rerun_times(app, bare)}
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    result["server_script_cache"] = _rerun_times(app, bare)
    return result


# --- correctness: the report against the pandas reference -------------------------------------

def compare(product: dict, reference: dict, rel: float = 1e-9) -> list[str]:
    """Differences between one month's report and pandas_reference's figures for it (empty when equal)."""
    pairs = [(f"actuals.{k}", product["actuals"][k], v) for k, v in reference["actuals"].items()]
    pairs += [(f"speed.{k}", product["speed"][k], v) for k, v in reference["speed"].items()]
    pairs += [(f"depth.{k}", product["depth"][k], v) for k, v in reference["depth"].items()]
    actual_cum = [p["actual_cum"] for p in product["goal_line"] if p["actual_cum"] is not None]
    pairs.append(("goal_line.actual_cum", actual_cum, reference["goal_line_actual_cum"]))
    bad = []
    for name, mine, theirs in pairs:
        same = (mine == theirs if mine is None or theirs is None or isinstance(mine, list)
                else abs(mine - theirs) <= rel * max(1.0, abs(theirs)))
        if not same:
            bad.append(f"{name}: report {mine!r} != pandas {theirs!r}")
    return bad


def close(a, b, rel: float = 1e-9) -> bool:
    """Equal JSON values, floats within ``rel`` (sums taken in another order differ in the last digits)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rel) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= rel * max(1.0, abs(b))
    return a == b


def check(out_dir: Path, rows: int = CHECK_ROWS, months: tuple[str, ...] = CHECK_MONTHS) -> dict:
    """Generate ``rows`` leads, run the report command for each month and pandas_reference once; compare."""
    _importable()
    from bench import pandas_reference
    from sla_core.__main__ import _parser, run_report
    from sla_core.generator import write_export
    path = write_export(rows, out_dir / f"leads_{rows}.csv", seed=SEED, style="hubspot")
    reference = pandas_reference.report(pandas_reference.load(str(path)), list(months))
    result = {"rows": rows, "months": {}}
    for month in months:
        product = json.loads(run_report(_parser().parse_args(report_args(path, month))))
        result["months"][month] = {"report": product, "reference": reference[month],
                                   "differences": compare(product, reference[month])}
    return result


# --- the timed run -------------------------------------------------------------------------------

def run_child(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (bytes) and stdout of one fresh process.

    The peak comes from /usr/bin/time -f %M: a child's own ru_maxrss also counts the
    parent it was forked from (Linux records the old memory map's high-water mark at exec).
    """
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return seconds, int(done.stderr.strip().splitlines()[-1]) * KB, done.stdout


def pipelines(path: Path, store_file: Path | None, workspace_id: str | None, month: str) -> dict[str, list[str]]:
    cmds = {
        "floor": [PY, "-c", FLOOR_CODE, str(path)],
        "duckdb_load": [PY, "-c", LOAD_CODE, str(path)],
        "product": [PY, "-m", "sla_core", *report_args(path, month)],
        "pandas": [PY, str(BENCH / "pandas_reference.py"), str(path), "--month", month],
    }
    if workspace_id:
        cmds["reopen"] = [PY, str(BENCH / "run.py"), "--one", "reopen", str(store_file), workspace_id, "--month", month]
    return cmds


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def machine() -> dict:
    def sh(cmd: str) -> str:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": sh("nproc"), "cpu": cpu, "free_h": sh("free -h"), "python": platform.python_version(),
            **{name: version(name) for name in ("duckdb", "pandas", "pyarrow", "streamlit")}}


def bench_size(rows: int, runs: int, month: str, with_slider: bool) -> dict:
    path = OUT / f"leads_{rows}.csv"
    started = time.perf_counter()  # generated in a child process: this one stays small (see run_child)
    subprocess.run([PY, "-m", "sla_core.generator", str(rows), str(path), "--seed", str(SEED), "--style", "hubspot"],
                   cwd=ROOT, check=True)
    result: dict = {"rows": rows, "csv_bytes": path.stat().st_size, "generate_seconds": time.perf_counter() - started,
                    "load_before": os.getloadavg()}
    print(f"\n{rows:,} leads: {result['csv_bytes'] / 1e6:.0f} MB CSV", flush=True)
    store_file = OUT / f"store_{rows}.duckdb"
    workspace_id = None
    try:
        saved = json.loads(run_child([PY, str(BENCH / "run.py"), "--one", "save", str(path), str(store_file)])[2])
        workspace_id = saved["workspace_id"]
        result["save"] = {k: v for k, v in saved.items() if k != "workspace_id"}
    except (RuntimeError, json.JSONDecodeError) as exc:
        result["reopen_not_measured"] = f"saving a workspace failed: {exc}"
    cmds = pipelines(path, store_file, workspace_id, month)
    seconds: dict[str, list[float]] = {k: [] for k in cmds}
    peaks: dict[str, list[int]] = {k: [] for k in cmds}
    outputs: dict[str, str] = {}
    order = [n for n in cmds if n != "floor"]
    for i in range(runs + 1):  # the first round warms the page cache and is not counted
        for name in order:  # A B A C …: the floor before every other pipeline
            for step in ("floor", name):
                s, p, out = run_child(cmds[step])
                outputs[step] = out
                if i:
                    seconds[step].append(s)
                    peaks[step].append(p)
        print(f"  round {i}{' (warm-up)' if not i else ''}: " + ", ".join(
            f"{k} {v[-1]:.2f}s" for k, v in seconds.items() if v), flush=True)
    floor = seconds["floor"]
    result["seconds"] = {k: summary(v) for k, v in seconds.items()}
    result["peak_bytes"] = {k: max(v) for k, v in peaks.items()}
    # each pipeline's ratio is taken against the floor run just before it
    result["x_floor"] = {name: statistics.median(
        [seconds[name][r] / floor[r * len(order) + order.index(name)] for r in range(runs)]) for name in order}
    result["pandas_over_product"] = statistics.median(
        [a / b for a, b in zip(seconds["pandas"], seconds["product"], strict=True)])
    result["memory_budget_bytes"] = 1.5 * result["csv_bytes"] + 400e6
    product_report = json.loads(outputs["product"])
    missing = [k for k in ("targets", "actuals", "goal_line", "speed", "depth", "data_quality")
               if k not in product_report]
    result["report_sections"] = [k for k in product_report]
    result["report_sections_missing"] = missing
    if "reopen" in outputs:
        reopened = json.loads(outputs["reopen"])
        result["reopen_differences"] = [k for k in product_report if k != "data_quality"
                                        and not close(reopened.get(k), product_report[k])]
    reference = json.loads(outputs["pandas"])[month]
    result["pandas_differences"] = compare(product_report, reference, rel=1e-6)
    if with_slider:
        slider = json.loads(run_child([PY, str(BENCH / "run.py"), "--one", "slider", str(path)])[2])
        result["slider"] = slider
    result["load_after"] = os.getloadavg()
    return result


def verdicts(results: list[dict]) -> list[tuple[str, str, str, str]]:
    """(item, measured, target, met) rows for the table and the README."""
    rows = []
    for r in results:
        size = f"{r['rows'] / 1e6:g}M" if r["rows"] >= 1_000_000 else f"{r['rows'] // 1000}k"
        floor = r["seconds"]["floor"]["median"]
        prod = r["x_floor"]["product"]
        rows.append((f"{size} floor: DuckDB count(*) read_csv", f"{floor:.2f} s", "—", "—"))
        rows.append((f"{size} reference: DuckDB's own CSV → table (auto types; no checks, no metrics)",
                     f"{r['seconds']['duckdb_load']['median']:.2f} s = {r['x_floor']['duckdb_load']:.2f}× floor",
                     "—", "—"))
        rows.append((f"{size} ingest + report (all sections)",
                     f"{r['seconds']['product']['median']:.2f} s = {prod:.2f}× floor",
                     f"≤ {TARGETS['product_x_floor']:.0f}×", "yes" if prod <= TARGETS["product_x_floor"] else "NO"))
        if "reopen" in r["x_floor"]:
            ro = r["x_floor"]["reopen"]
            rows.append((f"{size} reopen saved workspace + report",
                         f"{r['seconds']['reopen']['median']:.2f} s = {ro:.2f}× floor",
                         f"≤ {TARGETS['reopen_x_floor']:.0f}×", "yes" if ro <= TARGETS["reopen_x_floor"] else "NO"))
        else:
            rows.append((f"{size} reopen saved workspace + report", "not measured", "≤ 1×",
                         r.get("reopen_not_measured", "")))
        peak, budget = r["peak_bytes"]["product"], r["memory_budget_bytes"]
        rows.append((f"{size} peak RSS, ingest + report", f"{peak / 2**20:,.0f} MiB",
                     f"≤ {budget / 2**20:,.0f} MiB (1.5× CSV + 400 MB)", "yes" if peak <= budget else "NO"))
        pandas = r["pandas_over_product"]
        rows.append((f"{size} plain pandas (pyarrow) same metrics",
                     f"{r['seconds']['pandas']['median']:.2f} s; pandas ÷ product = {pandas:.2f}×",
                     "≥ 1.5× at 5M" if r["rows"] >= 5_000_000 else "—",
                     ("yes" if pandas >= TARGETS["pandas_over_product_5m"] else "NO")
                     if r["rows"] >= 5_000_000 else "—"))
        if "slider" in r:
            for label, s in (("AppTest", r["slider"]), ("AppTest, script cache kept as the server does",
                                                          r["slider"]["server_script_cache"])):
                rows.append((f"{size} what-if slider rerun, Marketing SLA page ({label})",
                             f"{s['page_ms']:.1f} ms vs bare {s['bare_ms']:.1f} ms = {s['ratio']:.2f}×",
                             f"≤ {TARGETS['slider_x_bare']:.0f}×",
                             "yes" if s["ratio"] <= TARGETS["slider_x_bare"] else "NO"))
    return rows


def print_table(rows: list[tuple[str, str, str, str]], results: list[dict]) -> str:
    lines = ["| item | measured (median) | target | met |", "|---|---|---|---|"]
    for r in results:
        lines.append(f"| load average (1, 5, 15 min) around the {r['rows']:,}-lead runs | before "
                     f"{', '.join(f'{x:.1f}' for x in r['load_before'])}; "
                     f"after {', '.join(f'{x:.1f}' for x in r['load_after'])}"
                     " | — | — |")
    lines += [f"| {' | '.join(r)} |" for r in rows]
    text = "\n".join(lines)
    print("\n" + text)
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--month", default=MONTH)
    ap.add_argument("--check", action="store_true", help="correctness only, 100k leads")
    ap.add_argument("--json", type=Path, help="where to write the results (default bench/out/results.json)")
    ap.add_argument("--keep", action="store_true", help="keep the generated CSVs and stores")
    ap.add_argument("--one", nargs="+", metavar="STEP", help="save FILE STORE | reopen STORE ID | slider FILE")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.one:
        step, *rest = args.one
        if step == "save":
            print(json.dumps(step_save(Path(rest[0]).resolve(), Path(rest[1]).resolve())))
        elif step == "reopen":
            print(json.dumps(step_reopen(Path(rest[0]).resolve(), rest[1], args.month), default=str))
        elif step == "slider":
            print(json.dumps(step_slider(Path(rest[0]).resolve())))
        else:
            ap.error(f"unknown step {step!r}")
        return 0
    if args.check:
        with tempfile.TemporaryDirectory(prefix="sla-check-", dir=OUT) as tmp:
            result = check(Path(tmp))
        bad = {m: r["differences"] for m, r in result["months"].items() if r["differences"]}
        for month, r in result["months"].items():
            print(f"{month}: {'OK' if not r['differences'] else '; '.join(r['differences'])}")
        (args.json or OUT / "check.json").write_text(json.dumps(result, indent=2, default=str))
        return 1 if bad else 0
    results = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
               "month": args.month, "runs": args.runs, "targets": TARGETS, "sizes": []}
    try:
        for rows in args.sizes:
            results["sizes"].append(bench_size(rows, args.runs, args.month, with_slider=rows == min(args.sizes)))
    finally:
        if not args.keep:
            for f in [*OUT.glob("leads_*.csv"), *OUT.glob("store_*.duckdb*")]:
                f.unlink()
    results["table"] = print_table(verdicts(results["sizes"]), results["sizes"])
    (args.json or OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

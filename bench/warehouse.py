"""Spark (local, in this process's JVM) against DuckDB on one machine: the same report of the same leads.

For each size: the seeded export is generated, DuckDB loads the CSV and writes the report (the product as
it runs today), and Spark reads a Parquet copy of the loaded leads (what a warehouse table looks like) and
writes the same report. Each engine runs in a fresh child process; its peak memory is the whole process
tree's (Spark's JVM is a child of Python), sampled every 0.2 s. Output: a table, and JSON in bench/out/.

    python bench/warehouse.py 1000000 5000000
    python bench/warehouse.py --check          # 20k leads, to see it work
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PY = sys.executable
SEED = 42
MONTH = "2024-06"
CLOCKS = ("calendar", "business")


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total


def run_child(args: list[str]) -> tuple[dict, int]:
    """The JSON a child prints, and the peak memory of its process tree."""
    child = subprocess.Popen([PY, __file__, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    peak = [0]

    def sample():
        while child.poll() is None:
            peak[0] = max(peak[0], tree_rss(child.pid))
            time.sleep(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    out, err = child.communicate()
    watcher.join()
    if child.returncode:
        raise RuntimeError(f"{' '.join(args)} exited {child.returncode}: {err.strip()[-800:]}")
    return json.loads(out.strip().splitlines()[-1]), peak[0]


def timed(step: dict, name: str, fn):
    started = time.perf_counter()
    result = fn()
    step[name] = round(time.perf_counter() - started, 2)
    return result


def one_duckdb(csv: Path, parquet: Path) -> dict:
    """In a child: DuckDB loads the CSV, writes both clocks' reports and a Parquet copy of the loaded leads."""
    import pyarrow.parquet as pq

    from sla_core import report
    from sla_core.assumptions import Assumptions
    from sla_core.db import open_session_db
    from sla_core.ingest import load as ingest
    from sla_core.ingest.mapping import Mapping

    steps: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-warehouse-") as tmp:
        con = open_session_db(Path(tmp), readable=(csv.resolve().parent,))
        files = ingest.UploadSet(leads=ingest.Upload(csv.name, csv.resolve()))
        dataset = timed(steps, "load", lambda: ingest.load(con, files, Mapping(), ingest.ReadOptions(tz="UTC"),
                                                           Path(tmp) / "work"))
        for clock in CLOCKS:
            request = report.ReportRequest(report.parse_month(MONTH), Assumptions(), clock)
            steps[f"{clock}_figures"] = report.build(con, dataset, request)["speed"]
            timed(steps, f"report_{clock}", lambda r=request: report.build(con, dataset, r))
        if not parquet.exists():
            table = con.sql("SELECT * EXCLUDE (touched_before_handoff) FROM leads").to_arrow_table()
            pq.write_table(table, parquet)
    return steps


def one_spark(parquet: Path, url: str) -> dict:
    """In a child: Spark starts, maps the Parquet source and writes both clocks' reports."""
    from sla_core import report
    from sla_core.assumptions import Assumptions
    from sla_core.engine import spark, spark_source
    from sla_core.ingest.mapping import Mapping

    steps: dict = {}
    timed(steps, "start", lambda: spark.session(url))
    engine, dataset = timed(steps, "load", lambda: spark_source.load(spark_source.SparkSource(url, str(parquet)),
                                                                      Mapping(), "UTC"))
    for clock in CLOCKS:
        request = report.ReportRequest(report.parse_month(MONTH), Assumptions(), clock)
        steps[f"{clock}_figures"] = timed(steps, f"report_{clock}",
                                          lambda r=request: report.build(engine, dataset, r))["speed"]
    return steps


def bench(rows: int, url: str) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    csv, parquet = OUT / f"leads_{rows}.csv", OUT / f"leads_{rows}.parquet"
    if not csv.exists():
        subprocess.run([PY, "-m", "sla_core.generator", str(rows), str(csv), "--seed", str(SEED), "--style",
                        "hubspot"], cwd=ROOT, check=True)
    result: dict = {"rows": rows, "load_before": os.getloadavg(), "spark_url": url}
    result["duckdb"], result["duckdb_peak_bytes"] = run_child(["--one", "duckdb", str(csv), str(parquet)])
    result["spark"], result["spark_peak_bytes"] = run_child(["--one", "spark", str(parquet), url])
    result["same_figures"] = all(result["duckdb"][f"{c}_figures"] == result["spark"][f"{c}_figures"] for c in CLOCKS)
    result["load_after"] = os.getloadavg()
    return result


def table(results: list[dict]) -> str:
    lines = ["| leads | engine | load s | report calendar s | report business s | peak memory | same speed figures |",
             "|---:|---|---:|---:|---:|---:|---|"]
    for r in results:
        for engine in ("duckdb", "spark"):
            s = r[engine]
            load = s["load"] if engine == "duckdb" else f"{s['start']} start + {s['load']}"
            lines.append(f"| {r['rows']:,} | {engine} | {load} | {s['report_calendar']} | {s['report_business']} | "
                         f"{r[f'{engine}_peak_bytes'] / 2**30:.2f} GiB | {r['same_figures']} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", nargs="*", type=int)
    ap.add_argument("--check", action="store_true", help="20k leads only")
    ap.add_argument("--spark-url", default="local[2]")
    ap.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        kind, *rest = args.one
        steps = one_duckdb(Path(rest[0]), Path(rest[1])) if kind == "duckdb" else one_spark(Path(rest[0]), rest[1])
        print(json.dumps(steps, default=str))
        return 0
    results = [bench(rows, args.spark_url) for rows in ([20_000] if args.check else args.rows or [1_000_000])]
    (OUT / "warehouse.json").write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    return 0 if all(r["same_figures"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

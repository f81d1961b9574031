"""The upload path end to end: a generated export uploaded through Chromium into a live server.

usage:
  python bench/browser_upload.py --rows 5000000     # generates bench/out/leads_<rows>.csv unless --file is given
  python bench/browser_upload.py --file leads.csv --rows 5000000

Starts ``streamlit run app.py`` on 127.0.0.1 (a throwaway store), opens the Data page in
Debian's Chromium (/usr/bin/chromium, headless), chooses the file, presses "Load export"
and waits for "Loaded N leads". Reports the time from choosing the file to that message
(browser → server transfer, saving to the session folder, ingest) and the server's peak
and settled RSS, sampled every 50 ms from /proc. Not part of the test run; results go to
stdout and bench/out/browser_upload.json.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MiB = 2**20


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) * 1024
    return 0


class PeakRss:
    """The highest RSS a process reaches while this watches it."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss(self.pid))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def measure(path: Path, rows: int) -> dict:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SLA_STORE_PATH": str(Path(tempfile.mkdtemp(prefix="sla-bench-store-")) / "store.duckdb")}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true",
                               "--browser.gatherUsageStats", "false"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for _ in range(100):
                try:
                    page.goto(f"http://127.0.0.1:{port}/data")
                    break
                except Exception:  # the server is still starting
                    time.sleep(0.3)
            expect(page.get_by_text("Rows read")).to_be_visible(timeout=120_000)  # the bundled sample is loaded
            before = _rss(server.pid)
            watch = PeakRss(server.pid)
            started = time.perf_counter()
            page.locator("input[type=file]").first.set_input_files(str(path))
            page.get_by_role("button", name="Load export").click()
            expect(page.get_by_text(f"Loaded {rows:,} leads")).to_be_visible(timeout=1_800_000)
            seconds = time.perf_counter() - started
            time.sleep(3)
            watch.stop()
            browser.close()
        return {"rows": rows, "csv_bytes": path.stat().st_size, "upload_and_load_seconds": seconds,
                "rss_before_bytes": before, "peak_rss_bytes": watch.peak, "rss_after_bytes": _rss(server.pid)}
    finally:
        server.terminate()
        server.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--file", type=Path, help="an export with --rows leads (default: generate one)")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    path = args.file or OUT / f"leads_{args.rows}.csv"
    if args.file is None:
        subprocess.run([sys.executable, "-m", "sla_core.generator", str(args.rows), str(path), "--seed", "42",
                        "--style", "hubspot"], cwd=ROOT, check=True)
    result = measure(path, args.rows)
    print(f"{args.rows:,} leads, {result['csv_bytes'] / 1e6:.0f} MB: "
          f"upload + load {result['upload_and_load_seconds']:.1f} s; "
          f"server RSS {result['rss_before_bytes'] / MiB:,.0f} MiB before, "
          f"peak {result['peak_rss_bytes'] / MiB:,.0f} MiB, "
          f"{result['rss_after_bytes'] / MiB:,.0f} MiB 3 s after")
    (OUT / "browser_upload.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

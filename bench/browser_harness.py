"""What the browser benchmarks share: a live server, Chromium's settings, the in-page probe, memory.

bench/browser_latency.py and bench/viewers.py time what a user feels with the probe below:
it stamps ``performance.now()`` inside the page, so Playwright's own round trips are not
counted. An action is "settled" when the script run has finished (``stApp``'s
``data-test-script-state`` back to ``notRunning``) and the main area has stopped changing:
the frontend can still be drawing what the run sent when it learns the run is over.
Streamlit's status widget is not used: it appears only once a run has lasted 500 ms and
fades out for 200 ms.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 300_000
MiB = 2**20

# Installed in every page: window.__benchArm(spec) starts watching for one action's effects.
PROBE_JS = r"""
(() => {
  if (window.__benchArm) return;
  const FIGURES = '[data-testid="stMetric"], [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]';
  const main = () => document.querySelector('[data-testid="stMain"]') || document.body || document.documentElement;
  const state = () => { const app = document.querySelector('[data-testid="stApp"]');
                        return app && app.getAttribute('data-test-script-state'); };
  const BUSY = ['running', 'rerunRequested'];
  const WIDGETS = '[data-testid="stSlider"], [data-testid="stWidgetLabel"], [data-testid="stRadio"]';
  const signature = () => Array.from(main().querySelectorAll(FIGURES)).filter(e => !e.closest(WIDGETS))
      .map(e => e.textContent).join('\u241e');
  const hasTitle = (title) => title === null || Array.from(document.querySelectorAll('h1'))
      .some(h => h.textContent.trim() === title);
  const hasMetric = (label) => Array.from(document.querySelectorAll('[data-testid="stMetric"]')).some(m => {
      const l = m.querySelector('[data-testid="stMetricLabel"]'), v = m.querySelector('[data-testid="stMetricValue"]');
      return l && v && l.textContent.trim() === label && v.textContent.trim() !== ''; });
  const appeared = (s) => hasTitle(s.title) && (s.metric ? hasMetric(s.metric)
      : !s.text || main().textContent.includes(s.text));
  window.__benchArm = (spec) => {
    if (window.__benchObserver) window.__benchObserver.disconnect();
    const m = {t0: spec.t0 === undefined ? null : spec.t0, first: null, runEnd: null, last: null, ran: false,
               states: []};
    window.__bench = m;
    const before = spec.mode === 'change' ? signature() : null;
    const reached = spec.mode === 'change' ? () => signature() !== before : () => appeared(spec);
    const observer = new MutationObserver((records) => {
      const now = performance.now();
      const flips = records.filter(r => r.attributeName === 'data-test-script-state');
      if (flips.length) m.states.push([Math.round(now), state()]);
      // a run began: the state is or was 'running' ('initial' → 'notRunning' on connecting is not a run)
      if (flips.some(r => BUSY.includes(r.oldValue)) || BUSY.includes(state())) m.ran = true;
      const area = main();
      if (area && records.some(r => r.type !== 'attributes' && area.contains(r.target))) m.last = now;
      if (m.first === null && area && reached()) m.first = now;
      // a whole run can reach the page in one commit, the state never showing 'running': then it ended there
      if (m.runEnd === null && (m.ran || m.first !== null) && state() === 'notRunning') m.runEnd = now;
    });
    window.__benchObserver = observer;
    observer.observe(document, {subtree: true, childList: true, characterData: true, attributes: true,
                                attributeOldValue: true, attributeFilter: ['data-test-script-state']});
    const start = (e) => { if (m.t0 === null) m.t0 = e.timeStamp; };
    for (const kind of ['keydown', 'pointerdown']) window.addEventListener(kind, start, {capture: true, once: true});
  };
})();
"""
# Done: the run ended, a figure changed and the main area has been still for ``QUIET_MS`` (the frontend may
# draw after the run's end: settled is the later of the two); or the run ended and ``idle`` ms passed with
# no figure changed; or no run started ``idle`` ms after the input.
DONE_JS = """(idle) => { const m = window.__bench, now = performance.now(), QUIET_MS = 300;
  if (m.runEnd !== null && m.first !== null) return now - Math.max(m.runEnd, m.last || 0) > QUIET_MS;
  if (m.runEnd !== null) return now - m.runEnd > idle;
  return !m.ran && m.first === null && m.t0 !== null && now - m.t0 > idle; }"""
IDLE_MS = 30_000  # a key press at the end of a slider starts no run: do not wait for one for ever


class NotChanged(RuntimeError):
    """The action's run ended and nothing a user reads changed."""


# --- servers and memory -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(script: str, env: dict | None = None, timeout: float = 90):
    """``streamlit run script`` on a free loopback port: yields (process, base URL); stopped afterwards."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit run {script} did not start")
            time.sleep(0.2)
        yield proc, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _status_kib(pid: int, field: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def _tree(pid: int) -> list[int]:
    pids, i = [pid], 0
    while i < len(pids):
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pids[i]}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        i += 1
    return pids


def cpu_seconds(root: int) -> float:
    """User + system CPU seconds a process and its descendants have used so far."""
    ticks = 0
    for pid in _tree(root):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class TreeRss:
    """The peak RSS of a process and its descendants, sampled every 50 ms while this watches, and the CPU
    seconds they used meanwhile (beside the wall time: how much of it the server was working)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.before, self._cpu = self.now(), cpu_seconds(pid)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def now(self) -> int:
        return 1024 * sum(_status_kib(p, "VmRSS") for p in _tree(self.pid))

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.now())

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {"rss_before_bytes": self.before, "peak_tree_rss_bytes": max(self.peak, self.before),
                "server_vmhwm_bytes": 1024 * _status_kib(self.pid, "VmHWM"),
                "rss_at_end_bytes": self.now(), "cpu_seconds": cpu_seconds(self.pid) - self._cpu}


def ensure_export(rows: int, path: Path | None, folder: Path = OUT) -> Path:
    """``path``, or the seeded HubSpot-style export of ``rows`` leads generated into ``folder``."""
    if path is not None:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"leads_{rows}.csv"
    subprocess.run([sys.executable, "-m", "sla_core.generator", str(rows), str(path), "--seed", "42",
                    "--style", "hubspot"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return path


def probe_result(m: dict) -> dict:
    """ms from the input to the first figure and to settled, from the probe's record ``m``."""
    if m["runEnd"] is None:
        raise NotChanged(f"no rerun started (a key press at the end of a slider?); script states {m['states']}")
    if m["first"] is None:
        raise NotChanged(f"the run ended and no figure changed; script states {m['states']}")
    return {"first_ms": m["first"] - m["t0"], "settled_ms": max(m["first"], m["runEnd"], m["last"] or 0) - m["t0"]}


def timed(page, spec: dict, action) -> dict:
    """Arm the probe with ``spec``, run ``action`` and time its first figure and settled (a sync Page)."""
    page.evaluate("spec => window.__benchArm(spec)", spec)
    action()
    page.wait_for_function(DONE_JS, arg=IDLE_MS, timeout=TIMEOUT_MS, polling=50)
    return probe_result(page.evaluate("() => window.__bench"))

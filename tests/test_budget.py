"""The process's budget: sessions share memory and spill, and big loads take turns (README: Hosting)."""
from __future__ import annotations

import gc
import threading
import time

import duckdb
import pytest
from apptest_support import new_app, shown, upload_on_data_page, workspace_of
from ingest_support import export_text

from pages.common import limits
from sla_core.budget import Budget, ProcessLimits, size_bytes
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping

GB = 10**9


def _setting(con, name: str) -> str:
    return con.execute("SELECT current_setting(?)", [name]).fetchone()[0]


def test_the_budget_reads_its_settings_and_refuses_nonsense():
    assert Budget.from_env({}) == Budget()
    assert Budget.from_env({"SLA_MEMORY_BUDGET": "12GB", "SLA_SPILL_BUDGET": "40 GiB",
                            "SLA_CONCURRENT_LOADS": "2"}) == Budget(12 * GB, 40 * 2**30, 2)
    assert size_bytes("1.5GB") == 1_500_000_000 and size_bytes("512MiB") == 512 * 2**20
    for env in ({"SLA_MEMORY_BUDGET": "lots"}, {"SLA_MEMORY_BUDGET": "100MB"}, {"SLA_CONCURRENT_LOADS": "0"}):
        with pytest.raises(ValueError):
            Budget.from_env(env)


def test_each_new_session_gets_the_budget_divided_by_the_sessions_open(tmp_path):
    process = ProcessLimits(Budget(memory_bytes=4 * GB, spill_bytes=12 * GB))
    cons = [process.open_session_db(tmp_path / f"s{i}") for i in range(20)]
    memory = [size_bytes(_setting(c, "memory_limit").replace(" ", "")) for c in cons]
    spill = [size_bytes(_setting(c, "max_temp_directory_size").replace(" ", "")) for c in cons]
    # 4 GB ÷ 1 is above a session's 3 GB ceiling; then ÷ 2, ÷ 3 …, never below the 256 MB floor
    assert memory[:3] == pytest.approx([3 * GB, 2 * GB, 4 * GB / 3], rel=0.05)
    assert memory[-1] == pytest.approx(256 * 10**6, rel=0.05)
    assert spill[:3] == pytest.approx([8 * GB, 6 * GB, 4 * GB], rel=0.05) and spill[-1] == pytest.approx(GB, rel=0.05)
    assert process.sessions_open == 20
    with pytest.raises(duckdb.Error):  # and locked, as every session connection
        cons[-1].execute("SET memory_limit = '100GB'")
    for con in cons:
        con.close()
    del cons, con
    gc.collect()
    assert process.sessions_open == 0
    fresh = process.open_session_db(tmp_path / "again")
    assert size_bytes(_setting(fresh, "memory_limit").replace(" ", "")) == pytest.approx(3 * GB, rel=0.05)
    fresh.close()


def _two_sessions_load_at_once(tmp_path, concurrent_loads: int) -> tuple[list, list, list]:
    """Two sessions start loading a real export at the same moment; what ran when, and who waited."""
    process = ProcessLimits(Budget(concurrent_loads=concurrent_loads, small_load_bytes=1))
    text = export_text(3000)
    spans, waited, datasets = [], [], []
    start = threading.Barrier(2)

    def session(i: int) -> None:
        folder = tmp_path / f"session{i}"
        con = process.open_session_db(folder)
        path = folder / "leads.csv"
        path.write_text(text)
        files = ingest.UploadSet(leads=ingest.Upload("leads.csv", path))
        start.wait()
        with process.load_turn(path.stat().st_size, lambda: _note(waited, i)):
            began = time.monotonic()
            datasets.append(ingest.load(con, files, Mapping(), ingest.ReadOptions(), folder / "work"))
            spans.append((began, time.monotonic()))
        con.close()

    threads = [threading.Thread(target=session, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return spans, waited, datasets


class _note:
    """A ``waiting()`` context that records who waited."""

    def __init__(self, waited: list, who: int) -> None:
        self.waited, self.who = waited, who

    def __enter__(self) -> None:
        self.waited.append(self.who)

    def __exit__(self, *exc) -> None:
        return None


def test_two_sessions_loading_at_once_take_turns_with_a_cap_of_one(tmp_path):
    spans, waited, datasets = _two_sessions_load_at_once(tmp_path, concurrent_loads=1)
    assert [d.rows_loaded for d in datasets] == [3000, 3000]
    (first_start, first_end), (second_start, _) = sorted(spans)
    assert second_start >= first_end, "the two loads ran at the same time"
    assert len(waited) == 1  # the one that came second was told to wait


def test_with_two_turns_two_sessions_load_together(tmp_path):
    spans, waited, datasets = _two_sessions_load_at_once(tmp_path, concurrent_loads=2)
    assert [d.rows_loaded for d in datasets] == [3000, 3000] and waited == []
    (first_start, first_end), (second_start, _) = sorted(spans)
    assert second_start < first_end  # nobody waited: the cap above is what serialised them


def test_a_small_upload_never_waits_for_a_turn():
    process = ProcessLimits(Budget())
    with process.load_turn(10**9, lambda: pytest.fail("the only load waited")), \
            process.load_turn(size_bytes("1MB"), lambda: pytest.fail("a small load waited")):
        pass


def test_the_page_says_so_while_another_sessions_export_is_loading(monkeypatch, tmp_path):
    process = ProcessLimits(Budget(concurrent_loads=1, small_load_bytes=1))
    monkeypatch.setattr(limits, "process_limits", lambda: process)
    shown_waiting = threading.Event()
    wait_on_page = limits._waiting

    def waiting():
        shown_waiting.set()
        return wait_on_page()

    monkeypatch.setattr(limits, "_waiting", waiting)
    app = new_app().run()  # the bundled sample loads at once: the turn is free
    assert not app.exception and not app.status

    other = process.open_session_db(tmp_path / "other")
    other_path = tmp_path / "other" / "leads.csv"
    other_path.write_text(export_text(2000))

    def other_session_loads() -> None:  # holds the one turn until this session is seen waiting for it
        with process.load_turn(other_path.stat().st_size, lambda: pytest.fail("the other session waited")):
            ingest.load(other, ingest.UploadSet(leads=ingest.Upload("leads.csv", other_path)), Mapping(),
                        ingest.ReadOptions(), tmp_path / "other" / "work")
            shown_waiting.wait(60)

    holder = threading.Thread(target=other_session_loads)
    holder.start()
    time.sleep(0.2)
    upload_on_data_page(app, "mine.csv", export_text(1500).encode())
    holder.join(60)
    assert not app.exception and shown_waiting.is_set()
    assert workspace_of(app).dataset.rows_loaded == 1500
    assert [(s.label, s.state) for s in app.status] == [(limits.WAITED, "complete")]
    assert "Loaded 1,500 leads from mine.csv" in shown(app.success)
    other.close()

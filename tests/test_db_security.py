"""The per-session DuckDB connection as an attacker sees it: locked files and settings, quoted identifiers,
threads and cursors, other sessions."""
from __future__ import annotations

import ast
import threading
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest_support import Loader, export_text
from sla_core.db import open_session_db, quote_ident
from sla_core.ingest.sniff import unique_headers

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "sla_core").rglob("*.py"), *(ROOT / "pages").rglob("*.py"), ROOT / "app.py"])


# external access is off, and the configuration cannot be loosened
@pytest.fixture
def outside(tmp_path):
    """A readable file and a writable folder next to, not inside, the session folder."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secret.csv").write_text("a,b\n1,2\n")
    return folder


@pytest.mark.parametrize("statement", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM read_csv('{outside}/secret.csv')",
    "SELECT * FROM read_csv('{session}/../elsewhere/secret.csv')",
    "SELECT * FROM glob('{outside}/*')",
    "SELECT * FROM read_csv('https://example.com/leads.csv')",
    "COPY (SELECT 42) TO '{outside}/out.csv'",
    "EXPORT DATABASE '{outside}/dump'",
    "ATTACH '{outside}/other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET allowed_directories = ['/']",
    "SET allowed_paths = ['/etc/passwd']",
    "SET memory_limit = '100GB'",
    "SET threads = 64",
    "SET lock_configuration = false",
    "SET autoload_known_extensions = true",
    "RESET enable_external_access",
])
def test_external_access_and_configuration_are_locked(tmp_path, outside, statement):
    session = tmp_path / "session"
    con = open_session_db(session)
    with pytest.raises(duckdb.Error):
        con.execute(statement.format(outside=outside, session=session)).fetchall()
    assert con.execute("SELECT current_setting('enable_external_access')").fetchall() == [(False,)]
    assert not (outside / "out.csv").exists() and not (outside / "dump").exists()
    con.close()


def test_a_session_reads_its_own_folder_only(tmp_path):
    a, b = open_session_db(tmp_path / "a"), open_session_db(tmp_path / "b")
    (tmp_path / "a" / "mine.csv").write_text("x,y\n1,2\n")
    assert a.execute("SELECT count(*) FROM read_csv(?)", [str(tmp_path / "a" / "mine.csv")]).fetchall() == [(1,)]
    with pytest.raises(duckdb.PermissionException):
        b.execute("SELECT count(*) FROM read_csv(?)", [str(tmp_path / "a" / "mine.csv")]).fetchall()
    a.execute("CREATE TABLE leads AS SELECT 1 AS lead_id")
    assert b.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'leads'").fetchall() == [(0,)]


# identifier quoting, fuzzed through CREATE and SELECT
names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, value=st.text(max_size=20))
def test_quote_ident_round_trips_any_name(con, name, value):
    con.execute(f"CREATE OR REPLACE TEMP TABLE fuzz ({quote_ident(name)} VARCHAR, guard INTEGER)")
    con.execute("INSERT INTO fuzz VALUES (?, 7)", [value])
    assert con.execute(f"SELECT {quote_ident(name)}, guard FROM fuzz").fetchall() == [(value, 7)]
    assert con.execute("SELECT column_name FROM (DESCRIBE fuzz)").fetchall() == [(name,), ("guard",)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=st.lists(st.one_of(names, st.sampled_from(["Amount", "amount", "AMOUNT", "", " ", "a\"b", "select"])),
                        min_size=1, max_size=12))
def test_unique_headers_make_a_creatable_table(con, headers):
    unique, _ = unique_headers(headers)
    assert len({h.lower() for h in unique}) == len(unique)
    columns = ", ".join(f"{quote_ident(h)} VARCHAR" for h in unique)
    con.execute(f"CREATE OR REPLACE TEMP TABLE fuzz ({columns})")
    assert [n for (n,) in con.execute("SELECT column_name FROM (DESCRIBE fuzz)").fetchall()] == unique


@pytest.mark.parametrize("bad", ["", "a\x00b"])
def test_quote_ident_refuses_what_cannot_be_an_identifier(bad):
    with pytest.raises(ValueError):
        quote_ident(bad)


# 20 threads, one session connection, a cursor each
def test_twenty_threads_on_cursors_of_one_session(con, tmp_path):
    Loader(con, tmp_path / "session").load(export_text(2000))
    expected = con.execute(
        "SELECT source, count(*), sum(attempts) FROM leads GROUP BY source ORDER BY source").fetchall()
    results, errors = {}, []

    def work(k: int) -> None:
        try:
            cur = con.cursor()
            for _ in range(15):
                got = cur.execute("SELECT source, count(*), sum(attempts) FROM leads WHERE lead_id <> $x "
                                  "GROUP BY source ORDER BY source", {"x": str(k)}).fetchall()
                assert cur.execute("SELECT count(*) FROM leads").fetchall() == [(2000,)]
            results[k] = got
            cur.close()
        except Exception as exc:  # collected: an assertion inside a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(results) == 20 and all(r == expected for r in results.values())


# static rules over the app's code
def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", [p for p in SOURCES if "sla_core" in p.parts], ids=lambda p: p.name)
def test_core_never_imports_streamlit(path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "streamlit" for a in node.names), path
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "streamlit", path


# The one st.html: a static table (ui.static_table) of sla_core.html_table, which escapes every header and cell.
ESCAPED_HTML = ROOT / "pages" / "common" / "ui.py"


def _escaped_table(call: ast.Call) -> bool:
    """``st.html(<table>.html())``: the body is a Table's own rendering, nothing else."""
    body = call.args[0] if call.args else None
    return isinstance(body, ast.Call) and isinstance(body.func, ast.Attribute) and body.func.attr == "html"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_process_global_duckdb_or_raw_html(path):
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "duckdb":
                assert node.func.attr == "connect", \
                    f"{path}:{node.lineno}: duckdb.{node.func.attr}() uses the process-global connection"
            if isinstance(owner, ast.Name) and owner.id == "st" and node.func.attr == "html":
                assert path == ESCAPED_HTML and _escaped_table(node), f"{path}:{node.lineno}: st.html"
        if isinstance(node, ast.keyword) and node.arg == "unsafe_allow_html":
            assert isinstance(node.value, ast.Constant) and node.value.value is False, f"{path}:{node.lineno}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "to_html":
            escape = [k for k in node.keywords if k.arg == "escape"]
            assert escape and isinstance(escape[0].value, ast.Constant) and escape[0].value.value == "html", \
                f"{path}:{node.lineno}: to_html without escape='html'"


def test_the_static_rules_can_fail(tmp_path):
    """The checks above really look: a file breaking each rule is caught."""
    bad = tmp_path / "bad.py"
    for source in ("import streamlit as st\n", "import duckdb\nduckdb.sql('SELECT 1')\n",
                   "st.markdown(x, unsafe_allow_html=True)\n", "st.html(x)\n", "df.style.to_html()\n"):
        bad.write_text(source)
        check = (test_core_never_imports_streamlit if "import streamlit" in source
                 else test_no_process_global_duckdb_or_raw_html)
        with pytest.raises(AssertionError):
            check(bad)


# the store, the one connection shared between sessions: a share viewer's cursor changes nothing
@pytest.fixture
def viewer_cursor(tmp_path):
    """A cursor on the store as a share link's session gets it: its own, showing one saved workspace."""
    from sla_core.ingest.mapping import Mapping
    from sla_core.store import file as store_file, workspaces
    from store_support import session_with_leads

    db = store_file.open_store(tmp_path / "store" / "store.duckdb")
    con, dataset = session_with_leads(tmp_path / "session", 10)
    wid, _ = workspaces.save_workspace(db.cursor(), con, "Plan", dataset, Mapping().to_json(), "{}")
    cur = db.cursor()
    workspaces.show_workspace(cur, wid)
    yield cur
    db.close()
    con.close()


STORE_SETTINGS = ("memory_limit", "threads", "max_temp_directory_size", "autoload_known_extensions",
                  "autoinstall_known_extensions", "enable_external_access", "lock_configuration", "TimeZone")


@pytest.mark.parametrize("statement", [
    "SET memory_limit = '100GB'",
    "SET GLOBAL memory_limit = '100GB'",
    "RESET memory_limit",
    "SET threads = 64",
    "SET max_temp_directory_size = '1TB'",
    "SET autoload_known_extensions = true",
    "SET autoinstall_known_extensions = true",
    "SET lock_configuration = false",
    "SET enable_external_access = true",
    "SET TimeZone = 'America/New_York'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_csv('{outside}/secret.csv')",
    "COPY (SELECT * FROM leads) TO '{outside}/out.csv'",
    "ATTACH '{outside}/other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
])
def test_a_share_viewers_store_cursor_cannot_loosen_limits_read_files_or_load_extensions(viewer_cursor, outside,
                                                                                         statement):
    before = {name: viewer_cursor.execute("SELECT current_setting(?)", [name]).fetchone()[0] for name in STORE_SETTINGS}
    with pytest.raises(duckdb.Error):
        viewer_cursor.execute(statement.format(outside=outside)).fetchall()
    other = viewer_cursor.cursor()  # and no other session's cursor sees a change either
    for cur in (viewer_cursor, other):
        assert {n: cur.execute("SELECT current_setting(?)", [n]).fetchone()[0] for n in STORE_SETTINGS} == before
    assert before["lock_configuration"] is True and before["enable_external_access"] is False
    assert not (outside / "out.csv").exists() and not (outside / "other.duckdb").exists()
    assert viewer_cursor.execute("SELECT count(*) FROM leads").fetchone() == (10,)  # the view still works


# one session, two threads: a rerun (or a download) while the interrupted run's query still runs
def _slow_count(connection, started: threading.Event) -> int:
    started.set()
    return connection.execute("SELECT count(*) FROM range(60000000) WHERE hash(range) % 7 = 0").fetchone()[0]


def _in_thread(call) -> tuple[threading.Thread, list]:
    out: list = []

    def run() -> None:
        try:
            out.append(call())
        except Exception as exc:  # collected: an exception inside a thread would be lost
            out.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_a_rerun_waits_for_the_query_its_interrupted_run_left_running(con, tmp_path):
    from sla_core.assumptions import Assumptions
    from sla_core.cache import ResultCache
    from sla_core.sales import view as sales

    dataset = Loader(con, tmp_path / "session").load(export_text(2000))
    expected = sales.load(con, dataset, "calendar", None, ResultCache())
    month = expected.months[-1]
    which = sales.Breaches(month, None, breaching_only=True)
    want = (expected.months, expected.headline(Assumptions(), month), expected.breaching_csv(Assumptions(), which))

    cache = ResultCache()  # the session's, as the views use it
    started = threading.Event()
    old_run, old_result = _in_thread(lambda: cache.get(dataset.version, _slow_count, con, started))
    started.wait(10)
    assert old_run.is_alive(), "the interrupted run's query ended before the rerun: nothing was tested"
    rerun = sales.load(con, dataset, "calendar", None, cache)  # the new run reaches the same connection
    download, csv = _in_thread(lambda: rerun.breaching_csv(Assumptions(), which))  # and a click on a download
    got = (rerun.months, rerun.headline(Assumptions(), month))
    download.join(60)
    old_run.join(60)
    assert (*got, *csv) == want
    assert isinstance(old_result[0], int)


def test_one_sessions_long_query_does_not_hold_up_another_session(con, tmp_path):
    from sla_core.cache import ResultCache

    other = open_session_db(tmp_path / "other")
    mine, theirs = ResultCache(), ResultCache()
    started = threading.Event()
    busy, _ = _in_thread(lambda: mine.get("v", _slow_count, con, started))
    started.wait(10)
    assert theirs.get("v", duckdb.DuckDBPyConnection.execute, other, "SELECT 42").fetchone() == (42,)
    assert busy.is_alive()  # answered while the first session's query was still running
    busy.join(60)
    other.close()

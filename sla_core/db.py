"""Per-session DuckDB connections, locked down before any user data touches them.

Each browser session (and each report run) gets its own in-memory database that can
read only its own upload folder (docs/architecture.md says why).
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from sla_core import queries

DEFAULT_MEMORY_LIMIT = "3GB"  # one session's most; the app shares a process budget (sla_core/budget.py)
DEFAULT_SPILL_LIMIT = "8GB"
DEFAULT_THREADS = 2


def quote_ident(name: str) -> str:
    """Quote an SQL identifier so it can never end the quote (ingest itself only generates c0, c1 …)."""
    if not name or "\x00" in name:
        raise ValueError("an identifier must be non-empty and free of NUL characters")
    return '"' + name.replace('"', '""') + '"'


def _resolved(path: Path) -> Path:
    return Path(path).resolve()


def open_session_db(
    upload_dir: Path,
    readable: tuple[Path, ...] = (),
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int = DEFAULT_THREADS,
    spill_limit: str = DEFAULT_SPILL_LIMIT,
) -> duckdb.DuckDBPyConnection:
    """An in-memory connection that may only read files under ``upload_dir`` (and ``readable``).

    The app passes only the session's own folder; the report command adds the folders
    of the files named on its command line so big exports are read in place. External access,
    extension loading and configuration changes are all off once this returns, so SQL text can at
    worst read the user's own upload. The metric SQL's macros (``create_macros``) are defined on it first.
    """
    upload_dir = Path(upload_dir).resolve()
    upload_dir.mkdir(parents=True, exist_ok=True)
    spill = upload_dir / "spill"
    spill.mkdir(exist_ok=True)
    con = duckdb.connect(":memory:")
    for statement, value in (
        ("SET allowed_directories = ?", [str(d) + "/" for d in (upload_dir, *map(_resolved, readable))]),
        ("SET temp_directory = ?", str(spill)),
        ("SET memory_limit = ?", memory_limit),
        ("SET max_temp_directory_size = ?", spill_limit),
        ("SET threads = ?", threads),
        ("SET TimeZone = ?", "UTC"),
    ):
        con.execute(statement, [value])
    for setting in (
        "SET enable_progress_bar = false",  # a progress bar on stderr would break the report's one-line errors
        "SET enable_external_access = false",
        "SET autoload_known_extensions = false",
        "SET autoinstall_known_extensions = false",
        "SET allow_community_extensions = false",
    ):
        con.execute(setting)
    create_macros(con)
    con.execute("SET lock_configuration = true")
    return con


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define the metric SQL's shared expressions (``sql/macros.sql``) on ``con``.

    Not TEMP macros: those would be invisible to the connection's cursors (the CSV download's
    thread, a shared workspace's cursor on the store). On the store file they are saved in its
    catalog and replaced with the current text on every start.
    """
    con.execute(queries.sql("macros"))

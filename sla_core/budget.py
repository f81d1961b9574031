"""The process's budget: memory and spill shared by every session, and how many big loads run at once.

Each session has its own DuckDB database, whose limits are fixed (and locked) when it opens: a
new session gets the budget divided by the sessions then open, within a floor and a ceiling. A
load is what needs memory most, so loads of exports above a small size take turns: at most
``concurrent_loads`` at once, the others wait (and say so). The app holds one ``ProcessLimits``
for the whole process; the report command, one run in its own process, keeps the defaults.
"""
from __future__ import annotations

import contextlib
import os
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sla_core.db import DEFAULT_MEMORY_LIMIT, DEFAULT_SPILL_LIMIT, open_session_db

MEMORY_ENV, SPILL_ENV, LOADS_ENV = "SLA_MEMORY_BUDGET", "SLA_SPILL_BUDGET", "SLA_CONCURRENT_LOADS"
MEMORY_FLOOR, SPILL_FLOOR = "256MB", "1GB"
SMALL_LOAD_BYTES = 32 << 20  # smaller uploads (the bundled sample is 1 MB) load without waiting for a turn
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30,
          "TIB": 2**40}


def size_bytes(text: str) -> int:
    """``"6GB"``, ``"512 MiB"``, ``"1.5GB"`` → bytes (DuckDB's units); a clear ValueError otherwise."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?I?B)\s*", str(text), re.IGNORECASE)
    if not found:
        raise ValueError(f"{text!r} is not a size such as 6GB or 512MiB")
    return int(float(found[1]) * _UNITS[found[2].upper()])


@dataclass(frozen=True)
class Budget:
    """What the whole process may use: ``SLA_MEMORY_BUDGET``, ``SLA_SPILL_BUDGET``, ``SLA_CONCURRENT_LOADS``."""

    memory_bytes: int = size_bytes("6GB")
    spill_bytes: int = size_bytes("16GB")
    concurrent_loads: int = 1
    small_load_bytes: int = SMALL_LOAD_BYTES

    def __post_init__(self) -> None:
        if self.memory_bytes < size_bytes(MEMORY_FLOOR) or self.spill_bytes < size_bytes(SPILL_FLOOR):
            raise ValueError(f"the budget must allow at least {MEMORY_FLOOR} of memory and {SPILL_FLOOR} of spill")
        if self.concurrent_loads < 1:
            raise ValueError(f"{LOADS_ENV} must be 1 or more")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Budget:
        given = {"memory_bytes": size_bytes(env[MEMORY_ENV]) if env.get(MEMORY_ENV) else None,
                 "spill_bytes": size_bytes(env[SPILL_ENV]) if env.get(SPILL_ENV) else None,
                 "concurrent_loads": int(env[LOADS_ENV]) if env.get(LOADS_ENV) else None}
        return cls(**{k: v for k, v in given.items() if v is not None})


def _share(total: int, sessions: int, floor: str, ceiling: str) -> int:
    return max(size_bytes(floor), min(size_bytes(ceiling), total // sessions))


class ProcessLimits:
    """The one per process: opens session databases within the budget and hands out turns to load."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._lock = threading.Lock()
        self._open = 0
        self._turns = threading.BoundedSemaphore(budget.concurrent_loads)

    @property
    def sessions_open(self) -> int:
        return self._open

    def open_session_db(self, upload_dir: Path) -> duckdb.DuckDBPyConnection:
        """A session's connection (``db.open_session_db``) with its share of the budget, counted until it is gone."""
        with self._lock:
            self._open += 1
            sessions = self._open
        try:
            con = open_session_db(upload_dir, memory_limit=f"{self._memory(sessions)}B",
                                  spill_limit=f"{self._spill(sessions)}B")
        except BaseException:
            self._closed()
            raise
        weakref.finalize(con, self._closed)
        return con

    def _memory(self, sessions: int) -> int:
        return _share(self.budget.memory_bytes, sessions, MEMORY_FLOOR, DEFAULT_MEMORY_LIMIT)

    def _spill(self, sessions: int) -> int:
        return _share(self.budget.spill_bytes, sessions, SPILL_FLOOR, DEFAULT_SPILL_LIMIT)

    def _closed(self) -> None:
        with self._lock:
            self._open -= 1

    @contextlib.contextmanager
    def load_turn(self, upload_bytes: int, waiting: Callable[[], AbstractContextManager]) -> Iterator[None]:
        """Hold one of the load turns for a load of ``upload_bytes`` (a small one needs none); while every
        turn is taken, wait inside ``waiting()`` (the page's message)."""
        if upload_bytes < self.budget.small_load_bytes:
            yield
            return
        if not self._turns.acquire(blocking=False):
            with waiting():
                self._turns.acquire()
        try:
            yield
        finally:
            self._turns.release()

"""Where the metric SQL runs: the session's DuckDB connection (embedded, the default) or a warehouse engine.

Every metric statement goes through ``sla_core.queries``; it hands a statement to an ``Engine`` when it is
given one instead of a DuckDB connection, so the feature code that builds the figures is the same for both.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


class Engine(ABC):
    """A back end that runs the named statements of ``sla_core/sql`` on its own copy of ``leads``."""

    name: str

    @abstractmethod
    def records(self, statement: str, params: dict) -> list[dict]:
        """Run a named statement with its bound parameters; rows as dicts with Python values (NULL as None)."""

    def frame(self, statement: str, params: dict) -> pd.DataFrame:
        """The same rows as a DataFrame (only aggregates come back, so building it here is cheap)."""
        import pandas as pd

        found = self.records(statement, params)
        return pd.DataFrame.from_records(found, columns=self.columns(statement, params) if not found else None)

    @abstractmethod
    def columns(self, statement: str, params: dict) -> list[str]:
        """The names of the statement's result columns."""

    @abstractmethod
    def materialize(self, table: str, statement: str, key: str, params: dict) -> None:
        """Hold the rows of the named ``CREATE TEMP TABLE … AS`` statement as ``table`` for the statements that
        read it, built again only when ``key`` (what the rows depend on) changes."""

    @abstractmethod
    def release_rows(self) -> None:
        """Drop what the engine keeps of the rows to answer fast; it still answers, reading them again."""

    @abstractmethod
    def close(self) -> None:
        """Let go of everything this engine holds (its workspace is done with it)."""

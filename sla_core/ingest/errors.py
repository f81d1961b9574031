"""The one error ingest raises for bad input, shown to the user as ``file, line N, column 'C': reason``."""
from __future__ import annotations


class InputError(ValueError):
    """Bad input, with where it is: rendered as ``file: line N, column C: reason``."""

    def __init__(self, file: str, reason: str, line: int | None = None, column: str | None = None):
        self.file, self.reason, self.line, self.column = file, reason, line, column
        where = [file]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{': '.join([', '.join(where), reason])}")

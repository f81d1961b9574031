"""The copies ingest writes while reading uploads (decompressed archives, text converted to UTF-8),
bounded by Limits and removed when the load ends, so a hostile upload cannot fill the disk.

The defaults fit a 5M-lead export (about 650 MB as UTF-8 CSV, 1.3 GB as UTF-16) with room to
spare: at most 2 GB per upload, an archive may expand at most 200 times its size (checked once
its output passes 1 MB: a small file may compress better, harmlessly), and the uploads of one load
(leads, deals and activities together) at most 4 GB. The copies of a load are removed when it
ends, so a session never holds more than that.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sla_core.ingest.errors import InputError

CHUNK = 1 << 22
RATIO_FLOOR = 1 << 20  # output below this size is never called a bomb (a tiny file may compress 1000:1)
GLOB_CHARACTERS = frozenset("*?[]")  # DuckDB's read_csv treats a path with these as a pattern


def _gb(n: int) -> str:
    return f"{n / (1 << 30):g} GB" if n >= 1 << 30 else f"{n / (1 << 20):g} MB"


@dataclass(frozen=True)
class Limits:
    """How much ingest may write for one load; validated once here."""

    upload_bytes: int = 2 << 30  # one upload, decompressed or converted to UTF-8
    ratio: int = 200  # decompressed size over compressed size
    session_bytes: int = 4 << 30  # every upload of one load together (removed when it ends)

    def __post_init__(self) -> None:
        if min(self.upload_bytes, self.ratio, self.session_bytes) < 1:
            raise ValueError("ingest limits must be positive")


class Scratch:
    """One load's scratch folder: the files ingest writes there, checked against ``limits``."""

    def __init__(self, folder: Path, limits: Limits | None = None):
        self.folder, self.limits = Path(folder), limits or Limits()
        self.used = 0
        self.files: list[Path] = []

    def new_file(self, suffix: str) -> Path:
        """A fresh path in the folder, named so that no two uploads collide and DuckDB never globs it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{uuid.uuid4().hex[:12]}{suffix}"
        self.files.append(path)
        return path

    def _check(self, name: str, written: int, compressed: int | None) -> None:
        limits = self.limits
        if written > limits.upload_bytes:
            what = "expands" if compressed else "grows when converted to UTF-8"
            raise InputError(name, f"the file {what} past {_gb(limits.upload_bytes)}, the limit for one upload; "
                                   "upload a smaller export")
        if compressed and written > RATIO_FLOOR and written > limits.ratio * compressed:
            raise InputError(name, f"the archive expands more than {limits.ratio} times its size, which no CSV "
                                   "export does (a zip bomb?); upload the CSV or an ordinary archive of it")
        if self.used + written > limits.session_bytes:
            raise InputError(name, f"together the uploads expand past {_gb(limits.session_bytes)}, the limit for "
                                   "one load; upload smaller exports")

    def write(self, name: str, suffix: str, fill: Callable[[Callable[[bytes], None]], None],
              compressed: int | None = None) -> Path:
        """A new file written by ``fill(write)`` in chunks, each checked against the limits; on any
        failure the partial file is removed before the error goes on."""
        target = self.new_file(suffix)
        written = 0
        with open(target, "wb") as dst:
            def write(chunk: bytes) -> None:
                nonlocal written
                written += len(chunk)
                self._check(name, written, compressed)
                dst.write(chunk)

            try:
                fill(write)
            except BaseException:
                dst.close()
                target.unlink(missing_ok=True)
                raise
        self.used += written
        return target

    def scannable(self, path: Path) -> Path:
        """``path``, or a link to it with a plain name when its name holds glob characters (DuckDB would
        read whichever files the pattern matches)."""
        if not GLOB_CHARACTERS & set(str(path)):
            return path
        link = self.new_file(".csv")
        os.symlink(Path(path).resolve(), link)
        return link

    def remove(self) -> None:
        """Delete every file this load wrote (its tables are built; a refused load needs none of them)."""
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files.clear()
        self.used = 0

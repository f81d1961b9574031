"""Helpers of the hostile-upload tests: a generated export, a refusal caught, the report command run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sla_core.ingest.decode import InputError

ROOT = Path(__file__).resolve().parent.parent
HEAD = ["lead_id", "created_at", "source", "owner", "deal_amount"]


def rows_file(n: int, eol: str = "\n", head: list[str] = HEAD) -> str:
    body = [",".join(head)] + [f"{i},2024-03-{i % 28 + 1:02d} 10:00,Web,Ann,{i}" for i in range(1, n + 1)]
    return eol.join(body) + eol


def refused(loader, data, **kw) -> InputError:
    with pytest.raises(InputError) as info:
        loader.load(data, **kw)
    return info.value


def report(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sla_core", "report", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)


def assert_one_line_refusal(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert all(w in done.stderr for w in words), done.stderr



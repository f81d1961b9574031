"""The repository's own text: what a reader of the README or the code would trip over."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFLICT = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)


def tracked(*patterns: str) -> list[Path]:
    listed = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / name for name in listed.stdout.splitlines()]


def test_no_merge_conflict_markers_left_in_text_files():
    """A merge that stopped half-way once left both sides of a README section with their markers."""
    files = tracked("*.md", "*.py", "*.sql", "*.toml", "*.txt", ".ci/run")
    assert files, "git ls-files found nothing: run from a checkout"
    marked = [str(p.relative_to(ROOT)) for p in files if p.is_file() and CONFLICT.search(p.read_text(errors="replace"))]
    assert marked == []


def test_no_python_module_over_400_lines():
    """Modules stay short enough to read at once (the house rule in docs/architecture.md)."""
    long = {str(p.relative_to(ROOT)): n for p in tracked("*.py") if p.is_file()
            and (n := len(p.read_text().splitlines())) > 400}
    assert long == {}

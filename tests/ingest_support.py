"""Build upload files inside a test's tmp_path and load them the way the app does."""
from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from sla_core import generator

from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping


def csv_bytes(rows: list[list[str]], delimiter: str = ",", newline: str = "\n", encoding: str = "utf-8") -> bytes:
    """Rows written as a CSV file (minimal quoting), encoded."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue().encode(encoding)


def export_text(n: int, style: str = "hubspot", seed: int = 7, delimiter: str = ",") -> str:
    """A realistic generated CRM export as text (the generator's headers and value conventions)."""
    table = generator.to_table(generator.generate(n, seed), style)
    out = pa.BufferOutputStream()
    pacsv.write_csv(table, out, pacsv.WriteOptions(delimiter=delimiter, quoting_style="needed"))
    return out.getvalue().to_pybytes().decode("utf-8")


def edit_cells(text: str, edits: dict[tuple[int, str], str]) -> str:
    """Change cells of a one-record-per-line export: {(file line, header): new text}."""
    lines = text.splitlines()
    header = next(csv.reader([lines[0]]))
    for (line, column), value in edits.items():
        cells = next(csv.reader([lines[line - 1]]))
        cells[header.index(column)] = value
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(cells)
        lines[line - 1] = buf.getvalue()
    return "\n".join(lines) + "\n"


class Loader:
    """Writes uploads into the session folder of ``con`` and runs ``ingest.load`` on them."""

    def __init__(self, con, session: Path):
        self.con, self.session = con, session

    def put(self, name: str, data: bytes | str) -> ingest.Upload:
        path = self.session / "uploads" / uuid.uuid4().hex / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return ingest.Upload(name, path)

    def load(self, leads: bytes | str, *, name: str = "leads.csv", deals: bytes | str | None = None,
             activities: bytes | str | None = None, mapping: Mapping | None = None, **options) -> ingest.Dataset:
        files = ingest.UploadSet(
            leads=self.put(name, leads),
            deals=self.put("deals.csv", deals) if deals is not None else None,
            activities=self.put("activities.csv", activities) if activities is not None else None,
        )
        return ingest.load(self.con, files, mapping or Mapping(), ingest.ReadOptions(**options), self.session / "work")

    def rows(self, sql: str, params: dict | list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def value(self, sql: str, params: dict | list | None = None):
        return self.rows(sql, params)[0][0]

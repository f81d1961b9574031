"""Hostile uploads on the Data page (AppTest): each is refused with an error naming the file and the
reason, never an exception; the data loaded before stays, and the upload is kept for another try.
"""
from __future__ import annotations

import gzip

import pytest
from apptest_support import metric, new_app, shown, upload_on_data_page
from ingest_support import csv_bytes

ROWS = [["lead_id", "created_at", "source"]] + [[str(i), f"2024-03-{i % 28 + 1:02d} 10:00", "Web"]
                                               for i in range(1, 41)]


def _damaged_gzip() -> bytes:
    data = bytearray(gzip.compress(csv_bytes(ROWS)))
    data[30] ^= 0xFF
    return bytes(data)


HOSTILE = {
    "mixed-line-endings": ("mixed.csv", csv_bytes(ROWS).replace(b"\n", b"\r\n", 1), ["line 2", "line endings"]),
    "damaged-gzip": ("leads.csv.gz", _damaged_gzip(), ["gzip file is damaged"]),
    "every-row-rejected": ("epoch.csv", csv_bytes([["lead_id", "created_at"]] +
                                                  [[str(i), str(1717372800 + i)] for i in range(40)]),
                           ["none of its 40 rows", "not a date", "line 2", "Unix timestamp"]),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_upload_is_refused_on_the_page_and_kept_for_a_retry(kind):
    name, data, words = HOSTILE[kind]
    app = new_app()
    app.run()
    upload_on_data_page(app, name, data)
    assert not app.exception
    error = shown(app.error)
    assert name in error and all(w in error for w in words), error
    assert "previous data is still loaded" in error
    assert metric(app, "Leads loaded") == "6,000"
    assert "Loaded" not in shown(app.success)
    assert f"Your upload {name} is kept" in shown(app.info)

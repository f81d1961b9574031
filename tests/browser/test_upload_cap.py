"""The upload cap: big enough for 5M leads, and enforced by Streamlit on a live server (a real upload through the
Data page's uploader, its request replayed with bodies under and over the cap, and the browser's own refusal)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from ingest_support import export_text
from live_server import live_server
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]


def test_the_upload_cap_is_configured_and_enforced(tmp_path, browser):
    """The cap fits 5M leads (≈ 650 MB) and refuses a 1 GB+ file; and Streamlit enforces the cap it is given:
    a live server with a 1 MB cap, a real upload through the Data page's uploader (its request replayed with
    bodies under and over the cap), and the browser's own refusal of a file over it."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    cap = config["server"]["maxUploadSize"]
    assert isinstance(cap, int) and 650 <= cap <= 1024
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    small.write_text(export_text(50))
    big.write_bytes(b"lead_id,created_at\n" + b"1,2024-03-01\n" * 120_000)  # 1.6 MB
    with live_server({"SLA_STORE_PATH": str(tmp_path / "store.duckdb")}, "--server.maxUploadSize", "1") as url:
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("link", name="Data").click()
        uploader = page.locator("input[type=file]").first
        with page.expect_request(lambda r: "/_stcore/upload_file/" in r.url and r.method == "PUT",
                                 timeout=60_000) as sent:
            uploader.set_input_files(str(small))
        expect(page.get_by_text("small.csv")).to_be_visible(timeout=60_000)
        xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_streamlit_xsrf")

        def put(data: bytes) -> int:  # the uploader's own request, sent again with another body
            part = {"name": "x.csv", "mimeType": "text/csv", "buffer": data}
            return page.request.put(sent.value.url, headers={"X-Xsrftoken": xsrf}, multipart={"file": part}).status

        assert put(small.read_bytes()) in (200, 204)
        assert put(big.read_bytes()) == 413
        uploader.set_input_files(str(big))
        expect(page.get_by_text("File must be 1.0MB or smaller.")).to_be_visible(timeout=60_000)
        page.close()

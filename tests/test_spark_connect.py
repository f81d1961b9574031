"""Spark Connect (``sc://host:port``): the report of a Parquet source computed on a remote Spark server is the
upload's, and the command exits cleanly. The server is a local one started for the test (Spark's Connect plugin
on 127.0.0.1); the report runs as a user runs it, in a process of its own."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spark_support import differences, export_parquet
from sla_core.db import open_session_db
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_leads.csv"
START_S = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def connect_url():
    port = _free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "spark_connect_server.py"), str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + START_S
    while server.stdout.readline().strip() != "ready":
        assert server.poll() is None and time.monotonic() < deadline, "the Spark Connect server did not start"
    yield f"sc://127.0.0.1:{port}"
    server.kill()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def parquet(tmp_path_factory):
    work = tmp_path_factory.mktemp("connect")
    con = open_session_db(work / "duckdb", readable=(SAMPLE.parent,))
    dataset = ingest.load(con, ingest.UploadSet(leads=ingest.Upload(SAMPLE.name, SAMPLE)), Mapping(),
                          ingest.ReadOptions(tz="UTC"), work / "load")
    export_parquet(con, dataset.columns, work / "leads.parquet")
    con.close()
    return work / "leads.parquet"


def _report(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "sla_core", "report", *args, "--month", "2024-03", "--clock",
                           "business"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_report_over_spark_connect_is_the_uploads(connect_url, parquet):
    duck = _report("--leads", str(SAMPLE))
    remote = _report("--engine", "spark", "--spark-url", connect_url, "--leads", str(parquet))
    assert differences(duck, remote) == []
    assert remote["speed"]["handed"] > 0

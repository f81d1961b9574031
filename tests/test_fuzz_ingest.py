"""Fuzzing ``decode`` and ``ingest.load``: generated exports, mutated byte by byte, re-encoded and packed.

Whatever the bytes, only an InputError may escape, a refusal leaves the loaded data as it was, and a
load that succeeds is consistent (its counts add up, every kept date is plausible, ids are unique,
tiers are bounded, issues point into the file). Ingest's copies never outlive a load.

In the suite a bounded run (about 30 s). The long run reports cases and uncaught exceptions:

    python tests/test_fuzz_ingest.py --minutes 10
    python -m pytest tests/test_fuzz_ingest.py --hypothesis-profile=fuzz-long   (until its example cap)
"""
from __future__ import annotations

import argparse
import codecs
import csv
import gzip
import io
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

if __name__ == "__main__":  # the long run as a script: the imports below need the repository and tests/
    sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sla_core.db import open_session_db
from sla_core.ingest import decode
from sla_core.ingest import load as ingest
from sla_core.ingest.canonical import MAX_TIERS
from sla_core.ingest.conventions import DateRange
from sla_core.ingest.mapping import Mapping

OUTCOMES: Counter = Counter()  # what the cases did, for the long run's summary
REASONS: Counter = Counter()  # the start of each refusal's reason
BOUNDED_EXAMPLES = 100  # about 30 s for both properties on an idle two-core machine
ACTIVE = settings()  # the loaded profile: the suite's default, or --hypothesis-profile=fuzz-long
FUZZ = ACTIVE if ACTIVE.max_examples > BOUNDED_EXAMPLES * 10 else settings(
    ACTIVE, max_examples=BOUNDED_EXAMPLES, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])

# --- what an export may hold --------------------------------------------------------------------------
HEADERS = {
    "lead_id": ["lead_id", "Record ID", "Id"], "created_at": ["created_at", "Create Date"],
    "source": ["source", "Original Source"], "owner": ["owner", "Contact owner"],
    "deal_amount": ["deal_amount", "Amount"], "customer_at": ["customer_at", "Became a Customer Date"],
    "connected": ["connected", "Lead Status"], "attempts": ["attempts", "Number of Sales Activities"],
    "tier": ["tier", "Rating"], "job_title": ["Job Title"], "mql_at": ["mql_at"], "handed_at": ["handed_at"],
}
ODD_DATES = ["2024-03-01", "2024-03-01 10:00", "2024-03-01T10:00:00Z", "2024-03-10 02:30", "03/05/2024",
             "13/05/2024", "05/13/2024", "05/13/2024 2:22 PM", "2024-02-30", "20244-06-03", "9999-12-31",
             "0001-01-01", "1900-01-01", "1970-01-01", "epoch", "infinity", "-infinity", "1717372800",
             "294247-01-10 04:00", "0045-03-15 (BC)", "2024-03-01T10:00:00+99:00", "31.12.2023", "", "N/A",
             " 2024-03-02 ", "2024-13-45", "yesterday", "12-31-99999"]
ODD_NUMBERS = ["1,234.56", "1.234,56", "$5", "€7", "(86)", "86-", "nan", "inf", "1e400", "-0", "9.986.000",
               "R$ 10,00", "12 apples", "", "0", "3", "2.5", "-1", "3e9"]
ODD_WORDS = ["Web", "Outbound", "yes", "no", "Connected", "x", "", "NULL", "a,b", 'say "hi"', "two\nlines",
             "tab\there", "semi;colon", "pipe|d", "Zoë", "日本", "=1+1", "<b>", "\u2028", "Ünïcødé"]
ID_POOL = ["1", "2", "3", "A1", "", "0001", "1234567890123456789012", "dup"]


def _cell(kind: str) -> st.SearchStrategy[str]:
    pools = {"date": ODD_DATES, "number": ODD_NUMBERS, "id": ID_POOL}
    pool = st.sampled_from(pools.get(kind, ODD_WORDS))
    return st.one_of(pool, pool, st.text(max_size=12))


KINDS = {"lead_id": "id", "created_at": "date", "customer_at": "date", "mql_at": "date", "handed_at": "date",
         "deal_amount": "number", "attempts": "number"}


@st.composite
def exports(draw) -> str:
    """A CSV export as text: known and odd headers, odd cells, any delimiter, quoting and line endings."""
    fields = draw(st.lists(st.sampled_from(sorted(HEADERS)), min_size=1, max_size=8, unique=True))
    if draw(st.integers(0, 3)):  # mostly an export that can load: its id and creation date are there
        fields = ["lead_id", "created_at"] + [f for f in fields if f not in ("lead_id", "created_at")]
    headers = [draw(st.sampled_from(HEADERS[f])) for f in fields]
    headers += draw(st.lists(st.sampled_from(["", "notes", "Amount", "amount", 'a"b', "x" * 300]), max_size=2))
    kinds = [KINDS.get(f, "text") for f in fields] + ["text"] * (len(headers) - len(fields))
    rows = draw(st.lists(st.tuples(*[_cell(k) for k in kinds]), max_size=25))
    if draw(st.integers(0, 9)) == 0:  # many rows with unique ids: a real load, not just a sniff
        rows += [tuple(f"g{i}" if k == "id" else "2024-03-01 10:00" if k == "date" else "7" if k == "number" else "w"
                       for k in kinds) for i in range(draw(st.integers(100, 3000)))]
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    eol = draw(st.sampled_from(["\n", "\n", "\r\n", "\r\n", "\r"]))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=eol, escapechar="\\")
    for row in [headers, *rows]:
        try:
            writer.writerow(row)
        except csv.Error:
            buf.write(delimiter.join(row) + eol)
    text = buf.getvalue()
    if draw(st.integers(0, 5)) == 0:  # a change of line endings somewhere
        at = draw(st.integers(0, max(0, len(text) - 1)))
        text = text[:at] + text[at:].replace(eol, draw(st.sampled_from(["\n", "\r\n", "\r"])))
    if draw(st.integers(0, 3)) == 0:
        text = draw(st.sampled_from(["Leads report\n", "", "\n\n"])) + text + draw(
            st.sampled_from(["", "Total,5\n", "© CRM Inc.\n"]))
    return text


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """A few byte-level mutations: flips, inserts, deletes, repeats, quotes, a huge field, a cut."""
    out = bytearray(data)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        at = draw(st.integers(0, len(out)))
        what = draw(st.integers(0, 7))
        if what == 0 and out:
            out[min(at, len(out) - 1)] ^= draw(st.integers(1, 255))
        elif what == 1:
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif what == 2:
            del out[at:at + draw(st.integers(1, 64))]
        elif what == 3:
            out[at:at] = out[at:at + draw(st.integers(1, 200))] * draw(st.integers(1, 5))
        elif what == 4:
            out[at:at] = draw(st.sampled_from([b'"', b'""', b'"\n', b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf"]))
        elif what == 5:
            out[at:at] = b"x" * draw(st.sampled_from([70_000, 2_200_000]))
        elif what == 6:
            del out[at:]
    return bytes(out)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8", "surrogatepass")
    if encoding in ("utf-16", "utf-32"):  # with their byte-order mark
        return text.encode(encoding, "surrogatepass")
    return text.encode(encoding, "replace")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@st.composite
def packed(draw, data: bytes) -> bytes:
    """Plain, gzip, zip, an archive in an archive, or either cut short."""
    how = draw(st.sampled_from(["plain"] * 8 + ["gzip", "zip", "zip2", "gzip-gzip", "cut-gzip", "cut-zip"]))
    if how == "gzip":
        return gzip.compress(data, 1)
    if how == "zip":
        return _zip({"leads.csv": data})
    if how == "zip2":
        return _zip({"leads.csv": data, "other.csv": data[:10]})
    if how == "gzip-gzip":
        return gzip.compress(gzip.compress(data, 1), 1)
    if how.startswith("cut"):
        whole = gzip.compress(data, 1) if how == "cut-gzip" else _zip({"leads.csv": data})
        return whole[:draw(st.integers(0, max(0, len(whole) - 1)))]
    return data


@st.composite
def uploads(draw) -> bytes:
    if draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=2000))
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1252",
                                                     "latin-1"]))
    data = draw(mutated(_encode(draw(exports()), encoding)))
    return draw(packed(data))


OPTIONS = st.builds(ingest.ReadOptions, tz=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]),
                    date_order=st.sampled_from(["auto", "mdy", "dmy"]), decimal=st.sampled_from(["auto", ".", ","]))


# --- the properties ---------------------------------------------------------------------------------
class Session:
    """One connection and folder, reused across cases (as one visitor uploads again and again)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sla-fuzz-"))
        self.con = open_session_db(self.folder)
        self.n = 0

    def put(self, name: str, data: bytes) -> ingest.Upload:
        self.n += 1
        path = self.folder / "uploads" / str(self.n) / name
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        return ingest.Upload(name, path)

    def fingerprint(self) -> tuple | None:
        if not self.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'leads'").fetchone()[0]:
            return None
        return self.con.execute("SELECT count(*), sum(hash(lead_id, created_at, deal_amount, tier)) "
                                "FROM leads").fetchone()


def _check_loaded(session: Session, ds: ingest.Dataset, options: ingest.ReadOptions, names: set[str]) -> None:
    q = ds.quality
    con = session.con
    count, unique, no_id = con.execute("SELECT count(*), count(DISTINCT lead_id), count(*) - count(lead_id) "
                                       "FROM leads").fetchone()
    assert ds.rows_loaded == count == unique and no_id == 0 and count >= 1
    assert ds.rows_loaded + q.rows_rejected == q.rows_read, (ds.rows_loaded, q.rows_rejected, q.rows_read)
    plausible = DateRange.around(datetime.now(UTC), options.earliest_date, options.latest_after_load)
    earliest, latest = plausible.earliest, plausible.latest
    low, high = con.execute("SELECT min(least(created_at, mql_at, handed_at, first_touch_at, customer_at)), "
                            "max(greatest(created_at, mql_at, handed_at, first_touch_at, customer_at)) "
                            "FROM leads").fetchone()
    assert earliest <= low and high <= latest, (low, high)
    assert con.execute("SELECT count(*) FROM leads WHERE created_at IS NULL").fetchone()[0] == 0
    assert con.execute("SELECT count(DISTINCT lower(trim(tier))) FROM leads").fetchone()[0] <= MAX_TIERS + 1
    assert ds.as_of is not None and earliest <= ds.as_of <= datetime.now(UTC)
    for issue in q.issues:
        assert issue.file in names and (issue.line is None or issue.line >= 1), issue


def run_case(session: Session, data: bytes, options: ingest.ReadOptions, deals: bytes | None = None) -> str:
    """Load one generated upload; return what happened ('loaded' or 'refused'), or fail the property."""
    files = ingest.UploadSet(session.put("leads.csv", data),
                             deals=session.put("deals.csv", deals) if deals is not None else None)
    before = session.fingerprint()
    work = session.folder / "work"
    try:
        ds = ingest.load(session.con, files, Mapping(), options, work)
    except ingest.InputError as err:
        assert err.file and err.reason and str(err).startswith(err.file), err
        assert session.fingerprint() == before, "a refused upload changed the loaded data"
        outcome = "refused"
        REASONS[err.reason[:40]] += 1
    else:
        _check_loaded(session, ds, options, {"leads.csv", "deals.csv"})
        outcome = "loaded"
    assert not (work.exists() and any(work.iterdir())), "ingest left copies behind"
    OUTCOMES[outcome] += 1
    event(outcome)
    return outcome


SESSION: list[Session] = []


def _session() -> Session:
    if not SESSION:
        SESSION.append(Session())
    return SESSION[0]


@FUZZ
@given(data=uploads(), options=OPTIONS, deals=st.one_of(st.none(), uploads()))
def test_ingest_only_ever_refuses_with_an_input_error(data, options, deals):
    run_case(_session(), data, options, deals if deals is not None and len(deals) < 5000 else None)


@FUZZ
@given(data=uploads())
def test_decode_gives_utf8_or_an_input_error(data):
    session = _session()
    upload = session.put("any.csv", data)
    scratch = decode.Scratch(session.folder / "decode")
    try:
        prepared = decode.prepare(upload.name, upload.path, scratch.folder, scratch)
    except decode.InputError as err:
        assert err.file == "any.csv" and err.reason
        OUTCOMES["decode refused"] += 1
    else:
        text = prepared.path.read_bytes()
        if len(text) < decode.SNIFF_BYTES:
            text.decode("utf-8")  # a small file is checked whole before it is called UTF-8
        OUTCOMES["decoded"] += 1
    finally:
        scratch.remove()


def long_run(minutes: float) -> int:
    """Run both properties over and over for ``minutes``; print cases run and uncaught exceptions."""
    stop = time.monotonic() + 60 * minutes
    failures: list[str] = []
    rounds = 0
    while time.monotonic() < stop:
        rounds += 1
        for test in (test_ingest_only_ever_refuses_with_an_input_error, test_decode_gives_utf8_or_an_input_error):
            try:
                test()
            except Exception:  # a falsified property: Hypothesis has shrunk it; count it and go on
                failures.append(traceback.format_exc())
                print(failures[-1], file=sys.stderr)
    cases = sum(OUTCOMES.values())
    print(f"fuzz: {cases} cases in {minutes:g} min ({rounds} rounds): {dict(OUTCOMES)}; "
          f"uncaught exceptions: {len(failures)}")
    print("commonest refusals:", "; ".join(f"{n}× {r!r}" for r, n in REASONS.most_common(12)))
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Fuzz decode and ingest.load for a while.")
    parser.add_argument("--minutes", type=float, default=10.0)
    sys.exit(long_run(parser.parse_args().minutes))

"""Command line: ``python -m sla_core report …`` (SPEC section 9) and ``python -m sla_core refresh …`` (a saved
workspace's next data version, for a nightly job).

Bad input exits non-zero with one line on stderr naming file, line and column.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sla_core import report
from sla_core.digest.arguments import add_parser as add_digest_parser
from sla_core.ingest import load as ingest
from sla_core.assumptions import Assumptions
from sla_core.db import open_session_db
from sla_core.engine import command as engine_command
from sla_core.ingest.mapping import Mapping
from sla_core.store import refresh


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m sla_core",
                                 description="Sales & marketing SLA figures from CRM exports.")
    sub = ap.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("report", help="print one month's SLA figures")
    rp.add_argument("--leads", required=True, type=Path)
    rp.add_argument("--activities", type=Path)
    rp.add_argument("--deals", type=Path)
    rp.add_argument("--mapping", type=Path)
    rp.add_argument("--assumptions", type=Path)
    rp.add_argument("--month", help="YYYY-MM (default: the latest month with a marketing lead)")
    rp.add_argument("--format", choices=("json", "md"), default="json")
    rp.add_argument("--tz", default="UTC", help="workspace time zone (default UTC)")
    rp.add_argument("--as-of", help="as-of timestamp (default: the latest timestamp in the files)")
    rp.add_argument("--clock", choices=("calendar", "business"), default="calendar")
    rp.add_argument("--date-order", choices=ingest.DATE_ORDERS, default="auto",
                    help="for dates like 03/05/2024: mdy or dmy "
                         "(default: detect; month-first when every date is ambiguous)")
    engine_command.add_arguments(rp)
    refresh.add_command(sub)
    add_digest_parser(sub)
    return ap


def _as_of(text: str | None, tz: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"--as-of: {text!r} is not an ISO timestamp") from exc
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))


def run_report(args: argparse.Namespace) -> str:
    if getattr(args, "engine", "duckdb") == "spark":  # a warehouse source: the rows stay in Spark
        return engine_command.run_report(args, _as_of(args.as_of, args.tz))
    for label, path in (("--leads", args.leads), ("--activities", args.activities), ("--deals", args.deals),
                        ("--mapping", args.mapping), ("--assumptions", args.assumptions)):
        if path is not None and not path.is_file():
            raise ValueError(f"{path}: file not found ({label})")
    month = report.parse_month(args.month) if args.month is not None else None
    mapping = Mapping.from_file(args.mapping) if args.mapping else Mapping()
    assumptions = Assumptions.from_file(args.assumptions) if args.assumptions else Assumptions()
    options = ingest.ReadOptions(tz=args.tz, date_order=args.date_order, as_of=_as_of(args.as_of, args.tz))
    paths = [p for p in (args.leads, args.activities, args.deals) if p is not None]
    with tempfile.TemporaryDirectory(prefix="sla-report-") as tmp:
        con = open_session_db(Path(tmp), readable=tuple(p.resolve().parent for p in paths))
        upload = lambda p: ingest.Upload(p.name, p.resolve()) if p else None  # noqa: E731
        files = ingest.UploadSet(leads=upload(args.leads), activities=upload(args.activities), deals=upload(args.deals))
        dataset = ingest.load(con, files, mapping, options, Path(tmp) / "work")
        result = report.build(con, dataset, report.ReportRequest(month, assumptions, args.clock))
        con.close()
    return report.to_json(result) if args.format == "json" else report.to_markdown(result)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "refresh":  # a saved workspace's next data version (sla_core/store/refresh.py)
        code, line = refresh.command(args)
        print(line.replace("\n", " "), file=sys.stdout if code == 0 else sys.stderr)
        return code
    if args.command == "digest":
        from sla_core.digest.command import run_digest  # its charts load pandas and altair: only for a digest

        return run_digest(args)
    try:
        print(run_report(args))
    except (ValueError, OSError) as exc:  # InputError is a ValueError
        print(f"error: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

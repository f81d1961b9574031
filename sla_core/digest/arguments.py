"""The ``digest`` subcommand's options, apart from the command: ``python -m sla_core`` parses every command's
options on each start, and the digest's own modules (charts, pandas, altair) load only when a digest is built."""
from __future__ import annotations

import argparse
from pathlib import Path

LINK_DAYS = range(1, 91)
DEFAULT_LINK_DAYS = 8  # a week and a day: last week's link still works the morning the next digest arrives


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days not in LINK_DAYS:
        raise argparse.ArgumentTypeError(f"give a whole number of days from 1 to {LINK_DAYS[-1]}, got {text!r}")
    return days


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``digest`` subcommand's options."""
    dp = sub.add_parser("digest", help="e-mail the status of a saved workspace (the weekly digest)")
    dp.add_argument("--workspace", required=True, help="the saved workspace's name (its latest save)")
    dp.add_argument("--scenario", help='the scenario whose assumptions to use (default "Baseline")')
    dp.add_argument("--to", required=True, help="recipients, comma-separated: a@example.com,b@example.com")
    dp.add_argument("--smtp-url", help="smtp://host:587 (STARTTLS) or smtps://host:465 (default: SLA_SMTP_URL)")
    link = dp.add_mutually_exclusive_group()
    link.add_argument("--share-url", help="an existing share link (made on Save & share) to put in the e-mail")
    link.add_argument("--link-url", metavar="BASE",
                      help="the app's address: make a fresh read-only link for this digest (the app must be stopped)")
    dp.add_argument("--link-days", type=_days, default=DEFAULT_LINK_DAYS,
                    help=f"days a --link-url link works (default {DEFAULT_LINK_DAYS})")
    dp.add_argument("--dry-run", metavar="FILE", type=Path,
                    help="write the e-mail instead of sending it: FILE.eml the whole message (opens in a mail "
                         "program), any other name one HTML page with the charts inline (prints to PDF)")

"""``python -m sla_core digest``: the weekly status e-mail of a saved workspace.

    python -m sla_core digest --workspace NAME [--scenario NAME] --to a@example.com,b@example.com
        [--smtp-url smtp://host:587] [--share-url URL | --link-url BASE [--link-days N]] [--dry-run FILE[.eml]]

The order of the work puts every refusal first: the addresses and mail settings, the workspace and
scenario, then the mail server's login, and only then the report and its charts. Exit status 0 when
sent (or written); 2 with one line on stderr for bad input, a refused login or an unreachable server.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import datetime, timezone

import duckdb

from sla_core.digest import build, history, mail, render, source
from sla_core.store import workspaces as store

EML = ".eml"  # --dry-run to a file with this suffix writes the whole message, else the HTML page


@dataclasses.dataclass(frozen=True)
class Target:
    """The saved workspace and scenario a digest reports on, with its settings and the last digest sent."""

    opened: source.Opened
    workspace: store.SavedWorkspace
    scenario: store.Scenario
    previous: dict | None

    def request(self, link: source.ShareNote | None) -> build.Request:
        a, clock, hours = source.scenario_settings(self.scenario)
        return build.Request(a, clock, self.workspace.name, self.scenario.name, self.previous, link=link,
                             business_hours=hours)

    def digest(self, link: source.ShareNote | None, now: datetime) -> build.Digest:
        store.show_workspace(self.opened.cur, self.workspace.workspace_id)
        return build.build(self.opened.cur, self.workspace.dataset, self.request(link), now)


def _dry_run(args: argparse.Namespace, target: Target, to: tuple[str, ...], now: datetime) -> str:
    """Write the e-mail (``.eml``: the whole message, for a mail program) or its page (anything else)."""
    link = (source.existing_link(target.opened.cur, args.share_url, target.workspace) if args.share_url else
            source.announced_link(target.scenario, args.link_days) if args.link_url else None)
    digest = target.digest(link, now)
    written = (bytes(render.message(digest, mail.draft_sender(), to)) if args.dry_run.suffix.lower() == EML
               else render.page_html(digest).encode("utf-8"))
    try:
        args.dry_run.write_bytes(written)
    except OSError as exc:
        raise source.DigestError(f"--dry-run: cannot write {args.dry_run} ({exc.strerror or exc})") from exc
    return f"wrote the digest of {target.workspace.name!r} ({digest.month_title}) to {args.dry_run}; nothing was sent"


def _send(args: argparse.Namespace, target: Target, to: tuple[str, ...], settings: mail.SmtpSettings,
          now: datetime) -> build.Digest:
    """Log in, make the link, build and send; a link made for an e-mail that did not go out is revoked."""
    link = source.existing_link(target.opened.cur, args.share_url, target.workspace) if args.share_url else None
    with mail.Outbox(settings) as outbox:
        made = None
        if args.link_url:
            link, made = source.new_link(target.opened, args.link_url, target.workspace, target.scenario,
                                         args.link_days, now)
        try:
            digest = target.digest(link, now)
            outbox.send(render.message(digest, settings.sender, to), to)
        except BaseException:
            if made:
                source.revoke(target.opened, target.workspace, made)
            raise
    return digest


def run(args: argparse.Namespace, now: datetime | None = None) -> str:
    """Send (or write) the digest; returns what to print. Raises ValueError (DigestError, MailError) for bad input."""
    now = now or datetime.now(timezone.utc)
    to = mail.addresses(args.to)
    settings = None if args.dry_run else mail.smtp_settings(args.smtp_url)
    if args.link_url:
        source.check_base_url(args.link_url)
    store_file = store.store_path()
    sent_file = history.history_path(store_file)
    with source.opened_store(store_file) as opened:
        workspace = source.find_workspace(opened.cur, args.workspace)
        scenario = source.find_scenario(opened.cur, workspace, args.scenario)
        if args.link_url and not args.dry_run:
            source.require_writable(opened)  # before the mail server's login and the report's work
        target = Target(opened, workspace, scenario, history.last_sent(sent_file, workspace.name, scenario.name))
        if args.dry_run:
            return _dry_run(args, target, to, now)
        digest = _send(args, target, to, settings, now)
    history.remember(sent_file, workspace.name, scenario.name,
                     {**digest.record, "workspace_id": workspace.workspace_id, "scenario_revision": scenario.revision})
    return (f"sent the digest of {workspace.name!r} ({digest.month_title}) to {len(to)} "
            f"recipient{'s' if len(to) > 1 else ''} through {settings.server}")


def run_digest(args: argparse.Namespace) -> int:
    """The command's exit status: 0 sent, 2 with one line on stderr for anything the user can fix."""
    try:
        print(run(args))
    except (ValueError, OSError, store.StoreError, duckdb.Error) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    return 0

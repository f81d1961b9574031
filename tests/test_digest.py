"""``python -m sla_core digest``: the weekly status e-mail, sent to a real SMTP server on 127.0.0.1.

The figures are checked against hand-computed values (``digest_support``) and against
``python -m sla_core report`` on the same export; the server speaks STARTTLS with a certificate made
here and accepts one login.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from digest_support import (
    AFTER,
    ASSUMPTIONS,
    BEFORE,
    PASSWORD,
    USER,
    export,
    free_port,
    save_workspace,
    start_server,
    unmeasured_export,
)
from sla_core.__main__ import main
from sla_core.digest import mail
from sla_core.digest.history import history_path
from sla_core.store import share
from sla_core.store import workspaces as store

ROOT = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# The figures table of May 2024 in the BEFORE export, computed by hand (digest_support's docstring).
BEFORE_FIGURES = {
    "actuals.marketing_leads": (3, "3"), "targets.leads_needed": (4, "4"), "actuals.customers": (0, "0"),
    "catch_up.deficit_leads": (0, "0"), "catch_up.goal_leads": (4, "4"), "speed.handed": (3, "3"),
    "speed.pct_within_goal": (1 / 3, "33.3 %"), "speed.median_hours": (1.75, "1.75 h"),
    "depth.not_connected": (3, "3"), "depth.pct_at_goal": (1 / 3, "33.3 %"), "depth.avg_attempts": (1.0, "1.00"),
    "health.consecutive_misses.marketing": (1, "1"), "health.consecutive_misses.sales": (1, "1"),
}


class _Cells(HTMLParser):
    """The e-mail's figures (``data-figure`` cells) and verdict badges, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.images: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-figure" in attrs:
            self._open = attrs["data-figure"]
        if tag == "img":
            self.images.append(attrs["src"])

    def handle_data(self, data):
        if self._open:
            self.figures[self._open] = self.figures.get(self._open, "") + data

    def handle_endtag(self, tag):
        if tag == "td":
            self._open = None


def cells(html: str) -> _Cells:
    parsed = _Cells()
    parsed.feed(html)
    return parsed


@pytest.fixture
def setting(tmp_path, monkeypatch):
    """A store with the BEFORE export saved as "Acme", a mail server, and the environment a cron job sets."""
    store_file = tmp_path / "store" / "store.duckdb"
    csv_file = tmp_path / "before.csv"
    csv_file.write_text(export(BEFORE))
    save_workspace(store_file, csv_file, "Acme")
    mail, controller = start_server(tmp_path)
    env = {"SLA_STORE_PATH": str(store_file), "SLA_SMTP_URL": f"smtp://127.0.0.1:{mail.port}", "SLA_SMTP_USER": USER,
           "SLA_SMTP_PASSWORD": PASSWORD, "SLA_SMTP_FROM": "sla-bot@example.com", "SLA_SMTP_CA_FILE": str(mail.ca_file)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no project secrets file: the environment is the only source
    yield {"store": store_file, "csv": csv_file, "mail": mail, "env": env, "tmp": tmp_path}
    controller.stop()


def digest(*args: str) -> list[str]:
    return ["digest", "--workspace", "Acme", *args]


def plain(msg) -> str:
    """The plain-text part as a reader's mail program shows it (SMTP carries CRLF line ends)."""
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_the_digest_arrives_with_both_parts_inline_charts_and_the_reports_figures(setting, tmp_path):
    env = {**setting["env"], "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "sla_core", *digest("--to", "ana@example.com, ben@example.com")],
                          cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sent the digest of 'Acme' (May 2024) to 2 recipients")

    [got] = setting["mail"].received
    assert got.over_tls and got.auth_mechanism in ("LOGIN", "PLAIN")
    assert got.mail_from == "sla-bot@example.com" and got.rcpt_tos == ["ana@example.com", "ben@example.com"]
    msg = got.message
    assert msg["To"] == "ana@example.com, ben@example.com"
    assert msg["Subject"] == "SLA status: Acme, May 2024: marketing missed, sales missed"
    text = plain(msg)
    page = msg.get_body(("html",)).get_content()
    related = next(p for p in msg.walk() if p.get_content_type() == "multipart/related")  # the HTML and its charts
    inline = {p["Content-ID"].strip("<>"): p.get_content() for p in related.iter_parts()
              if p.get_content_type() == "image/png"}
    assert all(p["Content-Disposition"].startswith("inline") for p in related.iter_parts() if p.get_filename())
    parsed = cells(page)
    assert len(inline) == 2 and all(png.startswith(PNG_MAGIC) for png in inline.values())
    assert sorted(src.removeprefix("cid:") for src in parsed.images) == sorted(inline)

    report = subprocess.run([sys.executable, "-m", "sla_core", "report", "--leads", str(setting["csv"]),
                             "--assumptions", str(_assumptions_file(tmp_path))], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    from_cli = json.loads(report.stdout)
    assert from_cli["month"] == "2024-05"
    for key, (value, shown) in BEFORE_FIGURES.items():
        assert _at(from_cli, key) == pytest.approx(value), key
        assert parsed.figures[key] == shown, key
        assert f": {shown}" in text, key
    for side in ("marketing", "sales"):  # the sentences carry the report's reasons word for word
        assert from_cli["verdict_reasons"][side].split(": ", 1)[1] in text
    assert "Marketing missed its goal in May 2024: 3 marketing leads in May 2024, 4 needed (1 short)." in text
    assert "Sales missed its goal in May 2024: speed missed: 33.3 % of due leads followed up within 1 h" in text
    assert "This is the first digest of this workspace and scenario" in text
    assert history_path(setting["store"]).exists()


def _assumptions_file(folder: Path) -> Path:
    path = folder / "assumptions.json"
    path.write_text(json.dumps(ASSUMPTIONS))
    return path


def _at(report: dict, key: str):
    value = report
    for part in key.split("."):
        value = value[part]
    return value


def test_a_refused_login_exits_2_with_one_line_and_sends_nothing(setting, monkeypatch, capsys):
    monkeypatch.setenv("SLA_SMTP_PASSWORD", "wrong")
    assert main(digest("--to", "ana@example.com")) == 2
    line = one_line_error(capsys)
    assert line.startswith(f"error: the mail server 127.0.0.1:{setting['mail'].port} refused the login for {USER} (535")
    assert setting["mail"].received == [] and not history_path(setting["store"]).exists()


def test_a_server_that_is_down_exits_2_with_one_line(setting, monkeypatch, capsys):
    port = free_port()
    assert main(digest("--to", "ana@example.com", "--smtp-url", f"smtp://127.0.0.1:{port}")) == 2
    assert one_line_error(capsys) == (f"error: cannot reach the mail server 127.0.0.1:{port}: connection refused "
                                      "(is it running, and is the port right?)")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # that server is the point
def test_a_server_without_starttls_never_gets_the_password(setting, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "clear"
    folder.mkdir()
    clear, controller = start_server(folder, starttls=False)
    try:
        monkeypatch.setenv("SLA_SMTP_URL", f"smtp://127.0.0.1:{clear.port}")
        assert main(digest("--to", "ana@example.com")) == 2
    finally:
        controller.stop()
    assert one_line_error(capsys) == (f"error: the mail server 127.0.0.1:{clear.port} does not offer STARTTLS: the "
                                      "login was not sent in clear (use smtps:// if it expects TLS from the start)")
    assert clear.logins == [] and clear.received == []


@pytest.mark.parametrize(("args", "message"), [
    (["digest", "--workspace", "Globex", "--to", "ana@example.com"],
     "error: no saved workspace is called 'Globex'; saved: 'Acme'"),
    (digest("--to", "ana@example.com,not-an-address"), "error: --to: 'not-an-address' is not an e-mail address"),
    (digest("--to", "ana@example.com", "--scenario", "Stretch"),
     "error: workspace 'Acme' has no scenario called 'Stretch'; its scenarios: 'Baseline'"),
    (digest("--to", "ana@example.com", "--smtp-url", "http://mail.example.com"),
     "error: the mail server must look like smtp://host:587 or smtps://host:465, got 'http://mail.example.com'"),
    (digest("--to", "ana@example.com", "--link-url", "sla.example.com"),
     "error: --link-url must be the app's address, like https://sla.example.com, got 'sla.example.com'"),
    (digest("--to", "ana@example.com", "--dry-run", "/no-such-folder/status.html"),
     "error: --dry-run: cannot write /no-such-folder/status.html (No such file or directory)"),
])
def test_bad_input_exits_2_with_one_line(setting, capsys, args, message):
    assert main(args) == 2
    assert one_line_error(capsys) == message
    assert setting["mail"].received == []


def test_a_revoked_share_link_is_refused(setting, capsys):
    db = store.open_store(setting["store"])
    cur = db.cursor()
    saved = store.list_workspaces(cur).iloc[0]["workspace_id"]
    baseline = store.scenarios(cur, saved)[0]
    token = share.create_link(cur, saved, baseline.scenario_id, baseline.revision)
    share.revoke_link(cur, saved, share.token_hash(token))
    db.close()
    link = share.share_url("https://sla.example.com", token)
    assert main(digest("--to", "ana@example.com", "--share-url", link)) == 2
    assert one_line_error(capsys).startswith(
        "error: --share-url: the link does not open (expired, revoked or mistyped)")


def test_a_dry_run_while_the_app_holds_the_store_writes_the_page_and_sends_nothing(setting, capsys):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, duckdb; con = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); sys.stdin.read()", str(setting["store"])],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"  # the running app's lock on the store
        assert main(digest("--to", "ana@example.com", "--link-url", "https://sla.example.com")) == 2
        assert "the running app holds the store" in one_line_error(capsys)
        out = setting["tmp"] / "status.html"
        assert main(digest("--to", "ana@example.com", "--dry-run", str(out))) == 0
    finally:
        holder.communicate("")
    assert capsys.readouterr().out.startswith(f"wrote the digest of 'Acme' (May 2024) to {out}; nothing was sent")
    page = out.read_text()
    assert "Marketing missed its goal in May 2024: 3 marketing leads in May 2024, 4 needed (1 short)." in page
    assert "Sales missed its goal in May 2024: speed missed: 33.3 % of due leads followed up within 1 h" in page
    assert [b for b in re.findall(r'data-verdict="(\w+)"><b>\w+</b>: ([\w ·]+)<', page)] == [
        ("marketing", "missed"), ("speed", "missed"), ("depth", "missed"), ("sales", "missed")]
    images = cells(page).images
    assert len(images) == 2 and all(src.startswith("data:image/png;base64,iVBORw0KGgo") for src in images)
    assert setting["mail"].received == [] and not history_path(setting["store"]).exists()


def test_a_dry_run_to_an_eml_file_holds_the_whole_message_and_not_measured_is_never_missed(setting, monkeypatch,
                                                                                          capsys):
    csv_file = setting["tmp"] / "no-activities.csv"
    csv_file.write_text(unmeasured_export())
    save_workspace(setting["store"], csv_file, "Beta")
    for name in setting["env"]:
        if name.startswith("SLA_SMTP_"):
            monkeypatch.delenv(name)  # a dry run needs no mail settings
    out = setting["tmp"] / "status.eml"
    to = "ana@example.com,ben@example.com"
    assert main(["digest", "--workspace", "Beta", "--to", to, "--dry-run", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote the digest of 'Beta' (May 2024) to {out}; nothing was sent")
    msg = message_from_bytes(out.read_bytes(), policy=policy.default)
    assert msg["From"] == "sla-digest@localhost" and msg["To"] == "ana@example.com, ben@example.com"
    assert msg["Subject"] == "SLA status: Beta, May 2024: marketing met, sales not measured"
    text = plain(msg)
    verdicts = text.split("VERDICTS\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert verdicts == ["  Marketing: met", "  Speed: not measured", "  Depth: not measured", "  Sales: not measured"]
    assert "Sales is not measured: the export has neither first-touch dates nor follow-up attempt counts" in text
    assert "missed its goal" not in text and "Well done: Marketing met its goal in May 2024" in text
    page = msg.get_body(("html",)).get_content()
    assert re.findall(r'data-verdict="(\w+)"><b>\w+</b>: ([\w ·]+)<', page) == [
        ("marketing", "met"), ("speed", "not measured"), ("depth", "not measured"), ("sales", "not measured")]
    assert "Speed is not measured: " in page  # in place of the speed chart
    charts = text.split("CHARTS (IN THE HTML VERSION OF THIS E-MAIL)\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert charts[0] == "  - May 2024: marketing leads against the goal line" and len(charts) == 2
    assert charts[1].startswith("Speed is not measured: ")
    related = next(p for p in msg.walk() if p.get_content_type() == "multipart/related")
    [chart] = [p for p in related.iter_parts() if p.get_content_type() == "image/png"]
    assert chart.get_content().startswith(PNG_MAGIC)
    assert cells(page).images == ["cid:" + chart["Content-ID"].strip("<>")]
    assert setting["mail"].received == [] and not history_path(setting["store"]).exists()


def test_the_next_digest_after_better_data_says_what_changed_celebrates_and_links(setting, capsys):
    assert main(digest("--to", "ana@example.com")) == 0
    better = setting["tmp"] / "after.csv"
    better.write_text(export(AFTER))
    save_workspace(setting["store"], better, "Acme")  # next week's export, saved under the same name
    before = datetime.now(timezone.utc)
    assert main(digest("--to", "ana@example.com", "--link-url", "https://sla.example.com/")) == 0
    first, second = setting["mail"].received
    assert second.message["Subject"] == "SLA status: Acme, May 2024: marketing met, sales met"
    text = plain(second.message)
    changed = text.split("WHAT CHANGED SINCE THE LAST DIGEST\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert changed == [
        "  - Marketing leads: 3 → 5 (+2)",
        "  - Leads handed to sales: 3 → 5 (+2)",
        "  - Followed up within 1 h (target 80%): 33.3 % → 80.0 %",
        "  - Median response: 1.75 h → 0.50 h",
        "  - Handed leads not connected: 3 → 5 (+2)",
        "  - Not connected, with at least 2 attempts (target 80%): 33.3 % → 80.0 %",
        "  - Average attempts on them: 1.00 → 2.00",
        "  - Marketing: complete months missed in a row: 1 → 0 (-1)",
        "  - Sales: complete months missed in a row: 1 → 0 (-1)",
        "  - Marketing: missed → met", "  - Speed: missed → met", "  - Depth: missed → met", "  - Sales: missed → met"]
    assert [line for line in text.splitlines() if line.startswith("Well done")] == [
        "Well done: Marketing met its goal in May 2024: 5 marketing leads in May 2024, 4 needed.",
        "Well done: Speed met its goal in May 2024: 80.0 % of due leads followed up within 1 h (target 80 %).",
        "Well done: Depth met its goal in May 2024: 80.0 % of unconnected leads had at least 2 attempts (target 80 %).",
        "Well done: Marketing ended a run of 1 missed month.",
        "Well done: Sales ended a run of 1 missed month."]
    assert "Well done" not in plain(first.message)

    url = re.search(r"https://sla\.example\.com/\?share=[\w-]+", text).group(0)
    db = store.open_store(setting["store"])
    cur = db.cursor()
    target = share.open_link(cur, parse_qs(urlsplit(url).query)["share"][0])
    latest = store.list_workspaces(cur).iloc[0]["workspace_id"]
    [link] = share.links(cur, latest).to_dict("records")
    db.close()
    assert target.workspace_id == latest and target.revision == 1
    assert timedelta(days=8) <= link["expires_at"] - before <= timedelta(days=8, minutes=5)
    assert f"it works until {link['expires_at']:%d %B %Y %H:%M} UTC" in text

    assert main(digest("--to", "ana@example.com")) == 0  # nothing new: said once, celebrated once
    text = plain(setting["mail"].received[2].message)
    assert "Nothing changed since the last digest" in text and "Well done" not in text


def test_mail_settings_come_from_the_environment_over_the_secrets_file_and_never_from_the_url(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[smtp]\nurl = "smtps://mail.example.com"\nuser = "bot@example.com"\npassword = "from-file"\n')
    from_file = mail.smtp_settings(None, environ={}, files=[secrets])
    assert (from_file.host, from_file.port, from_file.implicit_tls) == ("mail.example.com", 465, True)
    assert (from_file.user, from_file.password, from_file.sender) == ("bot@example.com", "from-file", "bot@example.com")
    env = mail.smtp_settings("smtp://relay.example.com", environ={"SLA_SMTP_PASSWORD": "from-env"}, files=[secrets])
    assert (env.server, env.implicit_tls, env.password) == ("relay.example.com:587", False, "from-env")
    with pytest.raises(mail.MailError, match="put the mail login in SLA_SMTP_USER and SLA_SMTP_PASSWORD"):
        mail.smtp_settings("smtp://bot:pw@mail.example.com", environ={}, files=[secrets])

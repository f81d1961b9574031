"""Sending the digest: SMTP settings from the environment or Streamlit's secrets file, STARTTLS and login.

Settings, each from the environment first, else the ``[smtp]`` table of ``.streamlit/secrets.toml``
(the project's, then the user's ``~/.streamlit/``; read as TOML, so the core never imports Streamlit):

    SLA_SMTP_URL       smtp://host:587 (STARTTLS) or smtps://host:465 (TLS from the start)   [smtp] url
    SLA_SMTP_USER      login name                                                          [smtp] user
    SLA_SMTP_PASSWORD  password                                                            [smtp] password
    SLA_SMTP_FROM      the sender address (default: the login name when it is an address)  [smtp] from
    SLA_SMTP_CA_FILE   a CA bundle to trust besides the system's (a private mail server)   [smtp] ca_file

With a login the connection must be encrypted (a server without STARTTLS is refused rather than sent the
password in clear); without one (a local relay) STARTTLS is used when the server offers it. Every failure
becomes a ``MailError`` whose message is one line naming the server.
"""
from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

ENV = {"url": "SLA_SMTP_URL", "user": "SLA_SMTP_USER", "password": "SLA_SMTP_PASSWORD", "from": "SLA_SMTP_FROM",
       "ca_file": "SLA_SMTP_CA_FILE"}
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
TIMEOUT_SECONDS = 30
DRAFT_SENDER = "sla-digest@localhost"  # a dry run's From when no sender is configured
ADDRESS_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


class MailError(ValueError):
    """The digest could not be sent; the message (one line) says why and names the server."""


def secrets_files(cwd: Path | None = None) -> tuple[Path, ...]:
    """Where Streamlit keeps secrets, the user's first: the project's file overrides it key by key."""
    return (Path.home() / ".streamlit" / "secrets.toml", (cwd or Path.cwd()) / ".streamlit" / "secrets.toml")


def _secrets(files: Sequence[Path]) -> dict:
    found: dict = {}
    for path in files:
        if not path.is_file():
            continue
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("smtp", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise MailError(f"{path}: cannot read the [smtp] settings ({exc})") from exc
        if isinstance(table, dict):
            found.update({k: str(v) for k, v in table.items() if k in ENV})
    return found


def addresses(text: str, option: str = "--to") -> tuple[str, ...]:
    """Comma-separated plain addresses (a@example.com), each checked: no names, no line breaks."""
    found = tuple(part.strip() for part in str(text).split(",") if part.strip())
    if not found:
        raise MailError(f"{option}: give at least one e-mail address")
    for address in found:
        if not ADDRESS_RE.fullmatch(address):
            raise MailError(f"{option}: {address!r} is not an e-mail address")
    return found


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool  # smtps://: TLS from the first byte; smtp://: STARTTLS
    user: str | None
    password: str | None
    sender: str
    ca_file: str | None = None

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def _server(url: str) -> tuple[str, int, bool]:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise MailError(f"the mail server must look like smtp://host:587 or smtps://host:465, got {url!r}")
    if parts.username or parts.password:
        raise MailError("put the mail login in SLA_SMTP_USER and SLA_SMTP_PASSWORD, not in the server URL")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:
        raise MailError(f"the mail server URL {url!r} has a bad port") from exc
    return parts.hostname, port, parts.scheme == "smtps"


def _values(environ: Mapping[str, str] | None, files: Sequence[Path] | None) -> dict[str, str | None]:
    """Each setting from the environment, else from the secrets file, else None."""
    environ = os.environ if environ is None else environ
    secret = _secrets(secrets_files() if files is None else files)
    return {key: environ.get(name) or secret.get(key) for key, name in ENV.items()}


def _sender(value: Mapping[str, str | None]) -> str | None:
    """SLA_SMTP_FROM, else the login name when it is an address."""
    user = value["user"]
    return value["from"] or (user if user and ADDRESS_RE.fullmatch(user) else None)


def smtp_settings(url: str | None, environ: Mapping[str, str] | None = None,
                  files: Sequence[Path] | None = None) -> SmtpSettings:
    """The settings in force: ``url`` (``--smtp-url``) over the environment over the secrets file."""
    value = _values(environ, files)
    url = url or value["url"]
    if not url:
        raise MailError("no mail server: give --smtp-url or set SLA_SMTP_URL (or [smtp] url in "
                        ".streamlit/secrets.toml)")
    host, port, implicit_tls = _server(url)
    if bool(value["user"]) != bool(value["password"]):
        raise MailError("set both SLA_SMTP_USER and SLA_SMTP_PASSWORD, or neither")
    sender = _sender(value)
    if not sender:
        raise MailError("no sender address: set SLA_SMTP_FROM (or [smtp] from in .streamlit/secrets.toml)")
    addresses(sender, "SLA_SMTP_FROM")
    return SmtpSettings(host, port, implicit_tls, value["user"], value["password"], sender, value["ca_file"])


def draft_sender(environ: Mapping[str, str] | None = None, files: Sequence[Path] | None = None) -> str:
    """The From of a dry run's message: the sender a real run would use, else ``DRAFT_SENDER`` (a dry run
    needs no mail settings at all)."""
    sender = _sender(_values(environ, files))
    if sender:
        addresses(sender, "SLA_SMTP_FROM")
    return sender or DRAFT_SENDER


def _tls(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.ca_file:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise MailError(f"SLA_SMTP_CA_FILE {settings.ca_file}: cannot load it as certificates ({exc})") from exc
    return context


class Outbox:
    """One SMTP session: connected, encrypted and logged in on entry (so a refusal comes before any work is
    done), closed on exit. ``send`` hands over one message."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Outbox:
        try:
            self._open()
        except BaseException:
            self.__exit__()  # a refused login or a server without STARTTLS: hang up before saying why
            raise
        return self

    def _open(self) -> None:
        s = self.settings
        with _refusals(s):
            context = _tls(s)
            if s.implicit_tls:
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_SECONDS, context=context)
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
                self._starttls(context)
            if s.user:
                self.smtp.login(s.user, s.password or "")

    def _starttls(self, context: ssl.SSLContext) -> None:
        self.smtp.ehlo()
        if self.smtp.has_extn("starttls"):
            self.smtp.starttls(context=context)
            self.smtp.ehlo()
        elif self.settings.user:
            raise MailError(f"the mail server {self.settings.server} does not offer STARTTLS: the login was not "
                            "sent in clear (use smtps:// if it expects TLS from the start)")

    def send(self, message: EmailMessage, to: Sequence[str]) -> None:
        with _refusals(self.settings):
            self.smtp.send_message(message, from_addr=self.settings.sender, to_addrs=list(to))

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


@contextlib.contextmanager
def _refusals(settings: SmtpSettings) -> Iterator[None]:
    """Turn what SMTP, TLS and the network raise into one-line MailErrors naming the server."""
    try:
        yield
    except MailError:
        raise
    except Exception as exc:
        reason = _reason(exc, settings)
        if reason is None:
            raise
        raise MailError(reason) from exc


def _server_text(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {' '.join(text.split())}"


def _reason(exc: BaseException, s: SmtpSettings) -> str | None:
    """The one-line reason for a failure, or None for one that is not about mail (a bug: let it show)."""
    server = f"the mail server {s.server}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"{server} refused the login for {s.user} ({_server_text(exc)})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{to} ({_server_text(smtplib.SMTPResponseException(*r))})"
                            for to, r in exc.recipients.items())
        return f"{server} refused the recipients {refused}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{server} refused the message ({_server_text(exc)})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS with {server} failed: {getattr(exc, 'verify_message', None) or exc.reason or exc}"
    if isinstance(exc, (smtplib.SMTPException, ConnectionError, socket.timeout, OSError)):
        return f"cannot reach {server}: {_network_text(exc)}"
    return None


def _network_text(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is it running, and is the port right?)"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer within {TIMEOUT_SECONDS} s"
    if isinstance(exc, socket.gaierror):
        return "unknown host name"
    return " ".join(str(exc).split()) or exc.__class__.__name__

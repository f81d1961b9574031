"""A real mail server on 127.0.0.1 for the digest tests (aiosmtpd: STARTTLS with a certificate made here,
AUTH LOGIN/PLAIN), and saved workspaces whose figures are computed by hand.

May 2024 is complete (a sales-generated lead on 3 June sets the as-of time), the month shown first.
Assumptions: quota 200, all from marketing, deal 100, close rate 50 % → 2 customers → 4 leads needed;
speed goal 1 h and depth goal 2 attempts, both at an 80 % target share.

``BEFORE``: 3 marketing leads (1 short: missed); followed up after 0.5 h, 3 h and never → 1 of 3 within
the goal (33.3 %: missed), median response (0.5 + 3) / 2 = 1.75 h; attempts 2, 1, 0 on unconnected leads →
1 of 3 at goal (33.3 %), average 1.0. Each team has missed 1 month in a row.
``AFTER`` (the same workspace re-saved with a fuller export): 5 marketing leads (met); 4 of 5 within 1 h
(80.0 %: met), median 0.5 h; attempts 2, 2, 3, 2, 1 → 4 of 5 at goal (80.0 %), average 2.0. No misses.
``UNMEASURED``: 5 marketing leads (met) in an export with no first-touch dates and no attempt counts, and no
activity log: speed, depth and so the sales side are not measured (never missed).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sla_core.assumptions import Assumptions
from sla_core.db import open_session_db
from sla_core.ingest import load as ingest
from sla_core.ingest.mapping import Mapping
from sla_core.store import workspaces as store

USER, PASSWORD = "digest@example.com", "s3cret-pass"
HEADER = "lead_id,created_at,source,handed_at,first_touch_at,attempts,connected"
SALES_LEAD = "S1,2024-06-03 09:00,Outbound,2024-06-03 09:00,,0,false"
BEFORE = [
    "L1,2024-05-02 09:00,Web,2024-05-02 09:00,2024-05-02 09:30,2,false",
    "L2,2024-05-10 09:00,Web,2024-05-10 09:00,2024-05-10 12:00,1,false",
    "L3,2024-05-20 09:00,Web,2024-05-20 09:00,,0,false",
]
AFTER = [
    "L1,2024-05-02 09:00,Web,2024-05-02 09:00,2024-05-02 09:30,2,false",
    "L2,2024-05-10 09:00,Web,2024-05-10 09:00,2024-05-10 09:45,2,false",
    "L3,2024-05-20 09:00,Web,2024-05-20 09:00,2024-05-20 09:10,3,false",
    "L4,2024-05-25 09:00,Web,2024-05-25 09:00,2024-05-25 09:20,2,false",
    "L5,2024-05-28 09:00,Web,2024-05-28 09:00,2024-05-28 12:00,1,false",
]
UNMEASURED_HEADER = "lead_id,created_at,source,handed_at"
UNMEASURED = [
    "L1,2024-05-02 09:00,Web,2024-05-02 09:00", "L2,2024-05-10 09:00,Web,2024-05-10 09:00",
    "L3,2024-05-20 09:00,Web,", "L4,2024-05-21 09:00,Web,", "L5,2024-05-22 09:00,Web,",
    "S1,2024-06-03 09:00,Outbound,2024-06-03 09:00",
]
ASSUMPTIONS = {"quota": 200, "marketing_share": 1.0, "avg_deal_size": 100, "close_rate": 0.5,
               "speed_goal_hours": 1, "depth_goal_attempts": 2, "speed_target": 0.8, "depth_target": 0.8}


def export(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows, SALES_LEAD]) + "\n"


def unmeasured_export() -> str:
    return "\n".join([UNMEASURED_HEADER, *UNMEASURED]) + "\n"


def save_workspace(store_file: Path, csv_file: Path, name: str, scenario_settings: Assumptions | None = None) -> str:
    """Ingest ``csv_file`` as the Data page does and save it under ``name`` (what "Save" does); its id."""
    with tempfile.TemporaryDirectory(prefix="sla-digest-test-") as tmp:
        work = Path(tmp)
        con = open_session_db(work, readable=(csv_file.parent,))
        dataset = ingest.load(con, ingest.UploadSet(leads=ingest.Upload(csv_file.name, csv_file)), Mapping(),
                              ingest.ReadOptions(), work / "work")
        settings = {"assumptions": scenario_settings or Assumptions.from_dict(ASSUMPTIONS), "sales_clock": "calendar"}
        db = store.open_store(store_file)
        try:
            workspace_id, _ = store.save_workspace(db.cursor(), con, name, dataset, Mapping().to_json(),
                                                   store.settings_to_json(settings))
        finally:
            db.close()
            con.close()
    return workspace_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (also its own CA, which the client is told to trust)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sla digest test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    over_tls: bool
    auth_mechanism: str | None


@dataclass
class MailServer:
    """What the server received, and how the clients logged in."""

    port: int
    ca_file: Path
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str, bool]] = field(default_factory=list)  # (mechanism, user, accepted)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's handler hook)
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        mechanism = next((m for m, _, ok in reversed(self.logins) if ok), None)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg,
                                          session.ssl is not None, mechanism))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(), PASSWORD.encode())
        with self.lock:
            user = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else ""
            self.logins.append((mechanism, user, ok))
        return AuthResult(success=ok, handled=False)  # a refusal still answers 535 (aiosmtpd sends it)


def start_server(folder: Path, starttls: bool = True) -> tuple[MailServer, Controller]:
    """A server that requires STARTTLS before the login; ``starttls=False``: one that offers no TLS at all
    and would take a login in clear."""
    cert_file, key_file = certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    mail = MailServer(free_port(), cert_file)
    tls = {"tls_context": context, "require_starttls": True, "auth_require_tls": True} if starttls else {
        "auth_require_tls": False}
    controller = Controller(mail, hostname="127.0.0.1", port=mail.port, auth_required=True,
                            authenticator=mail.authenticate, **tls)
    controller.start()
    return mail, controller

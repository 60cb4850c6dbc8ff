"""What the trust-boundary tests attack: the shared stack (tests/conftest.py: REST channel and action
server with their tokens, as a trusted frontend uses them) and, started here once per run, two more
Rasa servers that differ only in how the REST channel is configured (docs/deployment.md, "Network
boundary"):
- `dev_rasa`: development without REST_CHANNEL_TOKEN, as `make run` starts it (the README's curl),
  on the stack's database and action server;
- `production_rasa`: APP_ENV=production without REST_CHANNEL_TOKEN, on its own PostgreSQL database
  (production refuses SQLite) with one enrolled citizen, and without a model: every call is refused
  before a model would be asked, so loading one (a minute on a busy machine) would prove nothing.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from tests.conftest import POSTGRES, migrated_postgres
from tests.ports import free_port
from tests.security.service_process import ChildProcess
from tests.stack import MODEL, ROOT, _without_faketime


def non_loopback_address() -> str | None:
    """This machine's address on its network (the way a client elsewhere reaches it), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP: no packet is sent, the kernel only picks a route
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def secret() -> str:
    return secrets.token_hex(24)  # 48 characters: production wants at least 32


def tracker_events(tracker_store_url: str, sender: str) -> int:
    """Rasa's SQL tracker store, read directly: a refused call must not even start a conversation."""
    engine = sa.create_engine(tracker_store_url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("events"):
                return 0  # Rasa never stored anything there
            return conn.execute(sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()
    finally:
        engine.dispose()


class RasaServer(ChildProcess):
    def __init__(self, workdir: Path, name: str, env: dict[str, str], model: Path, action_url: str,
                 tracker_store_yaml: str, tracker_store_url: str):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{name}.log"
        self.tracker_store_url = tracker_store_url
        endpoints = workdir / f"{name}-endpoints.yml"
        endpoints.write_text(
            f"action_endpoint:\n  url: \"{action_url}/webhook\"\n"
            "  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n" + tracker_store_yaml,
            encoding="utf-8")
        self.env = {**env, "RASA_URL": self.url}
        self.rasa_token = self.env["RASA_TOKEN"]
        command = [sys.executable, "-m", "bot.channels.rasa_server", "run", "--model", str(model),
                   "--port", str(self.port), "--enable-api",
                   "--auth-token", self.rasa_token, "--credentials", str(ROOT / "credentials.yml"),
                   "--endpoints", str(endpoints)]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(command, cwd=ROOT, env=_without_faketime(self.env), stdout=log, stderr=log)

    def wait_ready(self, path: str, timeout: float = 240) -> RasaServer:
        super().wait_ready(f"{self.url}{path}", timeout)
        return self


@pytest.fixture(scope="session")
def stack_db(stack):
    database = Database(stack.database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def dev_rasa(stack, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("dev-rasa")
    env = {k: v for k, v in stack.env.items() if k != "REST_CHANNEL_TOKEN"}
    tracker = workdir / "tracker.db"
    server = RasaServer(workdir, "dev-rasa", env, MODEL, stack.action_url,
                        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker}\n", f"sqlite:///{tracker}")
    try:
        yield server.wait_ready(f"/status?token={server.rasa_token}")
    finally:
        server.stop()


@dataclass(frozen=True)
class Production:
    rasa: RasaServer
    db: Database
    citizen_id: int
    phone: str


@pytest.fixture(scope="session")
def production(tmp_path_factory):
    if not POSTGRES:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (production refuses SQLite)")
    with migrated_postgres("security") as (name, url):
        yield from _production(tmp_path_factory, name, url)


def _production(tmp_path_factory, name: str, url: str):
    db = Database(url)

    def enrol(session):
        coordinator, _ = create_coordinator(session, "Mette", phone="+4511223344")
        return create_citizen(session, name="Bente", phone="+4531999902", coordinator_id=coordinator.id).id

    citizen_id = db.call(enrol)
    # Nothing of the test run's or the developer's environment: the production checks see only this.
    kept = {k: v for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "LD_PRELOAD") or k.startswith("FAKETIME")}
    env = {**kept, "PYTHONWARNINGS": "ignore", "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
           "APP_ENV": "production", "DATABASE_URL": url, "TRACKER_STORE_URL": url,
           "ADMIN_TOKEN": secret(), "RASA_TOKEN": secret(), "SMS_WEBHOOK_SECRET": secret(),
           "SESSION_SECRET": secret(), "WEBCHAT_JWT_SECRET": secret(), "ACTION_SERVER_TOKEN": secret(),
           "SMS_GATEWAY": "gatewayapi", "SMS_GATEWAY_TOKEN": "issued-by-the-operator",
           "SMS_GATEWAY_URL": "https://gateway.invalid", "PUBLIC_URL": "https://koordinering.kommune.invalid",
           "RASA_SOCKET_URL": "https://chat.kommune.invalid", "DUTY_PHONE": "+4570101010"}
    workdir = tmp_path_factory.mktemp("production-rasa")
    no_model = workdir / "no-model"
    no_model.mkdir()
    tracker_yaml = (f"tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n"
                    f"  db: {name}\n  username: root\n")
    server = RasaServer(workdir, "production-rasa", env, no_model, f"http://127.0.0.1:{free_port()}",
                        tracker_yaml, url)
    try:
        yield Production(server.wait_ready("/"), db, citizen_id, "+4531999902")
    finally:
        server.stop()
        db.dispose()

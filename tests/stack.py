"""Starts the real system for end-to-end tests: Rasa server, action server and coordination service
as separate processes on test ports, sharing a throw-away SQLite database."""
from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import jwt
import requests

from bot.core.clock import COPENHAGEN, ShiftedClock
from bot.core.config import RASA_MAX_BODY_BYTES
from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "current.tar.gz"


# Proactive messages go out by SMS, as in production: through the outbox to the fake operator.
PROACTIVE_CHANNEL = "sms"
# The instant the stack's clock starts at: a Tuesday morning in Copenhagen, inside the daytime window
# for proactive messages. Every process of the stack and every test read this clock, never the wall
# clock, so the suite behaves the same at any real hour (docs/testing.md, "Time in tests").
CLOCK_START = datetime(2026, 11, 24, 9, 30, tzinfo=COPENHAGEN)


def _without_faketime(env: dict[str, str]) -> dict[str, str]:
    """The Rasa server's environment when the run is under libfaketime (`make test-clock`): its
    TensorFlow threads can hang in libfaketime's condition-variable wrappers (libfaketime issue 419),
    so Rasa runs on the real clock, and its stack clock is anchored in real time: it shows the same
    "now" as every other process. docs/testing.md, "Time in tests"."""
    preload = env.get("LD_PRELOAD", "")
    offset = env.get("FAKETIME", "")
    if "faketime" not in preload:
        return env
    if not re.fullmatch(r"[+-]\d+s", offset):
        raise RuntimeError(f"tests/at_time.sh sets FAKETIME to an offset like +3600s, not {offset!r}")
    kept = ":".join(part for part in preload.split(":") if part and "faketime" not in part)
    real_anchor = float(env["APP_CLOCK_ANCHOR"]) - int(offset[:-1])
    return {**{k: v for k, v in env.items() if not k.startswith("FAKETIME")}, "LD_PRELOAD": kept,
            "APP_CLOCK_ANCHOR": repr(real_anchor)}


class PortTaken(RuntimeError):
    """A server could not bind its port."""


class Stack:
    def __init__(self, workdir: Path, *, extra_env=None, database_url: str | None = None,
                 clock_start: datetime = CLOCK_START):
        self.workdir = workdir
        self.clock = ShiftedClock(clock_start, time.time())
        self.database_url = database_url or f"sqlite:///{workdir / 'coordination.db'}"
        self.admin_token = "e2e-admin-token"
        self.rasa_token = "e2e-rasa-token"
        # The trust-boundary secrets (docs/deployment.md, "Network boundary"): the stack runs with both
        # set, so every e2e turn goes through the token checks as a trusted frontend's would.
        self.rest_token = "e2e-rest-channel-token-0123456789abcdef"
        self.action_token = "e2e-action-server-token-0123456789abcdef"
        self.sms_secret = "e2e-sms-secret-long-enough-for-hs256"
        self._mo_ids = itertools.count(1)
        self._phone_numbers = itertools.count(100_001)  # a fresh number for each citizen of this stack
        self._seen_sms: dict[str, int] = {}
        self.webchat_secret = "e2e-webchat-secret-0123456789abcdef"
        self.extra_env = extra_env or {}
        self.procs: dict[str, subprocess.Popen] = {}
        self._assign_ports()

    def _assign_ports(self) -> None:
        # Free ports chosen per run, so parallel test runs on one machine never meet.
        rasa_port, action_port, service_port = (free_port() for _ in range(3))
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        self.action_url = f"http://127.0.0.1:{action_port}"
        self.service_url = f"http://127.0.0.1:{service_port}"
        self.ports = (rasa_port, action_port, service_port)
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            # The tracker store of _endpoints(): export and erasure reach the citizen's conversation.
            "TRACKER_STORE_URL": f"sqlite:///{self.workdir / 'tracker.db'}",
            "ADMIN_TOKEN": self.admin_token,
            "RASA_TOKEN": self.rasa_token,
            "REST_CHANNEL_TOKEN": self.rest_token,
            "ACTION_SERVER_TOKEN": self.action_token,
            "RASA_URL": self.rasa_url,
            "SERVICE_PORT": str(service_port),
            # Time is driven by POST /api/scheduler/tick in tests, never by the wall clock.
            "SCHEDULER_INTERVAL_SECONDS": "0",
            "PROACTIVE_CHANNEL": PROACTIVE_CHANNEL,
            # The web chat page (service) and its socket (Rasa) must agree on the origin and the secret.
            "PUBLIC_URL": self.service_url,
            "WEBCHAT_JWT_SECRET": self.webchat_secret,
            # The stack's clock (bot/core/clock.py): every process shows the same "now".
            "APP_CLOCK_START": self.clock.start.isoformat(),
            "APP_CLOCK_ANCHOR": repr(self.clock.anchor),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SMS_GATEWAY": "fake",
            "SMS_WEBHOOK_SECRET": self.sms_secret,
            "SMS_DISPATCH_INTERVAL": "0.2",
            # No planned rounds of outcome questions: every tick plans one for every citizen of the
            # shared stack, and its prompt would come between another test's messages. A test asks
            # for its own round (bot/outcomes/record.py; tests/e2e/test_e2e_outcomes.py).
            "QUESTIONNAIRES": "off",
            **self.extra_env,
        }

    def _endpoints(self) -> Path:
        path = self.workdir / "endpoints.yml"
        path.write_text(
            # The token the way endpoints.yml sends it: a header expanded from the environment.
            f"action_endpoint:\n  url: \"{self.action_url}/webhook\"\n"
            "  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n"
            "  enable_selective_domain: true\n"  # as endpoints.yml
            "tracker_store:\n  type: bot.channels.tracker_store.CachingSQLTrackerStore\n"
            f"  dialect: sqlite\n  db: {self.workdir / 'tracker.db'}\n"
            "nlg:\n  type: bot.channels.nlg.CatalogueNLG\n",  # as endpoints.yml: the citizen's language
            encoding="utf-8",
        )
        return path

    def start_process(self, name: str) -> None:
        rasa_port, action_port, _ = self.ports
        commands = {
            "actions": [sys.executable, "-m", "actions.server", "--port", str(action_port)],
            "rasa": [sys.executable, "-m", "bot.channels.rasa_server", "run", "--model", str(MODEL),
                     "--port", str(rasa_port), "--enable-api",
                     "--auth-token", self.rasa_token, "--credentials", str(ROOT / "credentials.yml"),
                     "--endpoints", str(self._endpoints())],
            "service": [sys.executable, "-m", "bot.service"],
        }
        log = open(self.workdir / f"{name}.log", "ab")
        env = _without_faketime(self.env) if name == "rasa" else self.env
        if name == "rasa":  # Rasa's body limit, as deployed (bot.core.config.RASA_MAX_BODY_BYTES)
            env = {**env, "SANIC_REQUEST_MAX_SIZE": str(RASA_MAX_BODY_BYTES)}
        self.procs[name] = subprocess.Popen(commands[name], cwd=ROOT, env=env, stdout=log, stderr=log)

    def start(self, attempts: int = 3) -> Stack:
        from bot.db.migrate import upgrade

        upgrade(self.database_url)
        for attempt in range(1, attempts + 1):
            try:
                for name in ("actions", "service", "rasa"):
                    self.start_process(name)
                self.wait_ready()
                return self
            except PortTaken:
                # Another program on this machine took a port between our check and the bind.
                self.stop()
                if attempt == attempts:
                    raise
                for log in self.workdir.glob("*.log"):
                    log.rename(log.with_suffix(f".log.attempt{attempt}"))
                self._assign_ports()
            except BaseException:
                self.stop()
                raise
        return self

    def wait_ready(self, timeout: float = 600) -> None:
        # Generous: with three clock runs at once on 2 cores, loading Rasa's model took 3-4 minutes.
        checks = {
            "actions": f"{self.action_url}/health",
            "service": f"{self.service_url}/healthz",
            "rasa": f"{self.rasa_url}/status?token={self.rasa_token}",
        }
        deadline = time.monotonic() + timeout
        pending = {n: u for n, u in checks.items() if n in self.procs}
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                if self.procs[name].poll() is not None:
                    log = self.log(name)
                    error = PortTaken if "address already in use" in log else RuntimeError
                    raise error(f"{name} exited: {log[-3000:]}")
                try:
                    if requests.get(url, timeout=2).status_code == 200:
                        pending.pop(name)
                except requests.RequestException:
                    pass
            time.sleep(0.5)
        if pending:
            raise RuntimeError(f"not ready after {timeout}s: {list(pending)}")

    def stop_process(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()

    def stop(self) -> None:
        for name in list(self.procs):
            self.stop_process(name)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- its time ---
    def now(self) -> datetime:
        """Now, as the stack's processes see it."""
        return self.clock.now()

    def today(self) -> date:
        """Today in Copenhagen, as the stack's processes see it."""
        return self.now().astimezone(COPENHAGEN).date()

    # --- talking to it ---
    def new_citizen(self, prefix: str = "+4530", **fields) -> dict:
        """A coordinator (with a phone) and a fresh citizen of theirs; the citizen JSON plus the
        coordinator's API token. Each test gets its own phone, so conversations never mix."""
        coordinator = self.api("POST", "/api/coordinators", json={"name": "Mette", "phone": "+4511223344"}).json()
        phone = f"{prefix}{next(self._phone_numbers):06d}"
        resp = self.api("POST", "/api/citizens", json={"name": "Bente", "phone": phone,
                                                       "coordinator_id": coordinator["id"], **fields})
        assert resp.status_code == 201, resp.text
        return {**resp.json(), "token": coordinator["token"]}

    def admin(self) -> dict:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.admin_token}"}
        kwargs.setdefault("timeout", 30)
        return requests.request(method, f"{self.service_url}{path}", headers=headers, **kwargs)

    def tick(self, now, citizens: list[dict] | None = None) -> dict:
        """Run the scheduler at `now` (an aware datetime) through the admin endpoint; with `citizens`,
        only their jobs, so tests sharing the stack never send each other's messages."""
        body = {"now": now.isoformat()}
        if citizens is not None:
            body["citizen_ids"] = [c["id"] for c in citizens]
        resp = self.api("POST", "/api/scheduler/tick", json=body, timeout=120)
        resp.raise_for_status()
        return resp.json()

    def tracker_events(self, sender: str) -> list[dict]:
        resp = requests.get(f"{self.rasa_url}/conversations/{requests.utils.quote(sender, safe='+')}/tracker",
                            params={"token": self.rasa_token}, timeout=30)
        resp.raise_for_status()
        return resp.json()["events"]

    def rest_headers(self) -> dict:
        """What a trusted frontend sends to the REST channel."""
        return {"Authorization": f"Bearer {self.rest_token}"}

    def say(self, sender: str, text: str) -> list[str]:
        """One citizen turn over the REST channel; returns the bot's texts."""
        resp = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             headers=self.rest_headers(), timeout=60)
        resp.raise_for_status()
        return [m.get("text", "") for m in resp.json()]

    # --- SMS, as the gateway and the citizen's phone see it ---
    def sms_webhook(self, msisdn: str, text: str, mo_id: str | None = None, secret: str | None = None,
                    signed: bool = True) -> requests.Response:
        """The gateway delivers an MO (a citizen's SMS) to Rasa, signed as GatewayAPI signs it."""
        payload = {"id": mo_id or f"mo-{next(self._mo_ids)}-{self.workdir.name}", "msisdn": int(msisdn.lstrip("+")),
                   "receiver": 1204, "message": text, "senttime": int(self.now().timestamp())}
        headers = {"Content-Type": "application/json"}
        if signed:
            headers["X-Gwapi-Signature"] = jwt.encode(payload, secret or self.sms_secret, algorithm="HS256")
        return requests.post(f"{self.rasa_url}/webhooks/sms/webhook", json=payload, headers=headers, timeout=30)

    def phone_inbox(self, msisdn: str) -> list[str]:
        """What the fake operator delivered to this phone (MT messages), oldest first."""
        rows = requests.get(f"{self.service_url}/fake-sms/messages", params={"msisdn": msisdn.lstrip("+")},
                            timeout=10).json()
        return [r["message"] for r in rows if r["direction"] == "mt"]

    def wait_for_sms(self, msisdn: str, count: int, timeout: float = 30) -> list[str]:
        """Wait until the phone has received `count` messages in all; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            inbox = self.phone_inbox(msisdn)
            if len(inbox) >= count:
                return inbox
            time.sleep(0.2)
        raise AssertionError(f"phone {msisdn} has {self.phone_inbox(msisdn)}, expected {count} messages")

    def text_and_wait(self, msisdn: str, text: str, replies: int = 1, timeout: float = 30) -> list[str]:
        """The citizen sends an SMS; returns the new replies once they reached the phone."""
        before = len(self.phone_inbox(msisdn))
        assert self.sms_webhook(msisdn, text).status_code == 200
        return self.wait_for_sms(msisdn, before + replies, timeout)[before:]

    def new_sms(self, msisdn: str, count: int = 1, timeout: float = 30) -> list[str]:
        """The next `count` messages the phone receives after those already returned here."""
        seen = self._seen_sms.get(msisdn, 0)
        inbox = self.wait_for_sms(msisdn, seen + count, timeout)
        self._seen_sms[msisdn] = len(inbox)
        return inbox[seen:]

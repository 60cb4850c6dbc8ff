"""Production guardrails (issue 12, point 4), tried on the real processes: `python -m bot.service`
started with APP_ENV=production and one weak setting exits at once, with that setting's one-line
reason; with strong settings it starts, and then an attacker holding the admin token still cannot
choose the scheduler's "now" (which sent tomorrow's reminders today and skipped quiet hours).
The action server and Rasa read the same settings and refuse the same way (docs/deployment.md,
"Production checks")."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.core.config import DEV_SESSION_SECRET, DEV_WEBCHAT_JWT_SECRET
from tests.conftest import POSTGRES, migrated_postgres
from tests.ports import free_port
from tests.security.conftest import secret

pytestmark = pytest.mark.e2e  # real processes

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIMEOUT = 90  # seconds for a refused start; Rasa's imports alone take about 20 s on a busy machine


@pytest.fixture(scope="module")
def pg_url():
    """A migrated throw-away PostgreSQL database: production refuses SQLite."""
    if not POSTGRES:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with migrated_postgres("guard") as (_, url):
        yield url


@pytest.fixture(scope="module")
def strong(pg_url) -> dict[str, str]:
    """A production environment with nothing weak in it. Nothing reaches the outside: the SMS and
    e-mail dispatchers and the scheduler loop are off, the gateway and Rasa addresses lead nowhere."""
    return {
        "APP_ENV": "production",
        "DATABASE_URL": pg_url,
        "TRACKER_STORE_URL": pg_url,
        "ADMIN_TOKEN": secret(),
        "RASA_TOKEN": secret(),
        "SMS_WEBHOOK_SECRET": secret(),
        "SESSION_SECRET": secret(),
        "WEBCHAT_JWT_SECRET": secret(),
        "ACTION_SERVER_TOKEN": secret(),
        "SMS_GATEWAY": "gatewayapi",
        "SMS_GATEWAY_TOKEN": "issued-by-the-operator",  # its length is the operator's choice
        "SMS_GATEWAY_URL": "https://gateway.invalid",
        "SMS_DISPATCH_INTERVAL": "0",
        "SCHEDULER_INTERVAL_SECONDS": "0",
        "PUBLIC_URL": "https://koordinering.kommune.invalid",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "RASA_SOCKET_URL": "https://chat.kommune.invalid",
        "DUTY_PHONE": "+4570101010",
        "SERVICE_HOST": "127.0.0.1",
    }


def _environment(settings: dict[str, str | None]) -> dict[str, str]:
    """Only what a process needs to run plus `settings` (None: left out), so nothing of the
    developer's or the test run's own settings leaks in. libfaketime's variables stay
    (`make test-clock`)."""
    kept = {k: v for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "LD_PRELOAD") or k.startswith("FAKETIME")}
    return {**kept, "PYTHONWARNINGS": "ignore", "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
            **{k: v for k, v in settings.items() if v is not None}}


def refused_start(command: list[str], settings: dict[str, str | None]) -> subprocess.CompletedProcess:
    """Runs a process that must refuse to start; fails the test if it is still running after TIMEOUT."""
    try:
        done = subprocess.run(command, cwd=ROOT, env=_environment(settings), capture_output=True, text=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command[-1]} started with a weak production setting")
    assert done.returncode != 0, done.stderr[-2000:]
    return done


SERVICE = [sys.executable, "-m", "bot.service"]


WEAK = [
    # The attack: an empty ADMIN_TOKEN made "Authorization: Bearer " an admin.
    ({"ADMIN_TOKEN": ""}, "ADMIN_TOKEN is empty"),
    ({"ADMIN_TOKEN": "   "}, "ADMIN_TOKEN is empty"),
    ({"ADMIN_TOKEN": None}, "ADMIN_TOKEN is a development default"),
    ({"ADMIN_TOKEN": "kommune-admin-2026"}, "ADMIN_TOKEN has 18 characters: at least 32 are needed"),
    ({"RASA_TOKEN": "dev-rasa-token"}, "RASA_TOKEN is a development default"),
    ({"SMS_WEBHOOK_SECRET": "s" * 31}, "SMS_WEBHOOK_SECRET has 31 characters"),
    ({"SESSION_SECRET": DEV_SESSION_SECRET}, "SESSION_SECRET is a development default"),
    ({"WEBCHAT_JWT_SECRET": DEV_WEBCHAT_JWT_SECRET}, "WEBCHAT_JWT_SECRET is a development default"),
    ({"ACTION_SERVER_TOKEN": None}, "ACTION_SERVER_TOKEN is empty"),
    ({"REST_CHANNEL_TOKEN": "frontend-token"}, "REST_CHANNEL_TOKEN has 14 characters"),
    ({"DATABASE_URL": None}, "DATABASE_URL is SQLite"),
    ({"TRACKER_STORE_URL": "sqlite:////var/lib/rasa/tracker.db"}, "TRACKER_STORE_URL is SQLite"),
    ({"PUBLIC_URL": "http://koordinering.kommune.invalid"}, "PUBLIC_URL must start with https://"),
    ({"RASA_SOCKET_URL": "http://chat.kommune.invalid"}, "RASA_SOCKET_URL must start with https://"),
    ({"SMTP_HOST": "mail.kommune.invalid", "SMTP_SECURITY": "none"}, "SMTP_SECURITY=none sends alert e-mails"),
    ({"APP_CLOCK_START": "2026-11-24T09:30:00+01:00"}, "APP_CLOCK_START is for tests only"),
    ({"SMS_GATEWAY": "fake"}, "SMS_GATEWAY=fake is for development only"),
]


@pytest.mark.parametrize("weak, reason", WEAK, ids=[reason.split(" ")[0] for _, reason in WEAK])
def test_the_service_refuses_each_weak_setting_with_its_reason(strong, weak, reason):
    done = refused_start(SERVICE, {**strong, "SERVICE_PORT": str(free_port()), **weak})
    assert done.returncode == 2
    [line] = [line for line in done.stderr.splitlines() if "not started" in line]
    assert line.startswith(f"coordination service not started: {reason}"), done.stderr[-2000:]


def test_every_weak_setting_is_named_in_one_refusal(strong):
    """One failed start lists all that must change, one line each, not only the first."""
    weak = {"ADMIN_TOKEN": "", "PUBLIC_URL": "http://koordinering.kommune.invalid", "DATABASE_URL": None,
            "SMTP_HOST": "mail.kommune.invalid", "SMTP_SECURITY": "none"}
    done = refused_start(SERVICE, {**strong, "SERVICE_PORT": str(free_port()), **weak})
    assert "coordination service not started: 4 settings refused:" in done.stderr
    reasons = [line[2:] for line in done.stderr.splitlines() if line.startswith("- ")]
    assert [r.split(" ")[0] for r in reasons] == ["ADMIN_TOKEN", "DATABASE_URL", "PUBLIC_URL", "SMTP_SECURITY=none"]
    assert "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def production_service(strong, tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("production") / "service.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(SERVICE, cwd=ROOT, env=_environment({**strong, "SERVICE_PORT": str(port)}),
                                stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.3)
        else:
            pytest.fail("the service with strong production settings did not start")
        yield url, strong["ADMIN_TOKEN"]
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_with_strong_settings_the_service_starts(production_service):
    url, admin = production_service
    assert requests.get(f"{url}/healthz", timeout=10).json() == {"status": "ok"}
    assert requests.get(f"{url}/api/citizens", headers={"Authorization": f"Bearer {admin}"}, timeout=10).status_code == 200
    # The empty bearer that was an admin: 401 (and an empty ADMIN_TOKEN cannot start, above).
    for header in ("Bearer ", "Bearer  "):
        assert requests.get(f"{url}/api/citizens", headers={"Authorization": header}, timeout=10).status_code == 401


def test_in_production_the_tick_runs_on_the_service_clock_only(production_service):
    url, admin = production_service
    headers = {"Authorization": f"Bearer {admin}"}
    future = "2031-06-02T21:30:00+02:00"  # tomorrow's reminders and quiet hours, if it were accepted
    refused = requests.post(f"{url}/api/scheduler/tick", json={"now": future}, headers=headers, timeout=30)
    assert refused.status_code == 400
    assert "'now' is refused when APP_ENV=production" in refused.json()["error"]
    # Without `now` the tick runs, on the service's own clock (nothing is due in this empty database).
    ran = requests.post(f"{url}/api/scheduler/tick", json={}, headers=headers, timeout=30)
    assert ran.status_code == 200, ran.text
    assert ran.json()["jobs"] == [] and not ran.json()["now"].startswith("2031-06-02")


def test_the_action_server_refuses_weak_settings_too(strong):
    done = refused_start([sys.executable, "-m", "actions.server", "--port", str(free_port())],
                         {**strong, "ADMIN_TOKEN": "", "PUBLIC_URL": "http://koordinering.kommune.invalid"})
    assert "ADMIN_TOKEN is empty" in done.stderr and "PUBLIC_URL must start with https://" in done.stderr


def test_rasa_refuses_weak_settings_when_it_builds_its_channels(strong):
    """The SMS, REST and web-chat channels read the settings at Rasa's start-up, before the model loads."""
    done = refused_start([str(BIN / "rasa"), "run", "--model", str(ROOT / "models" / "current.tar.gz"),
                          "--port", str(free_port()), "--credentials", str(ROOT / "credentials.yml")],
                         {**strong, "SMS_WEBHOOK_SECRET": "", "WEBCHAT_JWT_SECRET": "short"})
    output = done.stdout + done.stderr
    assert "SMS_WEBHOOK_SECRET is empty" in output and "WEBCHAT_JWT_SECRET has 5 characters" in output

"""`make run`: start Rasa, the action server and the coordination service together; Ctrl-C stops all.
A process that dies takes the others down, so a half-running system is never mistaken for a working one."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request

from bot.core.config import RASA_MAX_BODY_BYTES, ROOT, Settings


def processes(settings: Settings) -> dict[str, list[str]]:
    return {
        # Our entry point, not `rasa run actions`: loopback only and the shared token (actions/server.py).
        "actions": [sys.executable, "-m", "actions.server", "--port", "5055"],
        "rasa": [
            # `rasa run` with jax kept out: about 105 MiB less resident (bot/channels/rasa_server.py).
            sys.executable, "-m", "bot.channels.rasa_server", "run", "--model", "models/current.tar.gz",
            "--port", "5005", "--enable-api",
            "--auth-token", os.environ.setdefault("RASA_TOKEN", "dev-rasa-token"),
            "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
        ],
        "service": [sys.executable, "-m", "bot.service"],
    }


def _banner(settings: Settings) -> str:
    service = f"http://{settings.service_host}:{settings.service_port}"
    rest_door = "Bearer REST_CHANNEL_TOKEN" if settings.rest_channel_token else "from this machine only"
    return (
        f"  dashboard             {settings.public_url}/login  (see the demo login above)\n"
        f"  coordination service  {service}/healthz\n"
        f"  JSON API              {service}/api/  "
        f"(admin token: {settings.admin_token}, coordinator token: dev-coordinator-token)\n"
        f"  phone simulator       {service}/fake-sms/  (type as the demo citizen 4512345678)\n"
        f"  Rasa                  http://127.0.0.1:5005/webhooks/rest/webhook  ({rest_door})\n"
        "  action server         http://127.0.0.1:5055/health\n"
        "Press Ctrl-C to stop everything."
    )


def _all_up(settings: Settings) -> bool:
    urls = (f"http://127.0.0.1:{settings.service_port}/healthz", "http://127.0.0.1:5055/health",
            "http://127.0.0.1:5005/")
    try:
        return all(urllib.request.urlopen(url, timeout=1).status == 200 for url in urls)
    except OSError:
        return False


def _stop_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # Ctrl-C and `kill` both stop everything, also when make runs us from a script, where the shell
    # starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    # The secret Rasa sends to the action server (endpoints.yml expands it): a fresh one per run
    # unless set, so no fixed development value ever opens an action server (docs/deployment.md).
    os.environ.setdefault("ACTION_SERVER_TOKEN", secrets.token_urlsafe(32))
    settings = Settings.from_env()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    commands = processes(settings)
    # Rasa's dependencies print pages of DeprecationWarnings at start-up that hide the addresses.
    env = {**os.environ, "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "ignore::DeprecationWarning")}
    # Rasa refuses bodies over RASA_MAX_BODY_BYTES (413); only Rasa: the action server receives whole trackers.
    rasa_env = {"SANIC_REQUEST_MAX_SIZE": str(RASA_MAX_BODY_BYTES), **env}
    running = {name: subprocess.Popen(cmd, cwd=ROOT, env=rasa_env if name == "rasa" else env)
               for name, cmd in commands.items()}
    banner = _banner(settings)
    print("\nStarting (Rasa needs about half a minute to load its model):\n" + banner, flush=True)
    announced = False
    try:
        while all(p.poll() is None for p in running.values()):
            if not announced and _all_up(settings):
                print("\nEverything is up:\n" + banner, flush=True)
                announced = True
            time.sleep(0.5)
        dead = [n for n, p in running.items() if p.poll() is not None]
        print(f"stopped because {', '.join(dead)} exited", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for p in running.values():
            if p.poll() is None:
                p.terminate()
        deadline = time.time() + 10
        for p in running.values():
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()

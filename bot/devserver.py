"""`make run`: start Rasa, the action server and the coordination service together; Ctrl-C stops all.
A process that dies takes the others down, so a half-running system is never mistaken for a working one."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.config import ROOT, Settings

VENV_BIN = Path(sys.executable).parent


def processes(settings: Settings) -> dict[str, list[str]]:
    rasa = str(VENV_BIN / "rasa")
    return {
        "actions": [rasa, "run", "actions", "--port", "5055", "--actions", "actions"],
        "rasa": [
            rasa, "run", "--model", "models/current.tar.gz", "--port", "5005", "--enable-api",
            "--auth-token", os.environ.setdefault("RASA_TOKEN", "dev-rasa-token"),
            "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
        ],
        "service": [sys.executable, "-m", "bot.service"],
    }


def main() -> None:
    settings = Settings.from_env()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    running = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in processes(settings).items()}
    print(
        "\nStarting (Rasa needs about half a minute to load its model):\n"
        f"  dashboard             {settings.public_url}/login  (see the demo login above)\n"
        f"  coordination service  http://{settings.service_host}:{settings.service_port}/healthz\n"
        f"  JSON API              http://{settings.service_host}:{settings.service_port}/api/  "
        f"(admin token: {settings.admin_token}, coordinator token: dev-coordinator-token)\n"
        f"  phone simulator       http://{settings.service_host}:{settings.service_port}/fake-sms/  "
        "(type as the demo citizen 4512345678)\n"
        "  Rasa                  http://127.0.0.1:5005/webhooks/rest/webhook\n"
        "  action server         http://127.0.0.1:5055/health\n"
        "Press Ctrl-C to stop everything.\n",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in running.values()):
            time.sleep(0.5)
        dead = [n for n, p in running.items() if p.poll() is not None]
        print(f"stopped because {', '.join(dead)} exited", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for p in running.values():
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        deadline = time.time() + 10
        for p in running.values():
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()

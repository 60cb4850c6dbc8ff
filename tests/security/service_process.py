"""One more coordination service process (`python -m bot.service`), for attacks that need a service
configured otherwise than the shared stack's: on the wrong tracker store
(tests/security/test_audit_retention.py), or on a database of its own that a fuzzer may change at
will (tests/security/test_fuzz.py). Starts in a few seconds: no model to load."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.ports import free_port
from tests.stack import ROOT


class ChildProcess:
    """A server this module started: waits until a URL answers 200, stops it, shows its log."""

    name = "process"
    proc: subprocess.Popen
    log_path: Path

    def wait_ready(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log()[-3000:]}")
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout}s: {self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class ServiceProcess(ChildProcess):
    def __init__(self, workdir: Path, env: dict[str, str], name: str = "service"):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = workdir / f"{name}-{port}.log"
        # Its own port and address; no scheduler loop and no outbox dispatcher of its own (the
        # stack's service sends what is queued in a shared database).
        self.env = {**env, "SERVICE_PORT": str(port), "PUBLIC_URL": self.url, "SCHEDULER_INTERVAL_SECONDS": "0",
                    "SMS_DISPATCH_INTERVAL": "0"}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot.service"], cwd=ROOT, env=self.env,
                                         stdout=log, stderr=log)
        self.name = name
        self.wait_ready(f"{self.url}/healthz", timeout=60)

"""The documented production topology, started from the repository's own deploy/ files
(docs/deployment.md, "Production topology"), for tests/e2e/test_production_topology.py and a bench:

    HAProxy (deploy/haproxy.cfg, TLS, the one public address)
      -> 2 Rasa servers (deploy/endpoints.yml) -> each its own action server
      -> 2 coordination services, each with its scheduler loop and SMS dispatcher
    PostgreSQL (coordination database + Rasa's tracker store) behind a TCP relay the test can cut;
    Redis (the lock store, with a password) on a port of its own, so it can be restarted;
    a fake SMS operator (tests/fake_gateway.py) speaking GatewayAPI's wire format.

APP_ENV=production with random secrets: every process passes Settings.problems(). Production
refuses the test clock, so everything runs on the real clock (bot.core.clock.Clock); the test
computes its times from `Topology.now()`. Rasa's and HAProxy's configuration is never written by
this module: only the environment is (the variables deploy/production.env.example lists).
"""
from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import requests

from bot.core.clock import Clock
from bot.core.config import RASA_MAX_BODY_BYTES
from bot.db.migrate import upgrade
from tests.conftest import _pg_admin
from tests.outage import PostgresOutage
from tests.ports import free_port
from tests.stack import MODEL, ROOT

DEPLOY = ROOT / "deploy"
HAPROXY = "/usr/sbin/haproxy"
ENV_EXAMPLE = DEPLOY / "production.env.example"
# What a process of ours may inherit from the test run; nothing else of the developer's environment.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def secret() -> str:
    return secrets.token_hex(24)  # 48 characters; production wants at least 32


def example_variables() -> set[str]:
    """The variables deploy/production.env.example names (set or commented out)."""
    names = set()
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        word = line.lstrip("# ").split("=", 1)[0]
        if "=" in line and word.isidentifier() and word.isupper():
            names.add(word)
    return names


class PgRelay:
    """tests/outage.PostgresOutage on an event loop of its own thread, so it outlives any test's loop:
    every process reaches PostgreSQL through it; `down()` refuses new connections and cuts live ones."""

    def __init__(self, real_url: str):
        self._outage = PostgresOutage(real_url)
        self.port = self._outage.port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pg-relay", daemon=True)
        self._thread.start()

    def _call(self, coro) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)

    def up(self) -> None:
        self._call(self._outage.up())

    def down(self) -> None:
        self._call(self._outage.down())

    def url(self, database: str) -> str:
        return f"postgresql://root@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        self._call(self._outage.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class Topology:
    def __init__(self, workdir: Path, *, extra_env: dict[str, str] | None = None, pg_relay: bool = True):
        self.workdir = workdir
        # pg_relay=False (bench/topology.py): every process talks to PostgreSQL directly, as in
        # production; the relay is a test device (one Python thread carrying every query) that
        # only the outage test needs. PostgreSQL cannot be cut then (`relay` stays None).
        self.pg_relay = pg_relay
        self.clock = Clock()  # production's clock: the real one
        self.procs: dict[str, subprocess.Popen] = {}
        self.extra_env = extra_env or {}
        self.databases: list[str] = []
        self.relay: PgRelay | None = None
        self.ports = {name: free_port() for name in (
            "public", "rasa_internal", "rasa1", "rasa2", "actions1", "actions2", "service1", "service2",
            "redis", "gateway")}
        self.public_url = f"https://127.0.0.1:{self.ports['public']}"
        self.gateway_url = f"http://127.0.0.1:{self.ports['gateway']}"
        self.ca_file = workdir / "public-cert.pem"
        self.admin_socket = workdir / "haproxy-admin.sock"
        self.secrets = {name: secret() for name in (
            "ADMIN_TOKEN", "RASA_TOKEN", "SMS_WEBHOOK_SECRET", "SESSION_SECRET", "WEBCHAT_JWT_SECRET",
            "ACTION_SERVER_TOKEN", "REDIS_PASSWORD", "SMS_GATEWAY_TOKEN")}
        self.http = requests.Session()
        self.http.verify = str(self.ca_file)
        # Not the environment's CA bundle (REQUESTS_CA_BUNDLE would win over `verify`) nor its proxies.
        self.http.trust_env = False

    # --- time ---
    def now(self) -> datetime:
        return self.clock.now()

    # --- the environment of deploy/production.env.example ---
    def _proxy_environment(self) -> dict[str, str]:
        """What deploy/haproxy.cfg reads."""
        p = self.ports
        return {
            "PUBLIC_BIND": f"127.0.0.1:{p['public']}", "TLS_CERT": str(self.workdir / "public.pem"),
            "HAPROXY_ADMIN_SOCKET": str(self.admin_socket),
            "RASA_1": f"127.0.0.1:{p['rasa1']}", "RASA_2": f"127.0.0.1:{p['rasa2']}",
            "SERVICE_1": f"127.0.0.1:{p['service1']}", "SERVICE_2": f"127.0.0.1:{p['service2']}",
            "RASA_INTERNAL_BIND": f"127.0.0.1:{p['rasa_internal']}",
        }

    def _environment(self) -> dict[str, str]:
        kept = {k: v for k, v in os.environ.items() if k in KEPT}
        p = self.ports
        env = {
            **kept, "PYTHONWARNINGS": "ignore", "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "APP_ENV": "production", **self.secrets,
            "PUBLIC_URL": self.public_url, "RASA_SOCKET_URL": self.public_url,
            "TRUSTED_PROXIES": "127.0.0.1/32",
            **self._proxy_environment(),
            "RASA_URL": f"http://127.0.0.1:{p['rasa_internal']}",
            "DATABASE_URL": self.database_url(self.coordination_db),
            "TRACKER_STORE_URL": self.database_url(self.tracker_db),
            "SQL_POOL_SIZE": "5", "SQL_MAX_OVERFLOW": "5",
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(p["redis"]),
            "SERVICE_HOST": "127.0.0.1", "ACTION_SERVER_HOST": "127.0.0.1",
            "SMS_GATEWAY": "gatewayapi", "SMS_GATEWAY_URL": self.gateway_url, "SMS_SENDER": "1204",
            "DUTY_PHONE": "+4570101010",
            **self.extra_env,
        }
        return env

    def database_url(self, database: str) -> str:
        return self.relay.url(database) if self.relay else f"postgresql://root@127.0.0.1:5432/{database}"

    # --- starting ---
    def start(self, timeout: float = 600) -> Topology:
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, timeout: float) -> None:
        self._certificate()
        self.coordination_db = self._database("topology_coordination")
        self.tracker_db = self._database("topology_tracker")
        upgrade(f"postgresql://root@127.0.0.1:5432/{self.coordination_db}")
        if self.pg_relay:
            self.relay = PgRelay("postgresql://root@127.0.0.1:5432/postgres")
            self.relay.up()
        self.env = self._environment()
        self.start_redis()
        self.start_process("gateway")
        for n in ("1", "2"):
            self.start_process(f"actions{n}")
            self.start_process(f"service{n}")
        # One Rasa after the other: two loading their model at once on 2 cores take longer than in turn.
        self.start_process("rasa1")
        self.wait_ready(["gateway", "actions1", "actions2", "service1", "service2", "rasa1"], timeout)
        self.start_process("rasa2")
        self.start_process("haproxy")
        self.wait_ready(["rasa2"], timeout)
        self.wait_backends_up(timeout=60)

    def start_proxy(self, timeout: float = 30) -> Topology:
        """HAProxy alone, from deploy/haproxy.cfg, in front of whatever the caller serves on the ports
        of rasa1, rasa2, service1 and service2: for tests of the proxy's own configuration. Returns
        once its admin socket is there; a configuration HAProxy refuses raises with its log."""
        self._certificate()
        self.env = {**{k: v for k, v in os.environ.items() if k in KEPT}, **self._proxy_environment()}
        self.start_process("haproxy")
        deadline = time.monotonic() + timeout
        while not self.admin_socket.exists():
            if self.procs["haproxy"].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"HAProxy did not start: {self.log('haproxy')[-3000:]}")
            time.sleep(0.1)
        return self

    def _certificate(self) -> None:
        """A self-signed certificate for 127.0.0.1; the clients of this module trust only it."""
        key = self.workdir / "public-key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2",
                        "-keyout", str(key), "-out", str(self.ca_file)], check=True, capture_output=True)
        (self.workdir / "public.pem").write_bytes(self.ca_file.read_bytes() + key.read_bytes())

    def _database(self, prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return name

    def _command(self, name: str) -> tuple[list[str], dict[str, str]]:
        p, env = self.ports, self.env
        n = name[-1]
        if name.startswith("actions"):
            return [sys.executable, "-m", "actions.server", "--port", str(p[name])], env
        if name.startswith("service"):
            return [sys.executable, "-m", "bot.service"], {**env, "SERVICE_PORT": str(p[name])}
        if name.startswith("rasa"):
            command = [sys.executable, "-m", "bot.channels.rasa_server", "run", "--model", str(MODEL),
                       "-i", "127.0.0.1", "--port", str(p[name]),
                       "--enable-api", "--auth-token", env["RASA_TOKEN"], "--credentials",
                       str(ROOT / "credentials.yml"), "--endpoints", str(DEPLOY / "endpoints.yml")]
            return command, {**env, "SANIC_REQUEST_MAX_SIZE": str(RASA_MAX_BODY_BYTES),
                             "ACTION_SERVER_URL": f"http://127.0.0.1:{p['actions' + n]}/webhook"}
        if name == "haproxy":
            return [HAPROXY, "-db", "-f", str(DEPLOY / "haproxy.cfg")], env
        if name == "gateway":
            return [sys.executable, "-m", "tests.fake_gateway", "--port", str(p["gateway"])], {
                **env, "FAKE_GATEWAY_TOKEN": env["SMS_GATEWAY_TOKEN"], "CA_FILE": str(self.ca_file),
                "MO_URL": f"{self.public_url}/webhooks/sms/webhook", "RETRY_SECONDS": "2"}
        raise KeyError(name)

    def start_process(self, name: str) -> None:
        command, env = self._command(name)
        with open(self.workdir / f"{name}.log", "ab") as log:  # the child keeps its own descriptor
            self.procs[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)

    def start_redis(self) -> None:
        # No persistence: a restart loses every lock, as a restarted or replaced Redis does.
        with open(self.workdir / "redis.log", "ab") as log:
            self.procs["redis"] = subprocess.Popen(
                ["redis-server", "--bind", "127.0.0.1", "--port", str(self.ports["redis"]), "--save", "",
                 "--appendonly", "no", "--requirepass", self.secrets["REDIS_PASSWORD"]],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.ports["redis"]), 1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"redis did not start: {self.log('redis')}")

    def restart_redis(self) -> None:
        self.stop_process("redis")
        self.start_redis()

    def health_url(self, name: str) -> str:
        port = self.ports[name]
        path = {"actions": "/health", "service": "/healthz", "rasa": "/", "gateway": "/state"}[name.rstrip("12")]
        return f"http://127.0.0.1:{port}{path}"

    def wait_ready(self, names: list[str], timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        pending = list(names)
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                if self.procs[name].poll() is not None:
                    raise RuntimeError(f"{name} exited: {self.log(name)[-3000:]}")
                try:
                    if requests.get(self.health_url(name), timeout=2).status_code == 200:
                        pending.remove(name)
                except requests.RequestException:
                    pass
            time.sleep(0.5)
        if pending:
            raise RuntimeError(f"not ready after {timeout}s: {pending}")

    # --- HAProxy's view (its admin socket) ---
    def haproxy(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.admin_socket))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while data := sock.recv(65536):
                chunks.append(data)
        return b"".join(chunks).decode()

    def _servers(self) -> list[dict[str, str]]:
        """HAProxy's `show stat`, one row per backend server."""
        lines = self.haproxy("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = (dict(zip(header, line.split(","))) for line in lines[1:])
        return [row for row in rows if row.get("svname") not in (None, "", "FRONTEND", "BACKEND")]

    def backend_states(self) -> dict[tuple[str, str], str]:
        """(backend, server) -> UP / DOWN / MAINT, from `show stat`."""
        return {(row["pxname"], row["svname"]): row["status"].split()[0] for row in self._servers()}

    def sessions(self, backend: str) -> dict[str, int]:
        """server -> the sessions HAProxy has sent it on `backend` so far (`stot`)."""
        return {row["svname"]: int(row["stot"]) for row in self._servers() if row["pxname"] == backend}

    def wait_backends(self, want: str, server: str | None = None, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                states = self.backend_states()
            except OSError:
                states = {}
            chosen = {k: v for k, v in states.items() if server is None or k[1] == server}
            if chosen and all(v == want for v in chosen.values()):
                return
            time.sleep(0.2)
        raise RuntimeError(f"HAProxy backends not {want} after {timeout}s: {self.backend_states()}")

    def wait_backends_up(self, timeout: float = 60) -> None:
        self.wait_backends("UP", timeout=timeout)

    # --- faults ---
    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown handler runs, as when a machine or process dies."""
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)

    def restart(self, name: str, timeout: float = 600) -> None:
        self.start_process(name)
        self.wait_ready([name], timeout)

    # --- stopping ---
    def stop_process(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(15)

    def stop(self) -> None:
        for name in list(self.procs):
            self.stop_process(name)
        if self.relay is not None:
            self.relay.close()
        for name in self.databases:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.http.close()

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- talking to it, through the public address only ---
    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.secrets['ADMIN_TOKEN']}"}
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, f"{self.public_url}{path}", headers=headers, **kwargs)

    def gateway_state(self) -> dict:
        return requests.get(f"{self.gateway_url}/state", timeout=10).json()

    def phone_sends(self, msisdn: str, text: str, mo_id: str) -> None:
        """The citizen's phone sends an SMS: the operator delivers it as a signed MO webhook."""
        resp = requests.post(f"{self.gateway_url}/phone/send", timeout=10,
                             json={"msisdn": msisdn.lstrip("+"), "message": text, "id": mo_id})
        assert resp.status_code == 202, resp.text

    def phone_inbox(self, msisdn: str) -> list[str]:
        digits = int(msisdn.lstrip("+"))
        return [m["message"] for m in self.gateway_state()["mt"] if m["msisdn"] == digits]

"""deploy/haproxy.cfg's rasa_sms backend: a citizen's SMS go to one Rasa server, and citizens are
spread evenly over the servers (docs/deployment.md, "Production topology").

HAProxy runs from the repository's own configuration (tests/topology.py, `start_proxy`) in front of
four small HTTP servers on the ports of rasa1, rasa2, service1 and service2: what is tested is the
proxy's choice of server, which no Rasa behaviour changes (the full topology with real Rasa servers
is tests/e2e/test_production_topology.py). With the servers' default weight, HAProxy's consistent
hash put 42-44 % of any population of numbers on rasa1 and the rest on rasa2 (docs/performance.md,
"Round 8").
"""
from __future__ import annotations

import random
import shutil
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest

from bot.sms.gateway import SIGNATURE_HEADER, sign_webhook
from tests.topology import HAPROXY, Topology

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which(HAPROXY) is None, reason="HAProxy is installed by .ci/run")]

SECRET = "a-webhook-secret-of-at-least-32-characters"
CITIZENS = 2000
TWICE = 200  # the first citizens write a second time


class Seen:
    """What the four servers were sent, under one lock (each server answers on threads of its own)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.servers_of: dict[int, set[str]] = {}  # msisdn -> the servers its webhooks reached
        self.webhooks: Counter = Counter()  # server -> webhooks it answered

    def add(self, server: str, msisdn: int) -> None:
        with self.lock:
            self.servers_of.setdefault(msisdn, set()).add(server)
            self.webhooks[server] += 1


class Backend(ThreadingHTTPServer):
    """Answers 200 to everything (HAProxy's health checks included) and notes whose SMS it got."""

    def __init__(self, name: str, port: int, seen: Seen):
        self.name, self.seen = name, seen
        super().__init__(("127.0.0.1", port), Handler)


class Handler(BaseHTTPRequestHandler):
    server: Backend

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        signature = self.headers.get(SIGNATURE_HEADER)
        if signature:
            self.server.seen.add(self.server.name, jwt.decode(signature, SECRET, algorithms=["HS256"])["msisdn"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass  # quiet: HAProxy checks every second


@pytest.fixture
def proxy(tmp_path):
    topology = Topology(tmp_path, pg_relay=False)
    seen = Seen()
    backends: list[Backend] = []
    try:
        for name in ("rasa1", "rasa2", "service1", "service2"):
            backends.append(Backend(name, topology.ports[name], seen))
            threading.Thread(target=backends[-1].serve_forever, daemon=True).start()
        topology.start_proxy()
        topology.wait_backends_up(timeout=30)
        yield topology, seen
    finally:
        topology.stop()
        for backend in backends:
            backend.shutdown()
            backend.server_close()


def test_citizens_are_spread_evenly_and_each_keeps_one_server(proxy):
    topology, seen = proxy
    rng = random.Random(13)  # a fixed population: HAProxy's hash is deterministic, so is the split
    numbers = rng.sample(range(4520000000, 4599999999), CITIZENS)
    for msisdn in numbers + numbers[:TWICE]:
        payload = {"id": msisdn, "msisdn": msisdn, "receiver": 1204, "message": "tjek ind"}
        response = topology.http.post(f"{topology.public_url}/webhooks/sms/webhook", json=payload,
                                      headers=sign_webhook(payload, SECRET), timeout=10)
        assert response.status_code == 200

    assert sorted(seen.servers_of) == sorted(numbers)
    assert all(len(servers) == 1 for servers in seen.servers_of.values()), "a citizen's SMS went to two servers"
    per_server = Counter(next(iter(servers)) for servers in seen.servers_of.values())
    assert set(per_server) == {"rasa1", "rasa2"}
    # Even within a few points (the default weight gave rasa1 42.3 % of these: a server stands on
    # the ring weight x 16 times, and 16 points each is a lumpy ring).
    assert 0.46 <= per_server["rasa1"] / CITIZENS <= 0.54, per_server
    # HAProxy counted, per server, the webhooks that server answered (health checks are no sessions).
    sessions = topology.sessions("rasa_sms")
    assert {name: sessions[name] for name in ("rasa1", "rasa2")} == dict(seen.webhooks)
    assert sum(seen.webhooks.values()) == CITIZENS + TWICE

"""Issue 12, point 3: the action server runs only what Rasa sends with the shared secret.

A forged tracker posted to the stack's real action server (`python -m actions.server`) over real
HTTP: without ACTION_SERVER_TOKEN it is refused and the coordination database is unchanged; with it
the same call acts, which is what the token protects. The server listens on loopback only and does
not start without a token. docs/deployment.md, "Network boundary"."""
from __future__ import annotations

import base64
import socket
import subprocess
import sys

import pytest
import requests

from bot.db.alerts import list_alerts
from tests.security.conftest import non_loopback_address
from tests.stack import ROOT

pytestmark = pytest.mark.e2e


def forged_call(phone: str) -> dict:
    """What Rasa would send for "ring til mig": it raises a contact_request alert for `phone`."""
    message = {"text": "ring til mig", "intent": {"name": "request_contact", "confidence": 1.0}, "entities": []}
    return {
        "next_action": "action_request_contact", "sender_id": phone, "version": "3.6.21", "domain": {},
        "tracker": {"sender_id": phone, "slots": {}, "latest_message": message, "paused": False,
                    "events": [{"event": "user", "text": message["text"], "parse_data": message}],
                    "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen"},
    }


def rules(db, citizen: dict) -> list[str]:
    return [a.rule for a in db.call(list_alerts, citizen_id=citizen["id"])]


def test_a_forged_tracker_without_the_token_is_refused_and_changes_nothing(stack, stack_db):
    citizen = stack.new_citizen()
    token = stack.action_token
    attempts = {
        "none": {},
        "wrong token": {"headers": {"Authorization": "Bearer not-the-token"}},
        "token cut short": {"headers": {"Authorization": f"Bearer {token[:-1]}"}},
        "token without scheme": {"headers": {"Authorization": token}},
        "basic auth": {"headers": {"Authorization": "Basic " + base64.b64encode(f"rasa:{token}".encode()).decode()}},
        "Rasa's API token": {"headers": {"Authorization": f"Bearer {stack.rasa_token}"}},
        # Rasa's `token:` endpoint option sends a query parameter; this server takes the header only,
        # so the secret never sits in an access log.
        "query parameter": {"params": {"token": token}},
    }
    for name, how in attempts.items():
        resp = requests.post(f"{stack.action_url}/webhook", json=forged_call(citizen["phone"]), timeout=30, **how)
        assert (resp.status_code, resp.json()) == (401, {"error": "unauthorized"}), name
        assert resp.headers.get("WWW-Authenticate") == "Bearer"
    # Which actions exist is not for strangers either; liveness is.
    assert requests.get(f"{stack.action_url}/actions", timeout=30).status_code == 401
    assert requests.get(f"{stack.action_url}/health", timeout=30).json() == {"status": "ok"}
    assert rules(stack_db, citizen) == []


def test_with_the_token_the_same_call_acts(stack, stack_db):
    """The refusal above is what stands between a stranger and the database: the same call with
    the token raises the alert. (An unreadable body from a token holder is a 400, not a 500.)"""
    citizen = stack.new_citizen()
    auth = {"Authorization": f"Bearer {stack.action_token}"}
    resp = requests.post(f"{stack.action_url}/webhook", json=forged_call(citizen["phone"]), headers=auth, timeout=30)
    assert resp.status_code == 200, resp.text
    assert [m.get("response") for m in resp.json()["responses"]] == ["utter_contact_confirmed"]
    assert rules(stack_db, citizen) == ["contact_request"]
    bad = requests.post(f"{stack.action_url}/webhook", data=b"{not json", headers=auth, timeout=30)
    assert bad.status_code == 400


def test_it_listens_on_loopback_only(stack):
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback to try")
    port = int(stack.action_url.rsplit(":", 1)[1])
    assert requests.get(f"{stack.action_url}/health", timeout=10).status_code == 200
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, port), timeout=5).close()


def test_it_does_not_start_without_a_token(stack):
    env = {**stack.env, "ACTION_SERVER_TOKEN": ""}
    port = str(int(stack.action_url.rsplit(":", 1)[1]) + 1)  # never bound: it exits before listening
    done = subprocess.run([sys.executable, "-m", "actions.server", "--port", port], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "ACTION_SERVER_TOKEN must be set" in done.stderr

"""Issue 12, point 1: nobody talks as a citizen over the REST channel without the credential.

The attacker knows a phone number and posts `{"sender": <number>, "message": ...}` to Rasa's public
port, over real HTTP against the real servers. Refused calls get one answer whatever the number
(so it never tells whether a number is enrolled) and leave nothing behind: no log row, no alert,
no STOP, no tracker. docs/deployment.md, "Network boundary"."""
from __future__ import annotations

import base64
import json

import pytest
import requests

from bot.core.texts import UNKNOWN_SENDER
from bot.db.alerts import list_alerts
from bot.db.citizens import get_citizen
from bot.db.messages import list_inbound
from tests.security.conftest import non_loopback_address, tracker_events

pytestmark = pytest.mark.e2e
UNKNOWN_PHONE = "+4531999901"  # never registered by any test


def post(base_url: str, sender: str, message: str, headers: dict | None = None, **kwargs) -> requests.Response:
    return requests.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                         headers=headers or {}, timeout=60, **kwargs)


def traces(db, tracker_store_url: str, citizen_ids: list[int], senders: list[str]) -> dict:
    """Everything a let-through message would leave: log rows, alerts, STOP, tracker events."""
    return {
        "inbound": {c: len(db.call(list_inbound, c)) for c in citizen_ids},
        "alerts": {c: [a.rule for a in db.call(list_alerts, citizen_id=c)] for c in citizen_ids},
        "status": {c: db.call(lambda s, c=c: get_citizen(s, c).status) for c in citizen_ids},
        "tracker": {s: tracker_events(tracker_store_url, s) for s in senders},
    }


def answer(resp: requests.Response) -> tuple:
    return resp.status_code, resp.text, resp.headers.get("WWW-Authenticate")


# What an attacker tries: what the bot would act on (STOP, crisis words, questions about the next
# meeting) from an enrolled citizen, another enrolled citizen, and a number nobody enrolled.
ATTACKS = [("victim", "STOP"), ("victim", "jeg vil ikke leve mere"), ("victim", "tjek ind"),
           ("other", "hvornår er mit næste møde?"), ("unknown", "hej")]


def test_without_the_token_nobody_talks_as_a_citizen_and_enrolment_does_not_show(stack, stack_db):
    victim, other = stack.new_citizen(), stack.new_citizen()
    phones = {"victim": victim["phone"], "other": other["phone"], "unknown": UNKNOWN_PHONE}
    ids, tracker = [victim["id"], other["id"]], stack.env["TRACKER_STORE_URL"]
    before = traces(stack_db, tracker, ids, list(phones.values()))
    token = stack.rest_token
    credentials = {
        "none": {},
        "wrong token": {"Authorization": "Bearer not-the-token"},
        "token cut short": {"Authorization": f"Bearer {token[:-1]}"},
        "token without scheme": {"Authorization": token},
        "basic auth": {"Authorization": "Basic " + base64.b64encode(f"rest:{token}".encode()).decode()},
        "non-ASCII": {"Authorization": "Bearer tøken".encode().decode("latin-1")},
        "another secret of the stack": {"Authorization": f"Bearer {stack.admin_token}"},
    }
    answers = set()
    for name, headers in credentials.items():
        for who, message in ATTACKS:
            resp = post(stack.rasa_url, phones[who], message, headers)
            assert resp.status_code == 401, (name, who, resp.status_code, resp.text)
            answers.add(answer(resp))
    # The token where Rasa's own HTTP API takes it (a query parameter) is not the REST channel's credential.
    resp = post(stack.rasa_url, phones["victim"], "STOP", params={"token": token})
    answers.add(answer(resp))
    # Enrolled or not, any number, any message, any wrong credential: the same answer.
    [(status, body, challenge)] = answers
    assert (status, json.loads(body), challenge) == (401, {"error": "unauthorized"}, "Bearer")
    assert traces(stack_db, tracker, ids, list(phones.values())) == before
    assert before["alerts"] == {victim["id"]: [], other["id"]: []}
    assert before["status"] == {victim["id"]: "active", other["id"]: "active"}


def test_with_the_token_a_trusted_frontend_talks_for_the_citizen(stack, stack_db):
    citizen = stack.new_citizen()
    [reply] = stack.say(citizen["phone"], "kan min koordinator ringe til mig?")  # Bearer REST_CHANNEL_TOKEN
    # The reply comes from the custom action: Rasa's call to the action server carried its token too.
    assert "Mette" in reply and "ringe" in reply
    assert [m.text for m in stack_db.call(list_inbound, citizen["id"])] == ["kan min koordinator ringe til mig?"]
    assert [a.rule for a in stack_db.call(list_alerts, citizen_id=citizen["id"])] == ["contact_request"]
    # The token admits the frontend, not the number: a stranger still gets the polite refusal.
    assert stack.say(UNKNOWN_PHONE, "hej") == [UNKNOWN_SENDER]


def test_development_without_a_token_answers_this_machine_as_in_the_readme(stack, stack_db, dev_rasa):
    citizen = stack.new_citizen()
    # Byte for byte what the README's curl sends: no credential, curl's default form content type.
    body = json.dumps({"sender": citizen["phone"], "message": "kan min koordinator ringe til mig?"})
    resp = requests.post(f"{dev_rasa.url}/webhooks/rest/webhook", data=body, timeout=60,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 200, resp.text
    [reply] = [m["text"] for m in resp.json()]
    assert "Mette" in reply and "ringe" in reply
    assert [a.rule for a in stack_db.call(list_alerts, citizen_id=citizen["id"])] == ["contact_request"]


def test_development_without_a_token_refuses_other_machines(stack, stack_db, dev_rasa):
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback to come from")
    citizen = stack.new_citizen()
    senders = [citizen["phone"], UNKNOWN_PHONE]
    before = traces(stack_db, dev_rasa.tracker_store_url, [citizen["id"]], senders)
    outside = f"http://{address}:{dev_rasa.port}"  # Rasa listens on every interface; the peer is not loopback
    spoofed = {"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1", "Forwarded": "for=127.0.0.1"}
    answers = set()
    for sender, message in [(citizen["phone"], "STOP"), (citizen["phone"], "jeg vil dø"), (UNKNOWN_PHONE, "hej")]:
        for headers in ({}, spoofed, {"Authorization": f"Bearer {stack.rest_token}"}):
            resp = post(outside, sender, message, headers)
            answers.add(answer(resp))
    [(status, body, _)] = answers
    assert (status, json.loads(body)) == (403, {"error": "forbidden"})
    assert traces(stack_db, dev_rasa.tracker_store_url, [citizen["id"]], senders) == before


def test_production_without_a_token_refuses_every_call(production):
    """Production, no REST_CHANNEL_TOKEN: the channel is closed to everybody, this machine included
    (a reverse proxy here forwards every outside call from 127.0.0.1)."""
    rasa, db = production.rasa, production.db
    senders = [production.phone, UNKNOWN_PHONE]  # enrolled in its database, and not
    before = traces(db, rasa.tracker_store_url, [production.citizen_id], senders)
    answers = set()
    for sender in senders:
        for headers in ({}, {"Authorization": f"Bearer {rasa.env['ADMIN_TOKEN']}"}, {"Authorization": "Bearer x"}):
            answers.add(answer(post(rasa.url, sender, "STOP", headers)))
            answers.add(answer(post(rasa.url, sender, "jeg vil ikke leve mere", headers)))
    [(status, body, challenge)] = answers
    assert (status, json.loads(body), challenge) == (403, {"error": "forbidden"}, None)
    assert traces(db, rasa.tracker_store_url, [production.citizen_id], senders) == before
    assert before["inbound"] == {production.citizen_id: 0} and before["status"] == {production.citizen_id: "active"}
    # The check belongs to the REST channel only: the SMS webhook keeps its own (an unsigned MO is 401).
    sms = requests.post(f"{rasa.url}/webhooks/sms/webhook", timeout=30,
                        json={"id": "x", "msisdn": 4531999902, "message": "hej"})
    assert (sms.status_code, sms.json()) == (401, {"error": "invalid signature"})

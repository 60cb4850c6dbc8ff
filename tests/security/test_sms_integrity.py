"""Issue 12, point 7: STOP and START, delivery reports and MO replays, each attack performed through
real HTTP against the real processes (the shared `stack`: Rasa server, action server, coordination
service with its dispatcher and the fake operator speaking GatewayAPI's wire format).
- STOP (or the end of the course) while a proactive SMS is retrying through a gateway outage: the
  SMS is held at dispatch time and never reaches the phone.
- START after the coordinator ended the course: the course stays ended, the citizen gets the kind
  answer, and nothing proactive goes.
- Replayed and out-of-order delivery reports never move a status backwards nor raise an alert.
- An MO replayed after its message (and its citizen) was erased is not processed again.
docs/decisions.md, "SMS integrity"."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import jwt
import pytest
import requests

pytestmark = pytest.mark.e2e
OUTAGE = 1_000_000  # the fake operator answers this many sends with 500: down until we say so


def operator(stack, fail_next: int) -> None:
    resp = requests.post(f"{stack.service_url}/fake-sms/control", json={"fail_next": fail_next}, timeout=10)
    assert resp.status_code == 200


def outgoing(stack, citizen) -> list[dict]:
    resp = stack.api("GET", f"/api/citizens/{citizen['id']}/messages", citizen["token"])
    assert resp.status_code == 200, resp.text
    return [m for m in resp.json() if m["direction"] == "out"]


def incoming(stack, citizen) -> list[str]:
    resp = stack.api("GET", f"/api/citizens/{citizen['id']}/messages", citizen["token"])
    return [m["text"] for m in resp.json() if m["direction"] == "in"]


def wait_until(what, timeout: float = 30, every: float = 0.2):
    """Poll `what()` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s: {what.__doc__ or what}")


def citizen_json(stack, citizen) -> dict:
    return stack.api("GET", f"/api/citizens/{citizen['id']}", citizen["token"]).json()


def prompt_due(stack, citizen) -> datetime:
    """When the first check-in prompt is due: the scheduler's first tick for the citizen plans it."""
    stack.tick(stack.now(), [citizen])
    jobs = stack.api("GET", f"/api/citizens/{citizen['id']}/jobs", citizen["token"]).json()
    [prompt] = [j for j in jobs if j["purpose"] == "checkin_prompt" and j["status"] == "pending"]
    return datetime.fromisoformat(prompt["next_attempt_at"])


def send_prompt_into_an_outage(stack, citizen) -> dict:
    """The scheduler sends the check-in prompt (Rasa runs it, its SMS is in the outbox) while the
    gateway is down; returns the outbox entry once it has been retried."""
    report = stack.tick(prompt_due(stack, citizen), [citizen])
    assert [j["outcome"] for j in report["jobs"] if j["citizen_id"] == citizen["id"]] == ["sent"], report

    def retried():
        """the proactive SMS retried at least twice"""
        return [m for m in outgoing(stack, citizen) if m["purpose"] == "proactive" and m["attempts"] >= 2]

    [waiting] = wait_until(retried)
    assert waiting["status"] in ("queued", "sending") and "tjek ind" in waiting["text"]
    return waiting


# --- STOP holds every unsent proactive message at dispatch time ---------------------------------------------

def test_stop_while_a_proactive_sms_is_retrying_it_is_never_sent(stack):
    citizen = stack.new_citizen(prefix="+4541")
    phone = citizen["phone"]
    operator(stack, OUTAGE)
    try:
        waiting = send_prompt_into_an_outage(stack, citizen)
        assert stack.sms_webhook(phone, "STOP").status_code == 200
        wait_until(lambda: citizen_json(stack, citizen)["opted_out"])
    finally:
        operator(stack, 0)  # the gateway is back
    # STOP's own confirmation is a reply: it goes, and nothing waits in front of it any more.
    [confirmation] = stack.wait_for_sms(phone, 1)
    assert "ikke flere beskeder" in confirmation and "START" in confirmation
    [held] = [m for m in outgoing(stack, citizen) if m["purpose"] == "proactive"]
    assert (held["text"], held["status"], held["suppressed_reason"]) == (waiting["text"], "suppressed", "opted_out")
    assert held["attempts"] >= 2  # the attempts that really reached the (failing) gateway
    assert stack.phone_inbox(phone) == [confirmation]


def test_the_course_ended_while_a_proactive_sms_is_retrying_it_is_never_sent(stack):
    citizen = stack.new_citizen(prefix="+4542")
    phone = citizen["phone"]
    operator(stack, OUTAGE)
    try:
        waiting = send_prompt_into_an_outage(stack, citizen)
        resp = stack.api("PATCH", f"/api/citizens/{citizen['id']}", citizen["token"], json={"status": "inactive"})
        assert resp.status_code == 200, resp.text

        def held():
            """the prompt held with the reason course_ended"""
            return [m for m in outgoing(stack, citizen)
                    if m["text"] == waiting["text"] and m["status"] == "suppressed"]

        [entry] = wait_until(held)
        assert entry["suppressed_reason"] == "course_ended"
    finally:
        operator(stack, 0)
    # The end's one goodbye is not held by the ended course (bot/citizens/course.py): it arrives.
    [goodbye] = stack.wait_for_sms(phone, 1)
    assert "er slut nu" in goodbye and "SKEMA" in goodbye
    # The citizen can still write and is answered (inside the check-in the prompt had opened: the
    # help text, then its question again, as replies); the held prompt stays held.
    answers = stack.text_and_wait(phone, "HJÆLP", replies=2)
    assert "Mette" in answers[0] and "GRØN" in answers[1]
    assert stack.phone_inbox(phone) == [goodbye] + answers


# --- START never reopens an ended course ---------------------------------------------------------------------

def test_start_after_the_coordinator_ended_the_course_keeps_it_ended(stack):
    citizen = stack.new_citizen(prefix="+4543")
    phone = citizen["phone"]
    resp = stack.api("PATCH", f"/api/citizens/{citizen['id']}", citizen["token"], json={"status": "inactive"})
    assert resp.status_code == 200, resp.text
    [goodbye] = stack.wait_for_sms(phone, 1)  # the end's one goodbye (bot/citizens/course.py)
    assert "er slut nu" in goodbye

    [answer] = stack.text_and_wait(phone, "START")  # START without a STOP before
    assert "forløb er slut" in answer and "Mette" in answer
    assert citizen_json(stack, citizen)["status"] == "inactive"

    [stopped] = stack.text_and_wait(phone, "stop")
    assert "START" in stopped
    # While opted out the coordinator cannot turn messages on again either.
    resp = stack.api("PATCH", f"/api/citizens/{citizen['id']}", citizen["token"], json={"status": "active"})
    assert resp.status_code == 409
    [again] = stack.text_and_wait(phone, "Start")
    assert again == answer  # the same kind answer: nothing proactive comes, call the coordinator
    after = citizen_json(stack, citizen)
    assert (after["status"], after["opted_out"]) == ("inactive", False)

    # Nothing proactive: the scheduler plans and sends nothing for a week...
    report = stack.tick(stack.now() + timedelta(days=8), [citizen])
    assert [j for j in report["jobs"] if j["citizen_id"] == citizen["id"] and j["outcome"] == "sent"] == []
    # ...and a proactive message that reaches the outbox anyway (a job already running when the
    # course ended) is held there, with its reason.
    resp = requests.post(f"{stack.rasa_url}/conversations/{phone}/trigger_intent",
                         params={"output_channel": "sms", "token": stack.rasa_token},
                         json={"name": "EXTERNAL_checkin_prompt"}, timeout=30)
    assert resp.status_code == 200

    def proactive():
        """the proactive SMS in the outbox"""
        return [m for m in outgoing(stack, citizen) if m["purpose"] == "proactive"]

    [held] = wait_until(proactive)
    # Final as soon as it is stored: it can never be sent later.
    assert (held["status"], held["suppressed_reason"]) == ("suppressed", "course_ended")
    assert stack.phone_inbox(phone) == [goodbye, answer, stopped, again]


# --- delivery-report statuses only move forward ------------------------------------------------------------------

def delivery_report(stack, mt: dict, status: str) -> requests.Response:
    """A delivery report as GatewayAPI sends it, signed with the webhook secret."""
    body = {"id": mt["id"], "msisdn": int(mt["msisdn"]), "time": int(stack.now().timestamp()), "status": status,
            "userref": mt["userref"]}
    headers = {"X-Gwapi-Signature": jwt.encode(body, stack.sms_secret, algorithm="HS256")}
    return requests.post(f"{stack.service_url}/sms/delivery-report", json=body, headers=headers, timeout=10)


def test_replayed_and_out_of_order_delivery_reports_never_move_a_status_backwards(stack):
    citizen = stack.new_citizen(prefix="+4544")
    phone = citizen["phone"]
    [reply] = stack.text_and_wait(phone, "HJÆLP")

    def delivered():
        """the reply marked delivered by the operator's own report"""
        return [m for m in outgoing(stack, citizen) if m["status"] == "delivered"]

    [before] = wait_until(delivered)
    [mt] = [r for r in requests.get(f"{stack.service_url}/fake-sms/messages", params={"msisdn": phone.lstrip("+")},
                                    timeout=10).json() if r["direction"] == "mt"]
    assert mt["message"] == reply

    # A contrary late report, a replay, and a report that is not final: each acknowledged, none applied.
    for status in ("UNDELIVERED", "EXPIRED", "DELIVERED", "ENROUTE"):
        resp = delivery_report(stack, mt, status)
        assert (resp.status_code, resp.json()) == (200, {"status": "ok"})
    [after] = outgoing(stack, citizen)
    assert (after["status"], after["status_at"]) == ("delivered", before["status_at"])
    alerts = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}", citizen["token"]).json()
    assert [a for a in alerts if a["rule"] == "unreachable"] == []

    # An id the operator never had from us: 200 (so it stops retrying) and no effect.
    resp = delivery_report(stack, {**mt, "id": 10**9, "userref": None}, "UNDELIVERED")
    assert (resp.status_code, resp.json()) == (200, {"status": "unknown id"})
    # A genuine report of another message cannot be pointed at this one through its userref.
    resp = delivery_report(stack, {**mt, "id": mt["id"] + 10**6}, "UNDELIVERED")
    assert (resp.status_code, resp.json()) == (200, {"status": "unknown id"})
    assert [m["status"] for m in outgoing(stack, citizen)] == ["delivered"]
    # Malformed: 400, not a 500.
    body = {"status": "DELIVERED"}
    headers = {"X-Gwapi-Signature": jwt.encode(body, stack.sms_secret, algorithm="HS256")}
    resp = requests.post(f"{stack.service_url}/sms/delivery-report", json=body, headers=headers, timeout=10)
    assert resp.status_code == 400


# --- MO de-duplication survives the messages ----------------------------------------------------------------------

def test_an_mo_replayed_after_its_message_was_erased_is_processed_once(stack):
    citizen = stack.new_citizen(prefix="+4545")
    phone = citizen["phone"]
    mo_id = f"replay-{citizen['id']}-{stack.workdir.name}"
    assert stack.sms_webhook(phone, "HJÆLP", mo_id=mo_id).json() == {"status": "accepted"}
    stack.wait_for_sms(phone, 1)
    assert incoming(stack, citizen) == ["HJÆLP"]

    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/erase", citizen["token"], json={"confirm_phone": phone})
    assert resp.status_code == 200, resp.text
    assert resp.json()["rows"]["inbound_messages"] == 1  # the message (and its id in it) is gone

    # Replayed to a number that is now a stranger's: not even the unknown-sender answer.
    resp = stack.sms_webhook(phone, "HJÆLP", mo_id=mo_id)
    assert (resp.status_code, resp.json()) == (200, {"status": "duplicate"})

    # The number registered again: the old message is still not a new one.
    again = stack.api("POST", "/api/citizens", json={"name": "Bente", "phone": phone,
                                                    "coordinator_id": citizen["coordinator_id"]})
    assert again.status_code == 201, again.text
    again = {**again.json(), "token": citizen["token"]}
    resp = stack.sms_webhook(phone, "HJÆLP", mo_id=mo_id)
    assert (resp.status_code, resp.json()) == (200, {"status": "duplicate"})
    # A new message is processed as usual; had the replay run a turn, its answer would be here first.
    [answer] = stack.text_and_wait(phone, "hjælp")
    assert "Mette" in answer
    assert stack.phone_inbox(phone) == [answer]
    assert incoming(stack, again) == ["hjælp"]

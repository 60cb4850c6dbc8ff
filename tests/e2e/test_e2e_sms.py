"""SMS end to end: signed webhooks into the real Rasa server, replies through the outbox
and the dispatcher to the fake operator, keywords, idempotency and opt-out."""
import time
from datetime import timedelta

import pytest
import requests

pytestmark = pytest.mark.e2e


@pytest.fixture
def citizen(stack):
    return stack.new_citizen()


def user_turns(stack, sender):
    tracker = requests.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.rasa_token},
                           timeout=10).json()
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def test_checkin_over_sms_end_to_end(stack, citizen):
    phone = citizen["phone"]
    [question] = stack.text_and_wait(phone, "tjek ind")
    assert "GRØN" in question
    [focus] = stack.text_and_wait(phone, "roed")
    assert "1 Krop og helbred" in focus
    stack.text_and_wait(phone, "2")
    stack.text_and_wait(phone, "Jeg sover dårligt")
    [done] = stack.text_and_wait(phone, "ja")
    assert "Mette" in done and "ringer" in done
    [checkin] = stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", citizen["token"]).json()
    assert (checkin["overall"], checkin["focus_areas"], checkin["channel"]) == ("red", ["humoer"], "sms")
    assert checkin["note"] == "Jeg sover dårligt"
    messages = stack.api("GET", f"/api/citizens/{citizen['id']}/messages", citizen["token"]).json()
    outgoing = [m for m in messages if m["direction"] == "out"]
    assert len(outgoing) == 5 and all(m["segments"] in (1, 2) for m in outgoing)
    assert {m["status"] for m in outgoing} <= {"sent", "delivered"}
    assert [m["text"] for m in messages if m["direction"] == "in"] == ["tjek ind", "roed", "2", "Jeg sover dårligt", "ja"]
    # Every turn finished, so the scheduler's pass for lost turns (bot/sms/unanswered.py) has nothing
    # to apologise for, however late it runs within the hour.
    assert stack.tick(stack.now() + timedelta(minutes=5), [citizen])["unanswered_sms"] == 0


@pytest.mark.parametrize("how", ["missing", "wrong secret"])
def test_bad_or_missing_signature_gives_401_and_no_turn(stack, citizen, how):
    resp = stack.sms_webhook(citizen["phone"], "tjek ind", signed=how != "missing",
                             secret="not-the-secret-but-long-enough-xxxxx")
    assert resp.status_code == 401
    time.sleep(0.5)
    assert user_turns(stack, citizen["phone"]) == []
    assert stack.phone_inbox(citizen["phone"]) == []


def test_the_same_mo_twice_gives_one_turn(stack, citizen):
    phone = citizen["phone"]
    assert stack.sms_webhook(phone, "hej", mo_id="dup-1").status_code == 200
    assert stack.sms_webhook(phone, "hej", mo_id="dup-1").status_code == 200
    stack.wait_for_sms(phone, 1)
    time.sleep(1)
    assert user_turns(stack, phone) == ["hej"]
    assert len(stack.phone_inbox(phone)) == 1


def test_stop_start_and_help_keywords(stack, citizen):
    phone = citizen["phone"]
    [help_text] = stack.text_and_wait(phone, "HJÆLP")
    assert "Mette" in help_text and "11 22 33 44" in help_text
    [stopped] = stack.text_and_wait(phone, "stop")
    assert "START" in stopped
    assert stack.api("GET", f"/api/citizens/{citizen['id']}", citizen["token"]).json()["opted_out"] is True

    # A proactive message (what the scheduler sends through trigger_intent) now produces no SMS.
    before = len(stack.phone_inbox(phone))
    resp = requests.post(f"{stack.rasa_url}/conversations/{phone}/trigger_intent",
                         params={"output_channel": "sms", "token": stack.rasa_token}, json={"name": "greet"},
                         timeout=30)
    assert resp.status_code == 200
    time.sleep(1.5)
    assert len(stack.phone_inbox(phone)) == before
    out = [m for m in stack.api("GET", f"/api/citizens/{citizen['id']}/messages", citizen["token"]).json()
           if m["direction"] == "out"]
    assert out[-1]["status"] == "suppressed" and out[-1]["purpose"] == "proactive"

    [welcome] = stack.text_and_wait(phone, "Start")
    assert "igen" in welcome
    assert stack.api("GET", f"/api/citizens/{citizen['id']}", citizen["token"]).json()["opted_out"] is False
    requests.post(f"{stack.rasa_url}/conversations/{phone}/trigger_intent",
                  params={"output_channel": "sms", "token": stack.rasa_token}, json={"name": "greet"}, timeout=30)
    assert "TJEK IND" in stack.wait_for_sms(phone, before + 2)[-1]


def test_stop_inside_a_checkin_keeps_it_as_partial(stack, citizen):
    phone = citizen["phone"]
    stack.text_and_wait(phone, "tjek ind")
    stack.text_and_wait(phone, "gul")
    [stopped] = stack.text_and_wait(phone, "STOP")
    assert "START" in stopped
    [checkin] = stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", citizen["token"]).json()
    assert checkin["overall"] == "yellow" and checkin["complete"] is False


def test_unknown_number_gets_one_polite_sms_and_nothing_is_stored(stack):
    resp = stack.sms_webhook("+4560606060", "hej")
    assert resp.status_code == 200
    [reply] = stack.wait_for_sms("+4560606060", 1)
    assert "kommune" in reply
    assert user_turns(stack, "+4560606060") == []
    import sqlalchemy as sa

    engine = sa.create_engine(stack.database_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM outbox WHERE msisdn = '+4560606060'")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM inbound_messages WHERE text = 'hej' AND citizen_id IS NULL")).scalar() == 0
    engine.dispose()


def test_phone_simulator_page_and_api(stack, citizen):
    page = requests.get(f"{stack.service_url}/fake-sms/", timeout=10)
    assert page.status_code == 200 and "Telefon" in page.text
    msisdn = citizen["phone"].lstrip("+")
    resp = requests.post(f"{stack.service_url}/fake-sms/send", json={"msisdn": msisdn, "message": "hjælp"}, timeout=30)
    assert resp.status_code == 202
    assert "Mette" in stack.wait_for_sms(citizen["phone"], 1)[0]
    assert requests.get(f"{stack.service_url}/fake-sms/messages", params={"msisdn": "abc"}, timeout=10).status_code == 422

"""Before and after the meeting over SMS with the real Rasa server (issue 5). Proactive messages are
sent the way the scheduler sends them: trigger_intent with output_channel=sms."""
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
import sqlalchemy as sa

from bot.db.models import Appointment
from tests.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("e2e-meetings")).start()
    yield stack
    stack.stop()


@pytest.fixture
def citizen(stack):
    coordinator = stack.api("POST", "/api/coordinators", json={"name": "Mette", "phone": "+4511223344"}).json()
    phone = f"+4540{int(time.time_ns()) % 1_000_000:06d}"
    resp = stack.api("POST", "/api/citizens", json={"name": "Bente Hansen", "phone": phone,
                                                    "coordinator_id": coordinator["id"]})
    return {**resp.json(), "token": coordinator["token"]}


def add_appointment(stack, citizen_id: int, days_ahead: float = 3) -> int:
    engine = sa.create_engine(stack.database_url)
    starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=days_ahead)
    with engine.begin() as conn:
        result = conn.execute(sa.insert(Appointment.__table__).values(
            citizen_id=citizen_id, kind="netvaerksmoede", starts_at=starts, ends_at=starts + timedelta(hours=1),
            location="Rådhuset", status="planned", created_at=datetime.now(timezone.utc)))
        appointment_id = result.inserted_primary_key[0]
    engine.dispose()
    return appointment_id


def trigger(stack, phone: str, intent: str, **entities) -> None:
    resp = requests.post(f"{stack.rasa_url}/conversations/{phone}/trigger_intent",
                         params={"output_channel": "sms", "token": stack.rasa_token},
                         json={"name": intent, "entities": entities}, timeout=30)
    assert resp.status_code == 200, resp.text


def test_preparation_in_two_sittings_with_a_skipped_question(stack, citizen):
    phone, token = citizen["phone"], citizen["token"]
    appointment_id = add_appointment(stack, citizen["id"])
    trigger(stack, phone, "EXTERNAL_preparation_invite", appointment_id=appointment_id)
    [invite] = stack.wait_for_sms(phone, 1)
    assert "Om 3 dage har du møde" in invite and "JA eller NEJ" in invite
    intro, first = stack.text_and_wait(phone, "ja", replies=2)
    assert "SPRING OVER" in intro and "tale om" in first
    stack.text_and_wait(phone, "1. min ryg 2. økonomien")
    stack.text_and_wait(phone, "Nej")
    stack.text_and_wait(phone, "spring over")
    [paused] = stack.text_and_wait(phone, "det er nok for i dag")
    assert "FORBERED" in paused

    prep = stack.api("GET", f"/api/appointments/{appointment_id}/preparation", token).json()
    assert prep["status"] == "in_progress"
    assert prep["answers"] == {"topics": ["min ryg", "økonomien"], "avoid": "Nej", "went_well": None}

    # A day later the citizen carries on where they left off.
    back, hard = stack.text_and_wait(phone, "forbered", replies=2)
    assert "fortsætter" in back and "svært" in hard
    stack.text_and_wait(phone, "At sove om natten")
    stack.text_and_wait(phone, "Min søster Lise")
    stack.text_and_wait(phone, "kørsel")
    [summary] = stack.text_and_wait(phone, "Hvornår får jeg svar på min ansøgning?")
    assert "Vigtigst: min ryg; økonomien" in summary and "Med til mødet: Min søster Lise" in summary
    [done] = stack.text_and_wait(phone, "ja")
    assert "Mette" in done

    prep = stack.api("GET", f"/api/appointments/{appointment_id}/preparation", token).json()
    assert prep["status"] == "completed" and prep["correction"] is None
    assert prep["answers"]["went_well"] is None and prep["answers"]["hard"] == "At sove om natten"
    assert prep["answers"]["questions"] == "Hvornår får jeg svar på min ansøgning?"


def test_summary_can_be_corrected(stack, citizen):
    phone, token = citizen["phone"], citizen["token"]
    appointment_id = add_appointment(stack, citizen["id"], days_ahead=5)
    stack.text_and_wait(phone, "forbered mit møde", replies=2)
    for answer in ["min ryg", "nej", "nej", "nej", "ved ikke", "nej"]:
        stack.text_and_wait(phone, answer)
    [clarify] = stack.text_and_wait(phone, "nej")
    assert "rettes" in clarify
    [done] = stack.text_and_wait(phone, "Jeg vil også tale om min søn")
    assert "rettelse" in done
    prep = stack.api("GET", f"/api/appointments/{appointment_id}/preparation", token).json()
    assert prep["status"] == "completed" and prep["correction"] == "Jeg vil også tale om min søn"
    assert prep["answers"]["attendees"] == "ved ikke"


def test_agreements_approved_then_followed_up(stack, citizen):
    phone, token = citizen["phone"], citizen["token"]
    appointment_id = add_appointment(stack, citizen["id"], days_ahead=-0.1)
    resp = stack.api("POST", f"/api/appointments/{appointment_id}/agreements", token, json={
        "agreements": [{"what": "søger om bostøtte", "who": "Kommunen", "due_date": "2026-12-01"},
                       {"what": "ringer til lægen", "who": "Bente", "due_date": None}],
        "summary": {"most_important": "Bolig"}})
    assert resp.status_code == 201, resp.text
    agreements = resp.json()
    assert [a["owner_is_citizen"] for a in agreements] == [False, True]

    trigger(stack, phone, "EXTERNAL_agreements_approval", appointment_id=appointment_id)
    listing, question = stack.wait_for_sms(phone, 2)
    assert "1. Kommunen: søger om bostøtte, senest tirsdag 1. december" in listing
    assert "2. Du: ringer til lægen" in listing and "JA eller NEJ" in question
    [teachback] = stack.text_and_wait(phone, "ja")
    assert "næste" in teachback
    [noted] = stack.text_and_wait(phone, "Jeg skal ringe til lægen i morgen")
    assert "Mette" in noted
    listed = stack.api("GET", f"/api/citizens/{citizen['id']}/agreements", token).json()
    assert {a["status"] for a in listed} == {"approved"} and all(a["approved_at"] for a in listed)

    [status] = stack.text_and_wait(phone, "hvad sker der i min sag?")
    assert "søger om bostøtte" in status

    before = len(stack.phone_inbox(phone))
    trigger(stack, phone, "EXTERNAL_agreement_followup", agreement_id=agreements[0]["id"])
    [followup] = stack.wait_for_sms(phone, before + 1)[before:]
    assert "Har du hørt fra Kommunen" in followup and "VED IKKE" in followup
    [alerted] = stack.text_and_wait(phone, "nej")
    assert "følger op" in alerted
    alerts = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}", token).json()
    assert [a["rule"] for a in alerts] == ["agreement_not_followed"]
    assert "Kommunen" in alerts[0]["reason"] and "bostøtte" not in alerts[0]["reason"]
    listed = stack.api("GET", f"/api/citizens/{citizen['id']}/agreements", token).json()
    assert [a["follow_up_answer"] for a in listed if a["id"] == agreements[0]["id"]] == ["no"]


def test_agreements_rejected_with_a_reason(stack, citizen):
    phone, token = citizen["phone"], citizen["token"]
    appointment_id = add_appointment(stack, citizen["id"], days_ahead=-0.1)
    stack.api("POST", f"/api/appointments/{appointment_id}/agreements", token,
              json=[{"what": "finder en bolig", "who": "Kommunen"}])
    trigger(stack, phone, "EXTERNAL_agreements_approval", appointment_id=appointment_id)
    stack.wait_for_sms(phone, 2)
    [what_is_wrong] = stack.text_and_wait(phone, "nej")
    assert "forkert" in what_is_wrong
    [noted] = stack.text_and_wait(phone, "Vi aftalte at I ringer til mig først")
    assert "Mette" in noted
    alerts = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}", token).json()
    assert [a["rule"] for a in alerts] == ["agreement_rejected"]
    assert {a["status"] for a in stack.api("GET", f"/api/citizens/{citizen['id']}/agreements", token).json()} == {
        "rejected"}


def test_invitation_for_a_cancelled_meeting_says_nothing(stack, citizen):
    appointment_id = add_appointment(stack, citizen["id"])
    engine = sa.create_engine(stack.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE appointments SET status='cancelled' WHERE id=:id"), {"id": appointment_id})
    engine.dispose()
    trigger(stack, citizen["phone"], "EXTERNAL_preparation_invite", appointment_id=appointment_id)
    time.sleep(1.5)
    assert stack.phone_inbox(citizen["phone"]) == []

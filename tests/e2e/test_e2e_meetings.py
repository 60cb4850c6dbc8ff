"""Before and after the meeting over SMS with the real Rasa server, action server and coordination
service. Proactive messages come from the scheduler, with time driven by its tick."""
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

CPH = ZoneInfo("Europe/Copenhagen")

pytestmark = pytest.mark.e2e


@pytest.fixture
def citizen(stack):
    # A long check-in interval keeps check-in prompts out of these conversations.
    return stack.new_citizen(prefix="+4540", name="Bente Hansen", checkin_interval_days=90)


def add_appointment(stack, citizen, days_ahead: int = 3, kind: str = "netvaerksmoede") -> int:
    """A meeting (a network meeting unless told) at 13:00 Copenhagen time, `days_ahead` days from the
    stack's today, booked by the API."""
    day = stack.today() + timedelta(days=days_ahead)
    starts = datetime(day.year, day.month, day.day, 13, 0, tzinfo=CPH)
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/appointments", citizen["token"],
                     json={"kind": kind, "starts_at": starts.isoformat(), "location": "Rådhuset"})
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def run_job(stack, citizen, purpose: str) -> list[str]:
    """Tick the scheduler at the due time of the citizen's pending job of this purpose; return the
    SMS the phone received from it."""
    jobs = [j for j in stack.api("GET", f"/api/citizens/{citizen['id']}/jobs", citizen["token"]).json()
            if j["purpose"] == purpose and j["status"] == "pending"]
    assert len(jobs) == 1, jobs
    report = stack.tick(datetime.fromisoformat(jobs[0]["next_attempt_at"]), [citizen])
    mine = [j for j in report["jobs"] if j["citizen_id"] == citizen["id"]]
    assert [j["outcome"] for j in mine if j["purpose"] == purpose] == ["sent"], report
    assert [j for j in mine if j["outcome"] == "sent" and j["purpose"] != purpose] == [], report
    return stack.new_sms(citizen["phone"], count=2 if purpose == "agreements_approval" else 1)


def test_preparation_in_two_sittings_with_a_skipped_question(stack, citizen):
    phone, token = citizen["phone"], citizen["token"]
    appointment_id = add_appointment(stack, citizen)
    [invite] = run_job(stack, citizen, "preparation_invite")
    assert re.search(r"Om \d dage har du møde \w+ \d+\. \w+ kl\. 13", invite) and "\n1 JA\n2 NEJ\n" in invite
    # A question instead of an answer is answered, and the invitation asked again.
    next_meeting, again = stack.text_and_wait(phone, "hvornår er mit næste møde?", replies=2)
    assert "Rådhuset" in next_meeting and "JA" in again
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
    assert "hvor du slap" in back and "svært" in hard
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
    appointment_id = add_appointment(stack, citizen, days_ahead=5)
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
    # A kind with no invitation to prepare: the approval is then the only question the tick sends.
    appointment_id = add_appointment(stack, citizen, days_ahead=1, kind="andet")
    resp = stack.api("POST", f"/api/appointments/{appointment_id}/agreements", token, json={
        "agreements": [{"what": "søger om bostøtte", "who": "Kommunen", "due_date": "2026-12-01"},
                       {"what": "ringer til lægen", "who": "Bente", "due_date": None}],
        "summary": {"most_important": "Bolig"}})
    assert resp.status_code == 201, resp.text
    agreements = resp.json()
    assert [a["owner_is_citizen"] for a in agreements] == [False, True]

    listing, question = run_job(stack, citizen, "agreements_approval")
    assert "1. Kommunen: søger om bostøtte, senest tirsdag 1. december" in listing
    assert "2. Du: ringer til lægen" in listing and question.endswith("\n1 JA\n2 NEJ\nSvar 1 eller 2.")
    [teachback] = stack.text_and_wait(phone, "ja")
    assert "næste" in teachback
    [noted] = stack.text_and_wait(phone, "Jeg skal ringe til lægen i morgen")
    assert "Mette" in noted
    listed = stack.api("GET", f"/api/citizens/{citizen['id']}/agreements", token).json()
    assert {a["status"] for a in listed} == {"approved"} and all(a["approved_at"] for a in listed)

    [status] = stack.text_and_wait(phone, "hvad sker der i min sag?")
    assert "søger om bostøtte" in status

    # Only the agreement someone else owns is followed up, 14 days after the meeting at 10:00.
    followups = [j for j in stack.api("GET", f"/api/citizens/{citizen['id']}/jobs", token).json()
                 if j["purpose"] == "agreement_followup"]
    assert [j["target"] for j in followups] == [f"agreement:{agreements[0]['id']}"]
    due = datetime.fromisoformat(followups[0]["due_at"]).astimezone(CPH)
    assert (due.date() - (stack.today() + timedelta(days=1))).days == 14 and due.hour == 10
    stack._seen_sms[phone] = len(stack.phone_inbox(phone))
    [followup] = run_job(stack, citizen, "agreement_followup")
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
    # A kind with no invitation to prepare: the approval is then the only question the tick sends.
    appointment_id = add_appointment(stack, citizen, days_ahead=1, kind="andet")
    stack.api("POST", f"/api/appointments/{appointment_id}/agreements", token,
              json=[{"what": "finder en bolig", "who": "Kommunen"}])
    run_job(stack, citizen, "agreements_approval")
    [what_is_wrong] = stack.text_and_wait(phone, "nej")
    assert "forkert" in what_is_wrong
    [noted] = stack.text_and_wait(phone, "Vi aftalte at I ringer til mig først")
    assert "Mette" in noted
    alerts = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}", token).json()
    assert [a["rule"] for a in alerts] == ["agreement_rejected"]
    assert {a["status"] for a in stack.api("GET", f"/api/citizens/{citizen['id']}/agreements", token).json()} == {
        "rejected"}


def test_a_cancelled_meeting_gets_no_invitation(stack, citizen):
    appointment_id = add_appointment(stack, citizen, days_ahead=6)
    [invite] = [j for j in stack.api("GET", f"/api/citizens/{citizen['id']}/jobs", citizen["token"]).json()
                if j["purpose"] == "preparation_invite"]
    resp = stack.api("PATCH", f"/api/appointments/{appointment_id}", citizen["token"], json={"status": "cancelled"})
    assert resp.status_code == 200, resp.text
    stack.tick(datetime.fromisoformat(invite["next_attempt_at"]) + timedelta(minutes=1), [citizen])
    time.sleep(1)
    assert stack.phone_inbox(citizen["phone"]) == []
    jobs = stack.api("GET", f"/api/citizens/{citizen['id']}/jobs", citizen["token"]).json()
    assert {j["status"] for j in jobs if j["purpose"] == "preparation_invite"} == {"cancelled"}


def test_crisis_words_in_a_preparation_answer_get_the_safety_reply_and_an_urgent_alert(stack, citizen):
    phone, token = citizen["phone"], citizen["token"]
    appointment_id = add_appointment(stack, citizen, days_ahead=4)
    stack.text_and_wait(phone, "forbered", replies=2)
    said = "min kæreste slår mig, og jeg tænker på at tage mit eget liv"
    [safety] = stack.text_and_wait(phone, said)
    assert "112" in safety and "70 201 201" in safety and "koordinator" in safety
    # The preparation pauses without another question after the way out (docs/nlu.md, "After the
    # safety reply"); the words are in the conversation, and FORBERED picks it up again.
    time.sleep(2)
    assert stack.phone_inbox(phone)[-1] == safety
    alerts = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}", token).json()
    assert [(a["rule"], a["severity"]) for a in alerts] == [("crisis_language", "urgent")]
    assert "leve" not in alerts[0]["reason"]  # the citizen's words stay in the conversation view
    prep = stack.api("GET", f"/api/appointments/{appointment_id}/preparation", token).json()
    assert "topics" not in (prep.get("answers") or {})
    assert stack.text_and_wait(phone, "forbered", replies=2)[-1].startswith("Hvad vil du helst tale om")

"""Appointments end to end: the real Rasa server, action server and coordination service,
with time driven by the scheduler's tick endpoint. Proactive messages reach the citizen through the
SMS channel: outbox, dispatcher and the fake operator, read as the citizen's phone."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.db.appointments import create_appointment
from bot.db.database import Database

pytestmark = pytest.mark.e2e
CPH = ZoneInfo("Europe/Copenhagen")
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


@pytest.fixture(scope="module")
def people(stack):
    coordinator = stack.api("POST", "/api/coordinators", json={"name": "Mette", "phone": "+4511223344"}).json()
    citizen = stack.api("POST", "/api/citizens", json={"name": "Bente", "phone": "+4522334466",
                                                       "coordinator_id": coordinator["id"]}).json()
    return coordinator, citizen


def delivered(stack, report, citizen, purpose) -> list[str]:
    """What the citizen's phone received (by SMS) from this tick's job of one purpose."""
    jobs = [j for j in report["jobs"] if j["citizen_id"] == citizen["id"] and j["purpose"] == purpose]
    assert [j["outcome"] for j in jobs] == ["sent"], report
    return stack.new_sms(citizen["phone"])


def open_alerts(stack, coordinator, citizen):
    return stack.api("GET", f"/api/alerts?status=open&citizen_id={citizen['id']}", coordinator["token"]).json()


def test_reminder_then_kan_ikke_alerts_the_coordinator(stack, people):
    coordinator, citizen = people
    day = stack.today() + timedelta(days=3)
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=CPH)
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/appointments", coordinator["token"],
                     json={"kind": "andet", "starts_at": starts.isoformat(), "location": "Rådhuset"})
    assert resp.status_code == 201, resp.text
    appointment = resp.json()

    day_before = datetime(day.year, day.month, day.day, 10, 0, tzinfo=CPH) - timedelta(days=1)
    [reminder] = delivered(stack, stack.tick(day_before, [citizen]), citizen, "appointment_reminder")
    assert f"{WEEKDAYS[day.weekday()]} {day.day}." in reminder and "kl. 10" in reminder
    assert "Rådhuset" in reminder and reminder.endswith("Kommer du?\n1 JA\n2 KAN IKKE\nSvar 1 eller 2.")

    [answer] = stack.say(citizen["phone"], "KAN IKKE")
    assert "Mette" in answer and "ny tid" in answer
    alerts = open_alerts(stack, coordinator, citizen)
    assert [(a["rule"], a["severity"]) for a in alerts] == [("appointment_cannot_come", "medium")]
    stored = stack.api("GET", f"/api/appointments/{appointment['id']}", coordinator["token"]).json()
    assert stored["citizen_reply"] == "cannot_come"
    # No 2-hour reminder after KAN IKKE.
    two_hours = stack.tick(starts - timedelta(hours=2), [citizen])
    assert [j["note"] for j in two_hours["jobs"] if j["citizen_id"] == citizen["id"]] == ["citizen cannot come"]


def test_asking_about_the_next_appointment_and_the_coordinator(stack):
    # Its own citizen and meeting: no test here depends on another having run first.
    citizen = stack.new_citizen()
    day = stack.today() + timedelta(days=3)
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=CPH)
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/appointments", citizen["token"],
                     json={"kind": "andet", "starts_at": starts.isoformat(), "location": "Rådhuset"})
    assert resp.status_code == 201, resp.text
    [answer] = stack.say(citizen["phone"], "hvornår er mit næste møde?")
    assert answer.startswith("Dit næste møde er") and f"{WEEKDAYS[day.weekday()]} {day.day}." in answer
    assert "kl. 10" in answer and "Rådhuset" in answer
    [who] = stack.say(citizen["phone"], "hvem er min koordinator?")
    assert "Mette" in who and "11 22 33 44" in who


def test_marked_missed_gives_a_kind_follow_up_and_an_alert(stack, people):
    coordinator, citizen = people
    # Yesterday's appointment: created directly, as the API only books the future.
    yesterday = stack.now() - timedelta(days=1)
    database = Database(stack.database_url)
    past = database.call(lambda s: create_appointment(
        s, citizen["id"], kind="opfoelgning", starts_at=yesterday, ends_at=yesterday + timedelta(hours=1),
        created_at=yesterday - timedelta(days=7)))
    database.dispose()
    resp = stack.api("POST", f"/api/appointments/{past.id}/attendance", coordinator["token"],
                     json={"status": "missed"})
    assert resp.status_code == 200, resp.text
    [followup_job] = [j for j in resp.json()["jobs"] if j["purpose"] == "missed_followup"]
    alerts = open_alerts(stack, coordinator, citizen)
    assert ("missed_appointment", "medium") in [(a["rule"], a["severity"]) for a in alerts]

    [message] = delivered(stack, stack.tick(datetime.fromisoformat(followup_job["next_attempt_at"]), [citizen]), citizen,
                          "missed_followup")
    assert "Vi savnede dig" in message and "ny tid" in message and "Mette" in message
    [reply] = stack.say(citizen["phone"], "ja tak")
    assert "Mette" in reply and "ringe" in reply
    assert "contact_request" in [a["rule"] for a in open_alerts(stack, coordinator, citizen)]


def test_a_check_in_prompt_leads_into_the_lyskurve(stack):
    # Its own citizen; a tick plans their first prompt (bot/jobs/planner.py), due a week on.
    citizen = stack.new_citizen(prefix="+4532")
    stack.tick(stack.now(), [citizen])
    jobs = stack.api("GET", f"/api/citizens/{citizen['id']}/jobs", citizen["token"]).json()
    [prompt] = [j for j in jobs if j["purpose"] == "checkin_prompt" and j["status"] == "pending"]
    [question] = delivered(stack, stack.tick(datetime.fromisoformat(prompt["next_attempt_at"]), [citizen]), citizen, "checkin_prompt")
    assert "tid til dit tjek ind" in question and "GRØN" in question
    [more] = stack.say(citizen["phone"], "grøn")
    assert "fortælle" in more
    [done] = stack.say(citizen["phone"], "nej")
    assert "Tak for dit svar" in done
    [checkin] = stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", citizen["token"]).json()
    assert checkin["overall"] == "green" and checkin["complete"] is True


def test_a_reminder_in_the_middle_of_a_check_in_keeps_the_answers_and_takes_the_reply(stack):
    citizen = stack.new_citizen(prefix="+4531")
    token = citizen["token"]
    stack.say(citizen["phone"], "tjek ind")
    [focus] = stack.say(citizen["phone"], "gul")
    assert "Hvad fylder mest?" in focus
    day = stack.today() + timedelta(days=3)
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=CPH)
    assert stack.api("POST", f"/api/citizens/{citizen['id']}/appointments", token,
                     json={"kind": "andet", "starts_at": starts.isoformat()}).status_code == 201
    [reminder] = delivered(stack, stack.tick(starts - timedelta(days=1), [citizen]), citizen, "appointment_reminder")
    assert "KAN IKKE" in reminder
    [checkin] = stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", token).json()
    assert (checkin["overall"], checkin["complete"]) == ("yellow", False)
    [answer] = stack.say(citizen["phone"], "KAN IKKE")
    assert "ny tid" in answer

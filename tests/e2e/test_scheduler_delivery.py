"""Delivery through the real Rasa server, with the coordination data on PostgreSQL:
exactly once across repeated ticks, a service restart and two schedulers at once; quiet hours
across DST; Rasa down → retried with backoff and sent once. Time is driven by the tick endpoint."""
import asyncio
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FixedClock
from bot.core.config import ProactiveSettings
from bot.db import jobs as job_db
from bot.db.database import Database
from bot.jobs import timing
from bot.scheduler import handlers
from bot.scheduler.rasa_client import JOB_ENTITY, RasaClient
from bot.scheduler.runner import Scheduler
from tests.conftest import POSTGRES, throwaway_postgres
from tests.stack import PROACTIVE_CHANNEL, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not POSTGRES, reason="PostgreSQL is not reachable")]
CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = ProactiveSettings()


def cph(*args) -> datetime:
    return datetime(*args, tzinfo=CPH).astimezone(timezone.utc)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with throwaway_postgres("test") as url:
        stack = Stack(tmp_path_factory.mktemp("delivery"), database_url=url)
        try:
            yield stack.start()
        finally:
            stack.stop()


@pytest.fixture(scope="module")
def coordinator(stack):
    return stack.api("POST", "/api/coordinators", json={"name": "Mette", "phone": "+4511223344"}).json()


_phones = iter(range(30000000, 30001000))


def new_citizen(stack, coordinator) -> dict:
    resp = stack.api("POST", "/api/citizens", json={"name": "Bente", "phone": f"+45{next(_phones)}",
                                                    "coordinator_id": coordinator["id"]})
    assert resp.status_code == 201, resp.text
    return resp.json()


def book(stack, citizen, days_ahead=3) -> dict:
    """An appointment a few days ahead of the stack's clock."""
    day = stack.today() + timedelta(days=days_ahead)
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=CPH)
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/appointments",
                     json={"kind": "andet", "starts_at": starts.isoformat(), "location": "Rådhuset"})
    assert resp.status_code == 201, resp.text
    return resp.json()


def day_before_reminder(appointment) -> datetime:
    return min(datetime.fromisoformat(j["due_at"]) for j in appointment["jobs"])


def outcomes(report, citizen_id, purpose="appointment_reminder"):
    return [j["outcome"] for j in report["jobs"] if j["citizen_id"] == citizen_id and j["purpose"] == purpose]


def reminders_in_rasa(stack, citizen) -> int:
    return sum(1 for e in stack.tracker_events(citizen["phone"])
               if e["event"] == "user" and e.get("parse_data", {}).get("intent", {}).get("name")
               == "EXTERNAL_appointment_reminder")


def texts(stack, citizen):
    """What the citizen's phone received by SMS since the last look."""
    return stack.new_sms(citizen["phone"])


def test_a_reminder_goes_out_exactly_once_across_repeated_ticks_and_a_restart(stack, coordinator):
    citizen = new_citizen(stack, coordinator)
    appointment = book(stack, citizen)
    at = day_before_reminder(appointment)
    assert at.astimezone(CPH).hour == 10

    assert outcomes(stack.tick(at - timedelta(minutes=1)), citizen["id"]) == []
    first = stack.tick(at)
    assert outcomes(first, citizen["id"]) == ["sent"]
    [text] = texts(stack, citizen)
    assert text.endswith("Kommer du?\n1 JA\n2 KAN IKKE\nSvar 1 eller 2.") and "kl. 10" in text and "Rådhuset" in text
    for now in (at, at + timedelta(minutes=1), at + timedelta(hours=3)):
        assert outcomes(stack.tick(now), citizen["id"]) == []

    stack.stop_process("service")
    stack.start_process("service")
    stack.wait_ready()
    assert outcomes(stack.tick(at + timedelta(hours=4)), citizen["id"]) == []
    assert reminders_in_rasa(stack, citizen) == 1
    jobs = stack.api("GET", f"/api/citizens/{citizen['id']}/jobs").json()
    reminder = next(j for j in jobs if j["due_at"] == at.isoformat())
    assert reminder["status"] == "done" and reminder["attempts"] == 1


def _scheduler_thread(url, rasa_url, token, now, reports, name, barrier):
    async def run():
        scheduler = Scheduler(Database(url), RasaClient(rasa_url, token, PROACTIVE_CHANNEL), SETTINGS, FixedClock(now))
        barrier.wait()
        try:
            reports[name] = await scheduler.tick(now)
        finally:
            await scheduler.rasa.close()
            scheduler.db.dispose()

    asyncio.run(run())


def test_two_schedulers_ticking_at_once_send_each_reminder_once(stack, coordinator):
    citizens = [new_citizen(stack, coordinator) for _ in range(8)]
    appointments = [book(stack, c, days_ahead=4) for c in citizens]
    at = day_before_reminder(appointments[0])
    reports: dict = {}
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_scheduler_thread,
                                args=(stack.database_url, stack.rasa_url, stack.rasa_token, at, reports, n, barrier))
               for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    sent = [(j["citizen_id"], j["id"]) for r in reports.values() for j in r["jobs"] if j["outcome"] == "sent"]
    mine = {c["id"] for c in citizens}
    assert sorted(cid for cid, _ in sent if cid in mine) == sorted(mine)
    assert len({job_id for _, job_id in sent}) == len(sent)
    for citizen in citizens:
        assert reminders_in_rasa(stack, citizen) == 1


def _insert_job(stack, citizen, due):
    def schedule(session):
        return job_db.schedule(session, citizen_id=citizen["id"], purpose="checkin_prompt", target="test",
                               due_at=due, next_attempt_at=timing.next_window(due, SETTINGS), now=due)

    database = Database(stack.database_url)
    try:
        return database.call(schedule)
    finally:
        database.dispose()


@pytest.mark.parametrize("evening, morning", [
    (cph(2026, 10, 24, 22, 0), cph(2026, 10, 25, 8, 0)),  # the night summer time ends
    (cph(2027, 3, 27, 22, 0), cph(2027, 3, 28, 8, 0)),  # the night summer time starts
])
def test_a_job_due_at_22_goes_out_at_8_copenhagen_time_across_dst(stack, coordinator, evening, morning):
    citizen = new_citizen(stack, coordinator)
    job = _insert_job(stack, citizen, evening)
    for now in (evening, evening + timedelta(hours=5), morning - timedelta(minutes=1)):
        assert outcomes(stack.tick(now), citizen["id"], "checkin_prompt") == []
    report = stack.tick(morning)
    assert outcomes(report, citizen["id"], "checkin_prompt") == ["sent"]
    assert any("Det er tid til dit tjek ind" in t for t in texts(stack, citizen))
    row = next(j for j in stack.api("GET", f"/api/citizens/{citizen['id']}/jobs").json() if j["id"] == job.id)
    assert row["sent_at"] == morning.isoformat()


def test_with_rasa_down_the_job_is_retried_with_backoff_and_sent_once(stack, coordinator):
    citizen = new_citizen(stack, coordinator)
    at = day_before_reminder(book(stack, citizen, days_ahead=5))
    stack.stop_process("rasa")
    try:
        first = stack.tick(at)
        [job] = [j for j in first["jobs"] if j["citizen_id"] == citizen["id"]]
        assert job["outcome"] == "retry" and "unreachable" in job["error"]
        assert job["next_attempt_at"] == (at + timedelta(minutes=1)).isoformat()
        assert outcomes(stack.tick(at + timedelta(seconds=30)), citizen["id"]) == []
        second = stack.tick(at + timedelta(minutes=1))
        [job] = [j for j in second["jobs"] if j["citizen_id"] == citizen["id"]]
        assert job["outcome"] == "retry" and job["next_attempt_at"] == (at + timedelta(minutes=3)).isoformat()
    finally:
        stack.start_process("rasa")
        stack.wait_ready()
    assert outcomes(stack.tick(at + timedelta(minutes=3)), citizen["id"]) == ["sent"]
    assert outcomes(stack.tick(at + timedelta(minutes=10)), citizen["id"]) == []
    assert reminders_in_rasa(stack, citizen) == 1
    [reminder] = [j for j in stack.api("GET", f"/api/citizens/{citizen['id']}/jobs").json()
                  if j["due_at"] == at.isoformat()]
    assert reminder["status"] == "done" and reminder["attempts"] == 3 and reminder["last_error"] is None


def test_a_job_rasa_ran_for_a_scheduler_that_then_died_is_not_sent_again(stack, coordinator):
    """A service killed mid-tick: Rasa finishes the trigger_intent whose caller died. When the lease
    runs out the retry asks Rasa's tracker first, finds the job's trigger answered, and sends nothing."""
    citizen = new_citizen(stack, coordinator)
    at = day_before_reminder(book(stack, citizen, days_ahead=6))
    lease = timedelta(seconds=SETTINGS.lease_seconds)
    database = Database(stack.database_url)
    try:  # the scheduler that dies: it claims the job and gets as far as Rasa, never to mark_done
        [job] = database.call(job_db.claim_due, at, limit=1, lease=lease, citizen_ids=[citizen["id"]])
        decision = database.call(handlers.prepare, job, at, SETTINGS)
    finally:
        database.dispose()

    async def trigger():
        rasa = RasaClient(stack.rasa_url, stack.rasa_token, PROACTIVE_CHANNEL)
        try:
            await rasa.trigger_intent(decision.sender, decision.intent, {**decision.entities, JOB_ENTITY: str(job.id)})
        finally:
            await rasa.close()

    asyncio.run(trigger())
    [reminder] = texts(stack, citizen)
    assert reminder.endswith("Kommer du?\n1 JA\n2 KAN IKKE\nSvar 1 eller 2.")
    assert outcomes(stack.tick(at + lease - timedelta(seconds=1)), citizen["id"]) == []  # still leased

    [retried] = [j for j in stack.tick(at + lease + timedelta(seconds=1))["jobs"] if j["citizen_id"] == citizen["id"]]
    assert retried["outcome"] == "sent" and retried["note"] == "delivered by an earlier attempt"
    assert reminders_in_rasa(stack, citizen) == 1
    [row] = [j for j in stack.api("GET", f"/api/citizens/{citizen['id']}/jobs").json() if j["id"] == job.id]
    assert row["status"] == "done" and row["attempts"] == 2
    stack.tick(at + timedelta(hours=2))
    time.sleep(1)  # the dispatcher polls every 0.2 s: a second reminder would be on the phone by now
    assert stack.phone_inbox(citizen["phone"]) == [reminder]


def test_a_moved_appointment_sends_no_stale_reminder(stack, coordinator):
    citizen = new_citizen(stack, coordinator)
    appointment = book(stack, citizen, days_ahead=3)
    old = day_before_reminder(appointment)
    new_start = datetime.fromisoformat(appointment["starts_at"]) + timedelta(days=2)
    moved = stack.api("PATCH", f"/api/appointments/{appointment['id']}",
                      json={"starts_at": new_start.isoformat()}).json()
    new = min(datetime.fromisoformat(j["due_at"]) for j in moved["jobs"] if j["status"] == "pending")
    assert new == old + timedelta(days=2)
    assert outcomes(stack.tick(old), citizen["id"]) == []
    assert outcomes(stack.tick(old + timedelta(hours=22)), citizen["id"]) == []  # old 2-hour reminder
    assert reminders_in_rasa(stack, citizen) == 0
    assert outcomes(stack.tick(new), citizen["id"]) == ["sent"]


def test_two_unanswered_check_in_prompts_raise_a_no_response_alert(stack, coordinator):
    citizen = new_citizen(stack, coordinator)
    consent = datetime.fromisoformat(citizen["consent_at"])
    first = timing.local_instant(timing.local_date(consent, SETTINGS) + timedelta(days=7), SETTINGS.checkin_prompt_at,
                                 SETTINGS)
    steps = [(first, "checkin_prompt"), (first + timedelta(hours=24), "checkin_nudge"),
             (first + timedelta(days=7), "checkin_prompt"), (first + timedelta(days=8), "checkin_nudge")]
    for now, purpose in steps:
        assert outcomes(stack.tick(now), citizen["id"], purpose) == ["sent"], (now, purpose)
    alerts = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}").json()
    assert [(a["rule"], a["severity"]) for a in alerts] == [("no_response", "low")]
    # The next nudge does not pile up a second alert while the first is open.
    stack.tick(first + timedelta(days=14))
    stack.tick(first + timedelta(days=15))
    assert len(stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}").json()) == 1

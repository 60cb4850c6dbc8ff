"""Concurrent delivery (issue 13), in-process on SQLite and PostgreSQL: the scheduler keeps at most
`concurrency` trigger_intent calls in flight, never two of one citizen, lets no citizen with many
due jobs hold up the others, still defers in quiet hours, and two schedulers at once still send each
job once; the SMS dispatcher sends different phones' messages side by side but one phone's strictly
in order, each once, and a STOP between claim and send still holds a message.

Rasa is replaced by a recorder here (the e2e tests in tests/e2e/test_scheduler_delivery.py drive the
real one): it answers each trigger_intent after the test lets it, so what is in flight at once is
observed, not timed."""
from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FixedClock
from bot.core.config import ProactiveSettings
from bot.db import jobs as job_db
from bot.db import outbox as outbox_db
from bot.db.appointments import create_appointment
from bot.db.citizens import create_citizen, get_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.jobs.purposes import CHECKIN_PROMPT, REMINDER
from bot.scheduler.runner import Scheduler
from bot.sms.dispatcher import Dispatcher
from bot.sms.gateway import GatewayError
from bot.sms.outbox import claim_due, queue_sms, sendable

CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = ProactiveSettings()
AT = datetime(2026, 11, 24, 10, 0, tzinfo=CPH).astimezone(timezone.utc)


class RecordingRasa:
    """Stands in for RasaClient: records what is in flight, per citizen (the sender is their phone)."""

    def __init__(self, db: Database, delay: float = 0.01, gather: int = 0):
        self.db = db
        self.delay = delay
        # The first `gather` calls wait until that many are in flight, so "the bound is reached" is
        # seen whatever the machine's speed (a timeout only turns a hang into a failed assertion).
        self.gather = gather
        self.gathered = asyncio.Event()
        self.in_flight: set[str] = set()
        self.max_in_flight = 0
        self.overlaps: list[str] = []  # a sender that had two calls in flight at once
        self.calls: list[tuple[str, str]] = []

    async def trigger_intent(self, sender: str, intent: str, entities: dict) -> list[dict]:
        if sender in self.in_flight:
            self.overlaps.append(sender)
        self.in_flight.add(sender)
        self.max_in_flight = max(self.max_in_flight, len(self.in_flight))
        self.calls.append((sender, intent))
        try:
            if len(self.calls) <= self.gather:
                if len(self.in_flight) >= self.gather:
                    self.gathered.set()
                try:
                    await asyncio.wait_for(self.gathered.wait(), 30)
                except asyncio.TimeoutError:
                    pass
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight.discard(sender)
        return [{"recipient_id": sender, "text": intent}]

    async def close(self) -> None:
        pass


def citizens(db: Database, n: int, prefix: str = "+4530") -> list:
    def create(session):
        coordinator, _ = create_coordinator(session, "Mette")
        return [create_citizen(session, name=f"B{i}", phone=f"{prefix}{i:06d}", coordinator_id=coordinator.id,
                               consent_at=AT - timedelta(days=30)) for i in range(n)]

    return db.call(create)


def due_job(db: Database, citizen, purpose: str = CHECKIN_PROMPT, target: str = "", at: datetime = AT):
    return db.call(lambda s: job_db.schedule(s, citizen_id=citizen.id, purpose=purpose, target=target, due_at=at,
                                             next_attempt_at=at, now=at - timedelta(days=1)))


def reminder_job(db: Database, citizen):
    """A due reminder of a real appointment tomorrow (its handler reads the appointment)."""
    def create(session):
        appointment = create_appointment(session, citizen.id, kind="andet", starts_at=AT + timedelta(days=1),
                                         created_at=AT - timedelta(days=2))
        return job_db.schedule(session, citizen_id=citizen.id, purpose=REMINDER,
                               target=job_db.appointment_target(appointment.id), due_at=AT, next_attempt_at=AT,
                               now=AT - timedelta(days=1))

    return db.call(create)


def scheduler(db: Database, rasa, concurrency: int) -> Scheduler:
    return Scheduler(db, rasa, SETTINGS, FixedClock(AT), concurrency=concurrency)


def sent(report: dict) -> list[dict]:
    return [j for j in report["jobs"] if j["outcome"] == "sent"]


# --- the scheduler ---------------------------------------------------------------------------------

async def test_at_most_the_bound_is_in_flight_and_every_job_goes_once(db):
    people = citizens(db, 30)
    for citizen in people:
        due_job(db, citizen)
    rasa = RecordingRasa(db, gather=4)
    report = await scheduler(db, rasa, concurrency=4).tick(AT)
    assert len(sent(report)) == 30
    assert rasa.max_in_flight == report["max_in_flight"] == 4 and report["concurrency"] == 4
    assert sorted(s for s, _ in rasa.calls) == sorted(c.phone for c in people)
    assert (await scheduler(db, rasa, concurrency=4).tick(AT + timedelta(minutes=1)))["jobs"] == []
    assert len(rasa.calls) == 30


async def test_one_citizen_never_has_two_jobs_in_flight_and_does_not_hold_up_the_others(db):
    """Bente has six due jobs, the others one each: with room for four at once she takes one place
    at a time, and everyone else's prompt goes in the first round, not after hers."""
    bente, *others = citizens(db, 7)
    for _ in range(6):
        reminder_job(db, bente)
    for citizen in others:
        due_job(db, citizen)
    rasa = RecordingRasa(db)
    report = await scheduler(db, rasa, concurrency=4).tick(AT)
    assert rasa.overlaps == []
    assert len([j for j in sent(report) if j["citizen_id"] == bente.id]) == 6
    order = [sender for sender, _ in rasa.calls]
    # Bente's reminders are claimed first (they cannot wait), yet take one place at a time: every
    # other citizen's prompt has gone before her last reminder (sequentially, all six went first).
    # Not an earlier one of hers: when the next claim comes depends on how fast the calls return.
    hers = [i for i, sender in enumerate(order) if sender == bente.phone]
    assert max(i for i, sender in enumerate(order) if sender != bente.phone) < hers[-1]


async def test_one_question_at_a_time_still_holds_under_concurrency(db):
    """A reminder and a check-in prompt of one citizen due together: the reminder goes, and the
    prompt, run after it (never beside it), sees the open question and waits."""
    [bente] = citizens(db, 1)
    reminder_job(db, bente)
    due_job(db, bente)
    rasa = RecordingRasa(db)
    report = await scheduler(db, rasa, concurrency=8).tick(AT)
    outcomes = {j["purpose"]: j["outcome"] for j in report["jobs"]}
    assert outcomes == {REMINDER: "sent", CHECKIN_PROMPT: "deferred"}
    assert rasa.calls == [(bente.phone, f"EXTERNAL_{REMINDER}")] and rasa.overlaps == []


async def test_quiet_hours_still_defer_each_job(db):
    people = citizens(db, 5)
    evening = datetime(2026, 11, 24, 21, 0, tzinfo=CPH).astimezone(timezone.utc)
    for citizen in people:
        # Due (by a retry, say) while it is quiet: the send-time check defers it to 08:00.
        due_job(db, citizen, at=evening)
    rasa = RecordingRasa(db)
    report = await scheduler(db, rasa, concurrency=4).tick(evening)
    morning = datetime(2026, 11, 25, 8, 0, tzinfo=CPH).astimezone(timezone.utc)
    assert [j["outcome"] for j in report["jobs"]] == ["deferred"] * 5
    assert {j["next_attempt_at"] for j in report["jobs"]} == {morning.isoformat()}
    assert rasa.calls == []


def _tick_in_thread(url: str, rasa_delay: float, reports: dict, calls: dict, name: str, barrier) -> None:
    async def run():
        database = Database(url)
        rasa = RecordingRasa(database, rasa_delay)
        barrier.wait()
        try:
            reports[name] = await scheduler(database, rasa, concurrency=4).tick(AT)
            calls[name] = rasa.calls
        finally:
            database.dispose()

    asyncio.run(run())


def test_two_schedulers_at_once_send_each_job_once_and_one_job_per_citizen_at_a_time(db):
    """Two schedulers, each with its own engine, tick together; some citizens have three jobs. No
    job goes twice, and no citizen is prompted by both schedulers at once (the claim's rule holds
    across workers, not only inside one)."""
    people = citizens(db, 16)
    for citizen in people:
        due_job(db, citizen)
    for citizen in people[:4]:
        for _ in range(2):
            reminder_job(db, citizen)
    reports: dict = {}
    calls: dict = {}
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_tick_in_thread, args=(db.url, 0.02, reports, calls, n, barrier))
               for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    ran = [j for r in reports.values() for j in r["jobs"]]
    ids = [j["id"] for j in ran]
    assert len(ids) == len(set(ids)) == 16 + 8  # each job run once, by one of the two
    # The four with two reminders: both sent, and their prompt then waited (one question at a time),
    # which it can only see if the reminders were done first, never beside it on the other scheduler.
    def outcomes(citizen) -> list[tuple[str, str]]:
        return sorted((str(j["purpose"]), j["outcome"]) for j in ran if j["citizen_id"] == citizen.id)

    for citizen in people[:4]:
        assert outcomes(citizen) == [(REMINDER, "sent"), (REMINDER, "sent"), (CHECKIN_PROMPT, "deferred")]
    for citizen in people[4:]:
        assert outcomes(citizen) == [(CHECKIN_PROMPT, "sent")]
    sent_phones = [sender for c in calls.values() for sender, _ in c]
    assert len(sent_phones) == 12 + 8
    assert reports["a"]["max_in_flight"] <= 4 and reports["b"]["max_in_flight"] <= 4


def test_the_claim_gives_one_job_per_citizen_and_none_of_a_citizen_with_one_running(db):
    bente, karen = citizens(db, 2)
    for _ in range(3):
        reminder_job(db, bente)
    due_job(db, karen)
    lease = timedelta(minutes=5)
    first = db.call(job_db.claim_due, AT, limit=10, lease=lease)
    assert sorted(j.citizen_id for j in first) == sorted([bente.id, karen.id])
    assert db.call(job_db.claim_due, AT, limit=10, lease=lease) == []  # Bente's first is still running
    [bente_first] = [j for j in first if j.citizen_id == bente.id]
    assert db.call(job_db.mark_done, bente_first, AT)
    [second] = db.call(job_db.claim_due, AT, limit=10, lease=lease)
    assert second.citizen_id == bente.id and second.id != bente_first.id
    # A worker that died: its job's lease runs out, and then the citizen is free again (that job first).
    later = db.call(job_db.claim_due, AT + timedelta(minutes=6), limit=10, lease=lease)
    [again] = [j for j in later if j.citizen_id == bente.id]
    assert again.id == second.id and again.attempts == 2


# --- the SMS dispatcher --------------------------------------------------------------------------------

class RecordingGateway:
    """Stands in for GatewayApiClient: what reached the operator, per phone, and what was in flight."""

    def __init__(self, fail: set[str] = frozenset()):
        self.received: dict[str, list[str]] = defaultdict(list)
        self.in_flight: set[str] = set()
        self.max_in_flight = 0
        self.overlaps: list[str] = []
        self.fail = set(fail)
        self.before_send = None  # called once, before the first send (a STOP between claim and send)

    async def send(self, http, phone: str, text: str, userref: str) -> str:
        if self.before_send is not None:
            hook, self.before_send = self.before_send, None
            hook()
        if phone in self.in_flight:
            self.overlaps.append(phone)
        self.in_flight.add(phone)
        self.max_in_flight = max(self.max_in_flight, len(self.in_flight))
        try:
            await asyncio.sleep(0.005)
            if text in self.fail:
                self.fail.discard(text)
                raise GatewayError("gateway answered 500")
            self.received[phone].append(text)
            return userref
        finally:
            self.in_flight.discard(phone)


def phones(db: Database, n: int) -> list:
    return citizens(db, n, prefix="+4540")


async def drain(dispatcher: Dispatcher, clock: FixedClock, rounds: int = 50) -> None:
    for _ in range(rounds):
        counts = await dispatcher.dispatch_once(None)
        if not any(counts.values()):
            return
        clock.advance(timedelta(minutes=1))  # past any backoff


async def test_the_dispatcher_sends_phones_side_by_side_each_phone_in_order_each_message_once(db):
    clock = FixedClock(AT)
    people = phones(db, 6)
    for i in range(5):
        for citizen in people:
            db.call(lambda s, c=citizen, i=i: queue_sms(s, c.phone, f"{c.phone} besked {i}", purpose="reply",
                                                        now=clock.now()))
    gateway = RecordingGateway(fail={f"{people[0].phone} besked 1"})  # one failure holds back what follows
    dispatcher = Dispatcher(db, gateway, clock, concurrency=4)
    await drain(dispatcher, clock)
    assert gateway.overlaps == []
    assert 1 < gateway.max_in_flight <= 4
    for citizen in people:
        assert gateway.received[citizen.phone] == [f"{citizen.phone} besked {i}" for i in range(5)]
    rows = [r for c in people for r in db.call(outbox_db.list_for_msisdn, c.phone)]
    assert all(r.status == "sent" for r in rows)
    assert sorted(r.attempts for r in rows) == [1] * 29 + [2]


async def test_two_dispatchers_at_once_never_send_a_message_twice_nor_out_of_order(db):
    clock = FixedClock(AT)
    people = phones(db, 5)
    for i in range(4):
        for citizen in people:
            db.call(lambda s, c=citizen, i=i: queue_sms(s, c.phone, f"{c.phone} {i}", purpose="reply", now=clock.now()))
    gateway = RecordingGateway()
    other = Database(db.url)
    try:
        await asyncio.gather(drain(Dispatcher(db, gateway, clock, concurrency=3), clock),
                             drain(Dispatcher(other, gateway, clock, concurrency=3), clock))
    finally:
        other.dispose()
    assert gateway.overlaps == []
    for citizen in people:
        assert gateway.received[citizen.phone] == [f"{citizen.phone} {i}" for i in range(4)]


async def test_a_stop_between_claim_and_send_holds_the_proactive_message_and_not_the_reply_behind_it(db):
    from bot.citizens import course

    clock = FixedClock(AT)
    bente, karen = phones(db, 2)
    db.call(lambda s: queue_sms(s, bente.phone, "Det er tid til dit tjek ind", purpose="proactive", now=clock.now()))
    db.call(lambda s: queue_sms(s, karen.phone, "Det er tid til dit tjek ind", purpose="proactive", now=clock.now()))
    claimed = db.call(claim_due, clock.now(), 10)
    assert len(claimed) == 2
    db.call(lambda s: course.opt_out(s, get_citizen(s, bente.id), clock.now()))  # after the claim
    assert db.call(sendable, [m.id for m in claimed], clock.now()) == {m.id for m in claimed if m.msisdn == karen.phone}
    db.call(lambda s: queue_sms(s, bente.phone, "Nu får du ikke flere beskeder fra os.", purpose="reply",
                                now=clock.now()))
    gateway = RecordingGateway()
    await drain(Dispatcher(db, gateway, clock, concurrency=4), clock)
    assert gateway.received[bente.phone] == ["Nu får du ikke flere beskeder fra os."]
    held = db.call(outbox_db.list_for_msisdn, bente.phone)[0]
    assert (held.status, held.suppressed_reason, held.attempts) == ("suppressed", "opted_out", 0)


async def test_a_stop_arriving_while_the_dispatcher_runs_holds_the_message_it_had_claimed(db):
    """The STOP lands after the round's claim, before its one check: the check sees it."""
    from bot.citizens import course

    clock = FixedClock(AT)
    [bente] = phones(db, 1)
    db.call(lambda s: queue_sms(s, bente.phone, "Husk dit møde", purpose="proactive", now=clock.now()))
    gateway = RecordingGateway()
    dispatcher = Dispatcher(db, gateway, clock, concurrency=4)
    original = dispatcher.db.run

    async def run(fn, *args, **kwargs):
        if fn is sendable:  # the claim has committed; the citizen's STOP comes now
            await original(lambda s: course.opt_out(s, get_citizen(s, bente.id), clock.now()))
        return await original(fn, *args, **kwargs)

    dispatcher.db = type("Db", (), {"run": staticmethod(run)})()
    assert await dispatcher.dispatch_once(None) == {"sent": 0, "retry": 0, "failed": 0}
    assert gateway.received == {}
    [row] = db.call(outbox_db.list_for_msisdn, bente.phone)
    assert (row.status, row.suppressed_reason) == ("suppressed", "opted_out")


@pytest.mark.parametrize("n", [3])
def test_holding_a_stopped_citizens_queue_touches_only_their_messages(db, n):
    from bot.citizens import course

    clock = FixedClock(AT)
    people = phones(db, n)
    for citizen in people:
        db.call(lambda s, c=citizen: queue_sms(s, c.phone, "Husk dit møde", purpose="proactive",
                                               now=clock.now() + timedelta(hours=1)))
    db.call(lambda s: course.opt_out(s, get_citizen(s, people[0].id), clock.now()))
    assert db.call(claim_due, clock.now(), 10) == []  # nothing due yet, but the STOP's message is held
    statuses = [db.call(outbox_db.list_for_msisdn, c.phone)[0].status for c in people]
    assert statuses == ["suppressed"] + ["queued"] * (n - 1)

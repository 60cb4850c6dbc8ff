"""The outbox's integrity rules (docs/decisions.md, "SMS integrity"), through the use cases and the
dispatcher against the fake operator over real HTTP, on SQLite and PostgreSQL:
- a proactive SMS is held at dispatch time, every attempt, when the citizen sent STOP, the course
  ended or the citizen was erased; replies and notifications still go;
- delivery-report statuses only move forward, and a replayed report raises no second alert;
- an operator's MO id taken once is a duplicate for ever, also after its message was erased.
Every step at a time stated with the FixedClock."""
import threading
from datetime import datetime, timedelta, timezone

import aiohttp
import jwt
import pytest
import sqlalchemy as sa
from alembic import command

from bot.citizens import course
from bot.core.clock import FixedClock
from bot.core.config import ProactiveSettings
from bot.db import outbox as outbox_db
from bot.db.alerts import list_alerts, resolve_alert
from bot.db.citizens import create_citizen, get_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.messages import log_inbound, seen_key, was_seen
from bot.db.migrate import alembic_config
from bot.db.models import OutboxMessage, SeenInboundId
from bot.db.privacy import erase_citizen
from bot.sms.dispatcher import Dispatcher
from bot.sms.gateway import GatewayApiClient
from bot.sms.outbox import (
    apply_delivery_report,
    claim_due,
    queue_sms,
    record_send_failure,
    record_sent,
    sendable,
)
from tests.conftest import POSTGRES, T0
from tests.db.conftest import PHONE, sql_sent
from tests.service import service_app

STAFF_PHONE = "+4587654321"
SECRET = "test-sms-secret-long-enough-for-hs256"
SETTINGS = ProactiveSettings()


def queue(db, clock, text: str, purpose: str, phone: str = PHONE) -> OutboxMessage:
    return db.call(lambda s: queue_sms(s, phone, text, purpose=purpose, now=clock.now()))


def rows(db, phone: str = PHONE) -> list[OutboxMessage]:
    return db.call(outbox_db.list_for_msisdn, phone)


def stop(db, citizen, clock) -> None:
    db.call(lambda s: course.opt_out(s, get_citizen(s, citizen.id), clock.now()))


def end_course(db, citizen, clock) -> None:
    db.call(lambda s: course.set_course(s, get_citizen(s, citizen.id), course.ENDED, clock.now(), SETTINGS))


def unreachable(db, citizen) -> list:
    return [a for a in db.call(lambda s: list_alerts(s, citizen_id=citizen.id)) if a.rule == "unreachable"]


# --- held at dispatch time ----------------------------------------------------------------------------

@pytest.mark.parametrize("change, reason", [(stop, "opted_out"), (end_course, "course_ended")])
def test_a_queued_proactive_sms_is_held_at_dispatch_and_replies_still_go(db, clock, citizen, change, reason):
    proactive = queue(db, clock, "Husk dit møde", "proactive")
    assert proactive.status == "queued"  # the citizen could get it when it was queued
    change(db, citizen, clock)
    reply = queue(db, clock, "Nu får du ikke flere beskeder fra os.", "reply")
    notification = queue(db, clock, "Ny alarm (høj) - log ind", "notification", phone=STAFF_PHONE)
    claimed = db.call(claim_due, clock.now())
    # The held message holds nothing back: the next message for the phone is claimed in the same
    # round. Ending a course queues its goodbye (bot/citizens/course.py), which goes first.
    [held, *after] = rows(db)
    assert (held.status, held.suppressed_reason, held.attempts, held.status_at) == ("suppressed", reason, 0, clock.now())
    if change is end_course:
        goodbye, queued_reply = after
        assert (goodbye.purpose, goodbye.status) == ("farewell", "sending")
        assert sorted(m.id for m in claimed) == sorted([goodbye.id, notification.id])
        assert queued_reply.status == "queued"  # in the next round: one message per phone at a time
    else:
        [queued_reply] = after
        assert sorted(m.id for m in claimed) == sorted([reply.id, notification.id])
        assert queued_reply.status == "sending"


def test_a_proactive_sms_waiting_for_a_retry_is_held_before_its_due_time(db, clock, citizen):
    message = queue(db, clock, "Husk dit møde", "proactive")
    [claimed] = db.call(claim_due, clock.now())
    db.call(record_send_failure, claimed.id, "gateway answered 500", clock.now() + timedelta(minutes=30), clock.now())
    stop(db, citizen, clock)
    clock.advance(timedelta(seconds=1))
    db.call(claim_due, clock.now())  # not due for 30 minutes, held all the same
    [row] = rows(db)
    assert (row.id, row.status, row.suppressed_reason, row.attempts) == (message.id, "suppressed", "opted_out", 1)


def test_a_claimed_proactive_sms_is_checked_again_just_before_sending(db, clock, citizen):
    queue(db, clock, "Husk dit møde", "proactive")
    queue(db, clock, "Svar på dit spørgsmål", "reply")
    [proactive] = db.call(claim_due, clock.now())  # one per phone: the reply waits behind it
    stop(db, citizen, clock)  # after the claim, before the gateway is called
    assert (proactive.id in db.call(sendable, [proactive.id], clock.now())) is False
    [held, reply] = rows(db)
    # Never handed to the operator: the claim's attempt is taken back.
    assert (held.status, held.suppressed_reason, held.attempts) == ("suppressed", "opted_out", 0)
    [claimed_reply] = db.call(claim_due, clock.now())
    assert claimed_reply.id == reply.id and (reply.id in db.call(sendable, [reply.id], clock.now())) is True


def test_a_rounds_later_claim_leaves_the_holds_to_the_check_before_sending(db, clock, citizen):
    """The dispatcher's claims between two holds skip them (bot.sms.dispatcher.HOLD_EVERY): a STOP
    that comes between two claims of one round is caught by `sendable` before the operator is called."""
    proactive = queue(db, clock, "Husk dit møde", "proactive")
    stop(db, citizen, clock)
    [claimed] = db.call(lambda s: claim_due(s, clock.now(), hold=False))
    assert claimed.id == proactive.id and claimed.status == "sending"
    assert db.call(sendable, [claimed.id], clock.now()) == set()
    [row] = rows(db)
    assert (row.status, row.suppressed_reason, row.attempts) == ("suppressed", "opted_out", 0)


def test_an_erased_citizen_gets_nothing_that_was_waiting_and_nothing_new(db, clock, citizen):
    queue(db, clock, "Husk dit møde", "proactive")
    [claimed] = db.call(claim_due, clock.now())
    db.call(lambda s: erase_citizen(s, get_citizen(s, citizen.id), None, clock.now()))
    assert (claimed.id in db.call(sendable, [claimed.id], clock.now())) is False  # its row went with the citizen
    late = queue(db, clock, "Det er tid til dit tjek ind", "proactive")  # a turn that ran on
    assert (late.status, late.suppressed_reason, late.citizen_id) == ("suppressed", "no_citizen", None)


def test_start_releases_nothing_that_was_held(db, clock, citizen):
    queue(db, clock, "Husk dit møde", "proactive")
    stop(db, citizen, clock)
    db.call(claim_due, clock.now())
    assert db.call(lambda s: course.opt_in(s, get_citizen(s, citizen.id), clock.now(), SETTINGS)) is True
    clock.advance(timedelta(minutes=1))
    assert db.call(claim_due, clock.now()) == []
    assert [r.status for r in rows(db)] == ["suppressed"]


@pytest.fixture
async def service(aiohttp_server, db, clock, citizen):
    return await aiohttp_server(service_app(db, clock, SMS_GATEWAY="fake", SMS_WEBHOOK_SECRET=SECRET,
                                            SMS_DISPATCH_INTERVAL="0"))


def dispatcher_for(server, db, clock, *, reports: bool = False) -> Dispatcher:
    callback = str(server.make_url("/sms/delivery-report")) if reports else None
    gateway = GatewayApiClient(str(server.make_url("/fake-sms")), "fake-gateway-token", "1204", callback_url=callback)
    return Dispatcher(db, gateway, clock)


async def inbox(http, server, phone: str = PHONE) -> list[str]:
    async with http.get(server.make_url("/fake-sms/messages"), params={"msisdn": phone.lstrip("+")}) as resp:
        return [m["message"] for m in await resp.json() if m["direction"] == "mt"]


async def test_stop_during_a_gateway_outage_the_retry_never_sends_the_proactive_sms(service, db, clock, citizen):
    queue(db, clock, "Husk dit møde i morgen", "proactive")
    service.app["fake_operator"].fail_next = 100
    dispatcher = dispatcher_for(service, db, clock)
    async with aiohttp.ClientSession() as http:
        assert await dispatcher.dispatch_once(http) == {"sent": 0, "retry": 1, "failed": 0}
        stop(db, citizen, clock)
        queue(db, clock, "Nu får du ikke flere beskeder fra os.", "reply")
        service.app["fake_operator"].fail_next = 0  # the gateway is back
        clock.advance(timedelta(seconds=2))
        assert await dispatcher.dispatch_once(http) == {"sent": 1, "retry": 0, "failed": 0}
        assert await inbox(http, service) == ["Nu får du ikke flere beskeder fra os."]
    held, reply = rows(db)
    assert (held.status, held.suppressed_reason, held.attempts) == ("suppressed", "opted_out", 1)
    assert reply.status == "sent"


class TickingClock(FixedClock):
    """A second later on every reading: a dispatcher round that takes its time."""

    def now(self) -> datetime:
        self.advance(timedelta(seconds=1))
        return super().now()


def hold_reads(db, statements: list[str]) -> int:
    """How many times the dispatcher's holds ran: bot.db.outbox.hold_queued reads the queue once for
    each of its three purposes per run."""
    reads = [s for s in statements if "(select citizens.status" in s and "outbox.purpose =" in s]
    assert len(reads) % 3 == 0, reads
    return len(reads) // 3


@pytest.mark.parametrize("ticking, holds", [(False, 1), (True, 4)])
async def test_a_long_round_holds_again_a_second_later(service, db, clock, citizen, ticking, holds):
    """bot.sms.dispatcher.HOLD_EVERY: a round's first claim holds; its later claims skip the holds
    within a second and run them again after one. Three recipients, one message a claim."""
    for phone in (PHONE, STAFF_PHONE, "+4587654322"):
        queue(db, clock, "Ny alarm (høj) - log ind" if phone != PHONE else "Tak for dit svar.",
              "reply" if phone == PHONE else "notification", phone=phone)
    when = TickingClock(clock.now()) if ticking else clock
    gateway = GatewayApiClient(str(service.make_url("/fake-sms")), "fake-gateway-token", "1204", callback_url=None)
    with sql_sent(db.engine) as statements:
        async with aiohttp.ClientSession() as http:
            counts = await Dispatcher(db, gateway, when, concurrency=1).dispatch_once(http)
    assert counts == {"sent": 3, "retry": 0, "failed": 0}
    assert hold_reads(db, statements) == holds  # four claims: three messages and the empty one


# --- delivery reports only move forward ----------------------------------------------------------------

async def sent(service, db, clock, text="hej", purpose="reply", phone=PHONE) -> OutboxMessage:
    queue(db, clock, text, purpose, phone)
    async with aiohttp.ClientSession() as http:
        await dispatcher_for(service, db, clock).dispatch_once(http)
    row = rows(db, phone)[-1]
    assert row.status == "sent" and row.attempts == 1
    return row


def report(db, clock, row: OutboxMessage, status: str, provider_id: str | None = None):
    return db.call(apply_delivery_report, provider_id or row.provider_id, str(row.id), status, clock.now())


def status_of(db, row: OutboxMessage) -> str:
    return db.call(lambda s: s.get(OutboxMessage, row.id).status)


@pytest.mark.parametrize("reports, final", [
    (["DELIVERED", "UNDELIVERED"], "delivered"),  # a late contrary report
    (["DELIVERED", "DELIVERED"], "delivered"),  # a replay
    (["DELIVERED", "ENROUTE"], "delivered"),  # out of order: not final
    (["ENROUTE", "UNDELIVERABLE", "DELIVERED"], "undelivered"),
    (["EXPIRED", "EXPIRED", "REJECTED"], "undelivered"),
])
async def test_a_final_status_is_never_changed_by_a_later_report(service, db, clock, citizen, reports, final):
    row = await sent(service, db, clock)
    for status in reports:
        clock.advance(timedelta(minutes=1))
        assert report(db, clock, row, status) is not None  # known: the gateway gets 200 "ok"
        # Written once, by the first final report.
    assert status_of(db, row) == final
    assert len(unreachable(db, citizen)) == (1 if final == "undelivered" else 0)


async def test_a_replayed_undeliverable_report_raises_no_second_alert_after_the_first_was_resolved(
        service, db, clock, citizen):
    row = await sent(service, db, clock)
    report(db, clock, row, "UNDELIVERED")
    [alert] = unreachable(db, citizen)
    db.call(lambda s: resolve_alert(s, s.merge(alert), None, "Ringet op, nummeret er rettet", clock.now()))
    clock.advance(timedelta(hours=2))
    report(db, clock, row, "UNDELIVERED")
    assert [(a.id, a.status) for a in unreachable(db, citizen)] == [(alert.id, "resolved")]


async def test_a_report_for_a_message_that_never_left_changes_nothing(service, db, clock, citizen):
    waiting = queue(db, clock, "venter", "reply")  # never handed to the operator
    stop(db, citizen, clock)
    held = queue(db, clock, "Husk dit møde", "proactive")
    for row in (waiting, held):
        assert report(db, clock, row, "DELIVERED", provider_id="999") is not None
    assert [(r.status, r.provider_id) for r in rows(db)] == [("queued", None), ("suppressed", None)]
    # An id the operator never had from us: None, and the service answers 200 without effect.
    assert db.call(apply_delivery_report, "12345", None, "UNDELIVERED", clock.now()) is None
    assert db.call(apply_delivery_report, "12345", "not-a-number", "UNDELIVERED", clock.now()) is None
    assert unreachable(db, citizen) == []


async def test_a_gateway_error_after_the_report_came_keeps_delivered(service, db, clock, citizen):
    # The gateway took the message but its answer was lost; its report came first.
    queue(db, clock, "hej", "reply")
    [claimed] = db.call(claim_due, clock.now())
    db.call(apply_delivery_report, "777", str(claimed.id), "DELIVERED", clock.now())
    db.call(record_send_failure, claimed.id, "timeout", None, clock.now())  # would have given up
    [row] = rows(db)
    assert (row.status, row.provider_id) == ("delivered", "777")
    assert unreachable(db, citizen) == []


async def test_replayed_reports_over_http_move_nothing_backwards(service, db, clock, citizen):
    row = await sent(service, db, clock)
    body = {"id": int(row.provider_id), "msisdn": 4512345678, "time": 1, "status": "DELIVERED",
            "userref": str(row.id)}
    async with aiohttp.ClientSession() as http:
        for status in ("DELIVERED", "UNDELIVERED", "DELIVERED"):
            signed = {**body, "status": status}
            headers = {"X-Gwapi-Signature": jwt.encode(signed, SECRET, algorithm="HS256")}
            async with http.post(service.make_url("/sms/delivery-report"), json=signed, headers=headers) as resp:
                assert resp.status == 200
    assert status_of(db, row) == "delivered" and unreachable(db, citizen) == []


# --- MO de-duplication outlives the messages -------------------------------------------------------------

def test_an_mo_id_stays_taken_after_its_citizen_was_erased_and_the_number_registered_again(db, clock, citizen):
    db.call(lambda s: log_inbound(s, citizen.id, channel="sms", text="hej", received_at=clock.now(), provider_id="42"))
    db.call(lambda s: erase_citizen(s, get_citizen(s, citizen.id), None, clock.now()))
    assert db.call(was_seen, "sms", "42") is True
    again = db.call(lambda s: create_citizen(s, name="Bente", phone=PHONE, coordinator_id=citizen.coordinator_id))
    with pytest.raises(sa.exc.IntegrityError):
        db.call(lambda s: log_inbound(s, again.id, channel="sms", text="hej", received_at=clock.now(),
                                      provider_id="42"))
    # Another channel's id 42 is another message.
    db.call(lambda s: log_inbound(s, again.id, channel="other", text="hej", received_at=clock.now(), provider_id="42"))
    # Kept: a hash and a time, no phone, no text, no citizen.
    stored = db.call(lambda s: [(r.id_hash, r.seen_at) for r in s.execute(sa.select(SeenInboundId)).scalars()])
    assert sorted(stored) == sorted([(seen_key("sms", "42"), clock.now()), (seen_key("other", "42"), clock.now())])
    assert "42" not in seen_key("sms", "42") and len(seen_key("sms", "42")) == 64


def test_migration_0011_takes_over_the_ids_already_stored(db_url):
    config = alembic_config(db_url)
    command.downgrade(config, "0010")
    database = Database(db_url)
    try:
        with database.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO coordinators (id, name, token_hash, created_at) VALUES (1, 'M', 'x', :t)"),
                         {"t": T0.replace(tzinfo=None)})
            conn.execute(sa.text("INSERT INTO citizens (id, name, phone, coordinator_id, checkin_interval_days, "
                                 "programme, status, created_at) VALUES (1, 'B', :p, 1, 7, 'standard', 'opted_out', :t)"),
                         {"p": PHONE, "t": T0.replace(tzinfo=None)})
            for n, provider_id in enumerate(("mo-1", "mo-2", None), start=1):
                conn.execute(sa.text("INSERT INTO inbound_messages (id, citizen_id, channel, provider_id, text, "
                                     "received_at) VALUES (:id, 1, :ch, :pid, 'hej', :t)"),
                             {"id": n, "ch": "sms" if provider_id else "rest", "pid": provider_id,
                              "t": T0.replace(tzinfo=None)})
            conn.execute(sa.text("INSERT INTO outbox (citizen_id, msisdn, purpose, text, segments, status, attempts, "
                                 "next_attempt_at, created_at) VALUES (1, :p, 'proactive', 'x', 1, 'suppressed', 0, "
                                 ":t, :t)"), {"p": PHONE, "t": T0.replace(tzinfo=None)})
        command.upgrade(config, "head")
        assert database.call(was_seen, "sms", "mo-1") and database.call(was_seen, "sms", "mo-2")
        assert database.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(SeenInboundId)).scalar()) == 2
        assert [(r.status, r.suppressed_reason) for r in database.call(outbox_db.list_for_msisdn, PHONE)] == [
            ("suppressed", "opted_out")]
    finally:
        database.dispose()


# --- STOP and the coordinator at the same moment ---------------------------------------------------------

@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL is not reachable on 127.0.0.1:5432")
def test_a_stop_and_the_coordinator_ending_the_course_at_once_lose_neither(db_url, clock):
    # PostgreSQL lets both transactions read the old status; without the row lock the coordinator's
    # "ended" overwrote the STOP (a later resume messaged a citizen who had said STOP). SQLite lets one
    # writer at a time, so only PostgreSQL shows it.
    if not db_url.startswith("postgresql"):
        pytest.skip("a race between two writers: PostgreSQL only")
    db = Database(db_url)
    try:
        citizen = db.call(lambda s: create_citizen(s, name="B", phone=PHONE,
                                                   coordinator_id=create_coordinator(s, "M")[0].id))
        outcome = {}

        def coordinator_ends():
            try:
                end_course(db, citizen, clock)
                outcome["ended"] = True
            except course.OptedOut:
                outcome["ended"] = False

        with db.session() as s:
            course.opt_out(s, get_citizen(s, citizen.id), clock.now())  # the STOP, not yet committed
            other = threading.Thread(target=coordinator_ends)
            other.start()
            other.join(0.5)
            assert other.is_alive()  # waits for the STOP's transaction
        other.join(10)
        assert outcome == {"ended": False}  # refused (409): the citizen had sent STOP
        assert db.call(lambda s: get_citizen(s, citizen.id).status) == "opted_out"
    finally:
        db.dispose()


@pytest.mark.parametrize("userref", ["²", "١٢", "9" * 30, " 1 ", "-1", None])
def test_a_delivery_report_with_an_odd_userref_names_no_message(db, userref):
    # Found by the fuzzer (tests/security/test_fuzz.py): "²" was a 500 before.
    result = db.call(lambda s: outbox_db.apply_delivery_report(s, "no-such-provider-id", userref, "DELIVERED",
                                                               datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)))
    assert result == (None, False)


# --- a dispatcher that died mid-send -------------------------------------------------------------------

async def test_a_message_left_sending_by_a_dead_dispatcher_goes_after_the_lease_once(service, db, clock, citizen):
    queue(db, clock, "hej", "reply")
    [claimed] = db.call(claim_due, clock.now())  # the dispatcher that dies: claimed, never sent
    lease = timedelta(seconds=120)
    other = dispatcher_for(service, db, clock)
    other.sending_lease = lease
    async with aiohttp.ClientSession() as http:
        clock.advance(lease - timedelta(seconds=1))
        assert await other.dispatch_once(http) == {"sent": 0, "retry": 0, "failed": 0}
        clock.advance(timedelta(seconds=2))
        assert await other.dispatch_once(http) == {"sent": 1, "retry": 0, "failed": 0}
        assert await other.dispatch_once(http) == {"sent": 0, "retry": 0, "failed": 0}
        assert await inbox(http, service) == ["hej"]


async def test_a_message_the_dead_dispatcher_handed_over_is_not_sent_again(service, db, clock, citizen):
    queue(db, clock, "hej", "reply")
    [claimed] = db.call(claim_due, clock.now())
    # It reached the operator, whose delivery report (naming our id) came before the lease ran out.
    db.call(apply_delivery_report, "777", str(claimed.id), "DELIVERED", clock.now())
    other = dispatcher_for(service, db, clock)
    other.sending_lease = timedelta(seconds=120)
    clock.advance(timedelta(minutes=10))
    async with aiohttp.ClientSession() as http:
        assert await other.dispatch_once(http) == {"sent": 0, "retry": 0, "failed": 0}
    [row] = rows(db)
    assert (row.status, row.attempts) == ("delivered", 1)


# --- a batch's sends recorded at once ------------------------------------------------------------------
def test_a_delivery_report_that_beat_the_send_answer_keeps_its_status_when_the_batch_is_recorded(db, clock, citizen):
    """The dispatcher records a batch's sends after all of them are back (bot.sms.outbox.record_sent);
    a report that came first (found by our id, the userref) stays, the others become 'sent'."""
    first, second = queue(db, clock, "Tak.", "reply"), queue(db, clock, "Hej igen.", "reply", phone=STAFF_PHONE)
    first_claim, second_claim = db.call(claim_due, clock.now()), db.call(claim_due, clock.now())
    assert {m.id for m in first_claim + second_claim} == {first.id, second.id}
    db.call(apply_delivery_report, "op-1", str(first.id), "DELIVERED", clock.now())  # before the send's answer
    later = clock.now() + timedelta(seconds=2)
    db.call(record_sent, [(first.id, "op-1"), (second.id, "op-2")], later)
    by_id = {m.id: m for m in rows(db) + rows(db, STAFF_PHONE)}
    assert (by_id[first.id].status, by_id[first.id].provider_id, by_id[first.id].sent_at) == (
        "delivered", "op-1", later)
    assert by_id[first.id].status_at == clock.now()  # the report's moment, not the record's
    assert (by_id[second.id].status, by_id[second.id].provider_id, by_id[second.id].status_at) == (
        "sent", "op-2", later)


def test_a_report_is_about_the_message_with_its_gateway_id_before_the_one_its_userref_names(db, clock, citizen):
    """One read finds a report's message by either id (bot/db/outbox.py): the gateway's id wins, our
    id counts only for a message without a gateway id of its own, and the other row stays as it is."""
    first, second = queue(db, clock, "Tak.", "reply"), queue(db, clock, "Hej igen.", "reply", phone=STAFF_PHONE)
    db.call(claim_due, clock.now())
    db.call(record_sent, [(first.id, "op-1")], clock.now())  # second: handed over, answer not recorded
    moved = db.call(lambda s: outbox_db.apply_delivery_report(s, "op-1", str(second.id), "DELIVERED", clock.now()))
    assert (moved[0].id, moved[1]) == (first.id, True)
    by_id = {m.id: m for m in rows(db) + rows(db, STAFF_PHONE)}
    assert (by_id[first.id].status, by_id[second.id].status, by_id[second.id].provider_id) == (
        "delivered", "sending", None)
    # Our id naming a message that has another gateway id: no message of this report.
    assert db.call(lambda s: outbox_db.apply_delivery_report(s, "op-9", str(first.id), "FAILED", clock.now())) == (
        None, False)
    assert status_of(db, by_id[first.id]) == "delivered"

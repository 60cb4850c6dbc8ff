"""The e-mail outbox: a notification e-mail is queued in the notification transaction and sent by the
dispatch round afterwards, to a real SMTP server (aiosmtpd) on localhost, never while a database
transaction is open; SMTP down → retried with backoff and sent once when it is back."""
import asyncio
import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bot.alerts import EmailDispatcher, EmailNotifier, NotificationConfig, SmtpSettings, notifier_from_env, run_notifications
from bot.db import alerts as alert_db
from bot.db import email_outbox as email_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.models import Alert
from tests.conftest import T0
from tests.ports import free_port

URL = "https://koordinering.example.dk/alerts"
CONFIG = NotificationConfig(URL)
SENT_NOTHING = {"sent": 0, "retry": 0, "failed": 0}


class OpenTransactions:
    """How many database transactions are open right now on an engine, from any thread."""

    def __init__(self, engine: sa.engine.Engine):
        self.count = 0
        self._lock = threading.Lock()
        sa.event.listen(engine, "begin", lambda _conn: self._add(1))
        sa.event.listen(engine, "commit", lambda _conn: self._add(-1))
        sa.event.listen(engine, "rollback", lambda _conn: self._add(-1))

    def _add(self, n: int) -> None:
        with self._lock:
            self.count += n


class Inbox:
    """An aiosmtpd handler: keeps what it receives, refuses the recipients it is told to, and notes
    how many database transactions were open at each step of the conversation."""

    def __init__(self, transactions: OpenTransactions | None = None):
        self.messages = []
        self.refuse: dict[str, str] = {}
        self.transactions = transactions
        self.open_during_smtp: list[int] = []

    def _note(self) -> None:
        if self.transactions is not None:
            self.open_during_smtp.append(self.transactions.count)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self._note()
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self._note()
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def start_smtp(inbox: Inbox, port: int | None = None) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    return controller


def settings_for(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", sender="alarm@kommune.dk", timeout=5)


@pytest.fixture
def transactions(db):
    return OpenTransactions(db.engine)


@pytest.fixture
def smtp(transactions):
    inbox = Inbox(transactions)
    controller = start_smtp(inbox)
    yield inbox, settings_for(controller.port)
    controller.stop()


@pytest.fixture
def mette(db):
    def make(session):
        coordinator, _ = create_coordinator(session, "Mette", email="mette@kommune.dk")
        citizen = create_citizen(session, name="Bente Hemmelig", phone="+4520202020", coordinator_id=coordinator.id)
        return citizen.id

    return db.call(make)


def add_alert(db, citizen_id, at, severity="high"):
    return db.call(lambda s: alert_db.add_alert(s, citizen_id, rule="overall_red", severity=severity,
                                                reason="Borgeren svarede rød om sin gæld.", created_at=at).id)


def queue(db, clock, *recipients: str) -> list[int]:
    def add(session):
        return [email_db.add_email(session, recipient=r, subject="Ny alarm", body=f"Ny alarm (høj) - log ind: {URL}",
                                   now=clock.now()).id for r in recipients]

    return db.call(add)


def emails(db, status=None):
    return db.call(email_db.list_emails, status)


async def test_an_alert_e_mail_is_queued_in_the_transaction_and_delivered_by_the_dispatch_round(db, smtp, clock, mette):
    inbox, settings = smtp
    alert_id = add_alert(db, mette, T0)
    report = db.call(run_notifications, clock.now(), EmailNotifier(clock), CONFIG)
    assert report.notified == [alert_id]
    assert inbox.messages == []  # nothing is sent by the notification pass
    [queued] = emails(db)
    assert (queued.recipient, queued.subject, queued.body) == ("mette@kommune.dk", "Ny alarm",
                                                               f"Ny alarm (høj) - log ind: {URL}")
    assert (queued.status, queued.attempts, queued.next_attempt_at, queued.created_at) == ("queued", 0, T0, T0)

    clock.advance(timedelta(seconds=5))
    dispatcher = EmailDispatcher(db, settings, clock)
    assert await dispatcher.run_once() == {"sent": 1, "retry": 0, "failed": 0}
    [(to, message)] = inbox.messages
    assert to == ["mette@kommune.dk"] and message["From"] == "alarm@kommune.dk" and message["Subject"] == "Ny alarm"
    assert message.get_content().strip() == f"Ny alarm (høj) - log ind: {URL}"
    assert message["Message-ID"].startswith(f"<email-outbox.{queued.id}.")
    [sent] = emails(db)
    assert (sent.status, sent.attempts, sent.sent_at, sent.last_error) == ("sent", 1, T0 + timedelta(seconds=5), None)
    assert await dispatcher.run_once() == SENT_NOTHING
    assert len(inbox.messages) == 1


def test_the_queued_e_mail_is_part_of_the_notification_transaction(db, clock, mette):
    """Rolled back with it: no e-mail for an alert that is not marked as notified, and the other way round."""
    alert_id = add_alert(db, mette, T0)

    class Crash(Exception):
        pass

    with pytest.raises(Crash), db.session() as session:
        run_notifications(session, clock.now(), EmailNotifier(clock), CONFIG)
        assert len(email_db.list_emails(session)) == 1
        raise Crash
    assert emails(db) == []
    with db.session() as session:
        assert session.get(Alert, alert_id).notified_at is None


async def test_no_transaction_is_open_while_the_dispatcher_talks_smtp(db, smtp, clock, mette, transactions):
    inbox, settings = smtp
    with db.session() as session:  # the counter sees a transaction when one is open
        session.execute(sa.text("SELECT 1"))
        assert transactions.count == 1
    assert transactions.count == 0
    add_alert(db, mette, T0)
    db.call(run_notifications, clock.now(), EmailNotifier(clock), CONFIG)
    queue(db, clock, "ole@kommune.dk", "anne@kommune.dk")
    assert await EmailDispatcher(db, settings, clock).run_once() == {"sent": 3, "retry": 0, "failed": 0}
    assert len(inbox.messages) == 3
    assert len(inbox.open_during_smtp) == 6 and set(inbox.open_during_smtp) == {0}  # RCPT and DATA of each


def test_the_notification_pass_opens_no_smtp_connection(db, clock, mette):
    """SMTP configured, pointing at a server that accepts connections but never answers: a connection
    would hang for the whole SMTP timeout. The pass returns at once, and nobody ever connected."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", free_port()))
        silent.listen(8)
        env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(silent.getsockname()[1]), "SMTP_SECURITY": "none"}
        alert_id = add_alert(db, mette, T0)
        started = time.monotonic()
        report = db.call(run_notifications, clock.now(), notifier_from_env(env, clock=clock), CONFIG)
        assert time.monotonic() - started < 2  # the SMTP timeout is 10 s
        assert report.notified == [alert_id] and report.failed == []
        [queued] = emails(db)
        assert queued.status == "queued" and queued.recipient == "mette@kommune.dk"
        silent.setblocking(False)
        with pytest.raises(BlockingIOError):
            silent.accept()  # no connection is waiting: the pass never dialled the server


async def test_smtp_down_the_e_mail_waits_with_a_retry_time_and_is_sent_once_when_it_is_back(db, clock, mette):
    port = free_port()  # nothing listens here yet
    dispatcher = EmailDispatcher(db, settings_for(port), clock)
    [email_id] = queue(db, clock, "mette@kommune.dk")

    assert await dispatcher.run_once() == {"sent": 0, "retry": 1, "failed": 0}
    [row] = emails(db)
    assert (row.status, row.attempts, row.next_attempt_at) == ("queued", 1, T0 + timedelta(seconds=30))
    assert "ConnectionRefused" in row.last_error
    clock.advance(timedelta(seconds=10))
    assert await dispatcher.run_once() == SENT_NOTHING  # not due yet: nothing is tried
    clock.set(T0 + timedelta(seconds=30))
    assert await dispatcher.run_once() == {"sent": 0, "retry": 1, "failed": 0}
    [row] = emails(db)
    assert (row.attempts, row.next_attempt_at) == (2, T0 + timedelta(seconds=90))  # the wait doubles

    inbox = Inbox()
    controller = start_smtp(inbox, port)  # the server is back
    try:
        clock.set(T0 + timedelta(seconds=90))
        assert await dispatcher.run_once() == {"sent": 1, "retry": 0, "failed": 0}
        clock.advance(timedelta(hours=1))
        assert await dispatcher.run_once() == SENT_NOTHING
        assert len(inbox.messages) == 1
    finally:
        controller.stop()
    [row] = emails(db)
    assert (row.id, row.status, row.attempts, row.sent_at) == (email_id, "sent", 3, T0 + timedelta(seconds=90))


async def test_the_scheduler_tick_runs_one_e_mail_round_and_survives_smtp_down(db, clock, mette):
    from bot.core.config import ProactiveSettings
    from bot.scheduler.rasa_client import RasaClient
    from bot.scheduler.runner import Scheduler

    alert_id = add_alert(db, mette, T0)
    scheduler = Scheduler(db, RasaClient("http://127.0.0.1:9", "t", "sms"), ProactiveSettings(), clock,
                          notifier=EmailNotifier(clock), notification_config=CONFIG,
                          email=EmailDispatcher(db, settings_for(free_port()), clock))
    try:
        report = await scheduler.tick(T0, citizen_ids=[])
    finally:
        await scheduler.rasa.close()
    assert report["notifications"]["notified"] == [alert_id]
    assert report["email"] == {"sent": 0, "retry": 1, "failed": 0}
    [row] = emails(db)
    assert row.status == "queued" and row.next_attempt_at == T0 + timedelta(seconds=30)


@pytest.mark.parametrize("reply, status, outcome", [
    ("550 5.1.1 No such user", "failed", {"sent": 2, "retry": 0, "failed": 1}),  # for good: not retried
    ("450 4.2.1 Mailbox busy", "queued", {"sent": 2, "retry": 1, "failed": 0}),  # for now: retried
])
async def test_a_refused_recipient_does_not_hold_back_the_others(db, smtp, clock, reply, status, outcome):
    inbox, settings = smtp
    inbox.refuse["nobody@kommune.dk"] = reply
    queue(db, clock, "mette@kommune.dk", "nobody@kommune.dk", "ole@kommune.dk")
    assert await EmailDispatcher(db, settings, clock).run_once() == outcome
    assert [to for to, _ in inbox.messages] == [["mette@kommune.dk"], ["ole@kommune.dk"]]
    [refused] = [e for e in emails(db) if e.recipient == "nobody@kommune.dk"]
    assert refused.status == status and reply.split()[0] in refused.last_error


async def test_gives_up_after_max_attempts_and_keeps_the_error(db, clock):
    dispatcher = EmailDispatcher(db, settings_for(free_port()), clock, max_attempts=2)
    queue(db, clock, "mette@kommune.dk")
    assert (await dispatcher.run_once())["retry"] == 1
    clock.advance(timedelta(minutes=1))
    assert await dispatcher.run_once() == {"sent": 0, "retry": 0, "failed": 1}
    [row] = emails(db)
    assert row.status == "failed" and row.attempts == 2 and "ConnectionRefused" in row.last_error
    clock.advance(timedelta(days=1))
    assert await dispatcher.run_once() == SENT_NOTHING


async def test_two_dispatchers_at_once_send_each_e_mail_once(db, smtp, clock):
    inbox, settings = smtp
    recipients = [f"k{i}@kommune.dk" for i in range(15)]  # more than one batch
    queue(db, clock, *recipients)
    first, second = await asyncio.gather(EmailDispatcher(db, settings, clock).run_once(),
                                         EmailDispatcher(db, settings, clock).run_once())
    assert first["sent"] + second["sent"] == 15
    assert sorted(to for [to], _ in inbox.messages) == sorted(recipients)
    assert {e.status for e in emails(db)} == {"sent"}


async def test_a_claim_left_by_a_dead_dispatcher_is_sent_once_it_goes_stale(db, smtp, clock):
    inbox, settings = smtp
    queue(db, clock, "mette@kommune.dk")
    assert len(db.call(email_db.claim_due, clock.now(), clock.now())) == 1  # claimed, then the claimer died
    dispatcher = EmailDispatcher(db, settings, clock)
    clock.advance(timedelta(minutes=1))
    assert await dispatcher.run_once() == SENT_NOTHING  # may still be sending: left alone
    clock.advance(timedelta(minutes=15))
    assert await dispatcher.run_once() == {"sent": 1, "retry": 0, "failed": 0}
    assert len(inbox.messages) == 1


async def test_the_service_sends_e_mail_on_its_tick_only_when_smtp_is_configured(aiohttp_client, db, smtp, clock,
                                                                                   mette, monkeypatch):
    from tests.service import ADMIN_TOKEN, service_app

    inbox, settings = smtp
    quiet = {"SMS_DISPATCH_INTERVAL": "0", "SCHEDULER_INTERVAL_SECONDS": "0", "RASA_URL": "http://127.0.0.1:9"}
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_FROM"):
        monkeypatch.delenv(name, raising=False)
    assert service_app(db, clock, **quiet)["email_dispatcher"] is None  # SMTP off: no e-mail at all
    monkeypatch.setenv("SMTP_HOST", settings.host)
    monkeypatch.setenv("SMTP_PORT", str(settings.port))
    monkeypatch.setenv("SMTP_SECURITY", "none")
    client = await aiohttp_client(service_app(db, clock, **quiet))
    add_alert(db, mette, T0)
    resp = await client.post("/api/scheduler/tick", json={"now": T0.isoformat(), "citizen_ids": []},
                             headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert resp.status == 200
    assert (await resp.json())["email"] == {"sent": 1, "retry": 0, "failed": 0}
    [(to, _)] = inbox.messages
    assert to == ["mette@kommune.dk"]

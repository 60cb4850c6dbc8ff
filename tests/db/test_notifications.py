"""Alert notifications and escalation, with a real SMTP server (aiosmtpd) and an injected clock.
The notification pass only queues; the e-mail arrives with the dispatch round that follows it (the
e-mail outbox itself: tests/db/test_email_outbox.py)."""
import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from bot.alerts import EscalationPolicy, NotificationConfig, run_notifications
from bot.alerts.mail import EmailDispatcher, EmailNotifier, SmtpSettings
from bot.core.clock import COPENHAGEN
from bot.db import alerts as alert_db
from bot.db import email_outbox as email_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator, set_backup
from bot.db.models import Alert
from bot.sms.gsm import is_gsm7
from tests.ports import free_port

URL = "https://koordinering.example.dk/alerts"
CONFIG = NotificationConfig(URL)
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # 10:00 in Copenhagen


@pytest.fixture
def notifier(clock):
    return EmailNotifier(clock)


@pytest.fixture
def dispatcher(db, smtp, clock):
    return EmailDispatcher(db, smtp[1], clock)


@pytest.fixture
def people(db):
    def make(session):
        mette, _ = create_coordinator(session, "Mette", phone="+4511111111", email="mette@kommune.dk")
        ole, _ = create_coordinator(session, "Ole", email="ole@kommune.dk")
        set_backup(session, mette, ole.id)
        bente = create_citizen(session, name="Bente Hemmelig", phone="+4520202020", coordinator_id=mette.id)
        return {"mette": mette.id, "ole": ole.id, "bente": bente.id}

    return db.call(make)


def add(db, citizen_id, severity, at, rule="overall_red", reason="Borgeren svarede rød om sin gæld."):
    return db.call(lambda s: alert_db.add_alert(s, citizen_id, rule=rule, severity=severity, reason=reason,
                                                created_at=at).id)


@pytest.fixture
def run(db, clock, dispatcher):
    """One beat at `now` (the test's clock is set to it): the notification pass, then an e-mail round."""

    def beat(db, now, notifier, config=CONFIG):
        clock.set(now)
        report = db.call(run_notifications, now, notifier, config)
        asyncio.run(dispatcher.run_once(now))
        return report

    return beat


def texts(inbox):
    return [(to, msg["Subject"], msg.get_content().strip()) for to, msg in inbox.messages]


def test_new_alert_notifies_the_coordinator_once_without_health_data(db, smtp, notifier, people, run):
    inbox, _ = smtp
    alert_id = add(db, people["bente"], "high", MONDAY)
    report = run(db, MONDAY + timedelta(minutes=1), notifier)
    assert report.notified == [alert_id]
    [(to, subject, body)] = texts(inbox)
    assert to == ["mette@kommune.dk"] and subject == "Ny alarm"
    assert body == f"Ny alarm (høj) - log ind: {URL}"
    assert "Bente" not in body and "gæld" not in body and "rød" not in body
    assert is_gsm7(body)  # the same text goes out by SMS
    run(db, MONDAY + timedelta(minutes=2), notifier)
    assert len(inbox.messages) == 1  # recorded on the alert: never sent twice
    with db.session() as s:
        assert s.get(Alert, alert_id).notified_at == MONDAY + timedelta(minutes=1)


def test_several_new_alerts_make_one_message(db, smtp, notifier, people, run):
    inbox, _ = smtp
    add(db, people["bente"], "medium", MONDAY, rule="contact_request")
    add(db, people["bente"], "urgent", MONDAY, rule="crisis_language")
    run(db, MONDAY, notifier)
    [(_, _, body)] = texts(inbox)
    assert body == f"2 nye alarmer (højeste: akut) - log ind: {URL}"


def test_acknowledged_alerts_are_not_notified(db, smtp, notifier, people, run):
    alert_id = add(db, people["bente"], "high", MONDAY)
    with db.session() as s:
        alert_db.acknowledge_alert(s, s.get(Alert, alert_id), people["mette"], MONDAY)
    assert run(db, MONDAY, notifier).notified == []
    assert smtp[0].messages == []


def test_smtp_down_does_not_fail_the_notification_the_e_mail_waits_in_the_outbox(db, smtp, notifier, people, clock):
    inbox, _ = smtp
    alert_id = add(db, people["bente"], "high", MONDAY)
    down = EmailDispatcher(db, SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=2), clock)
    clock.set(MONDAY)
    report = db.call(run_notifications, MONDAY, notifier, CONFIG)
    assert report.notified == [alert_id] and report.failed == []  # queued with the record on the alert
    assert asyncio.run(down.run_once(MONDAY)) == {"sent": 0, "retry": 1, "failed": 0}
    [email] = db.call(email_db.list_emails)
    assert email.status == "queued" and email.attempts == 1 and email.next_attempt_at > MONDAY
    # The server is back: the next round after the retry time sends it, once.
    back = EmailDispatcher(db, smtp[1], clock)
    clock.set(email.next_attempt_at)
    assert asyncio.run(back.run_once()) == {"sent": 1, "retry": 0, "failed": 0}
    assert db.call(run_notifications, clock.now(), notifier, CONFIG).notified == []
    assert asyncio.run(back.run_once()) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(inbox.messages) == 1


def test_coordinator_without_e_mail_is_marked_so_it_is_not_retried_forever(db, notifier, smtp, run):
    def make(session):
        anon, _ = create_coordinator(session, "Uden Mail")
        return create_citizen(session, name="X", phone="+4520202021", coordinator_id=anon.id).id

    alert_id = add(db, db.call(make), "high", MONDAY)
    assert run(db, MONDAY, notifier).notified == [alert_id]
    assert smtp[0].messages == []


def test_urgent_alert_escalates_to_the_backup_after_30_minutes(db, smtp, notifier, people, run):
    inbox, _ = smtp
    alert_id = add(db, people["bente"], "urgent", MONDAY, rule="crisis_language")
    run(db, MONDAY, notifier)
    assert run(db, MONDAY + timedelta(minutes=29), notifier).escalated == []
    assert run(db, MONDAY + timedelta(minutes=30), notifier).escalated == [alert_id]
    assert run(db, MONDAY + timedelta(minutes=31), notifier).escalated == []
    (_, _, first), (to, subject, body) = texts(inbox)
    assert to == ["ole@kommune.dk"] and subject == "Alarm ikke kvitteret"
    assert body == f"En alarm (akut) er ikke kvitteret af din kollega. Du er stedfortræder - log ind: {URL}"
    assert "Bente" not in body and is_gsm7(body)
    with db.session() as s:
        alert = s.get(Alert, alert_id)
        assert alert.escalated_to == people["ole"] and alert.escalated_at == MONDAY + timedelta(minutes=30)
        # The backup may now see (and act on) this alert; nobody else gains access.
        assert alert_db.get_alert(s, alert_id, people["ole"]) is not None


def test_acknowledged_in_time_is_not_escalated(db, smtp, notifier, people, run):
    alert_id = add(db, people["bente"], "urgent", MONDAY)
    with db.session() as s:
        alert_db.acknowledge_alert(s, s.get(Alert, alert_id), people["mette"], MONDAY + timedelta(minutes=20))
    assert run(db, MONDAY + timedelta(hours=2), notifier).escalated == []


def test_high_alert_escalates_after_four_working_hours(db, smtp, notifier, people, run):
    friday_15 = datetime(2026, 11, 27, 15, 0, tzinfo=COPENHAGEN)
    alert_id = add(db, people["bente"], "high", friday_15)
    monday = datetime(2026, 11, 30, tzinfo=COPENHAGEN)
    assert run(db, monday.replace(hour=10, minute=59), notifier).escalated == []  # 1 h Friday + 2:59 Monday
    assert run(db, monday.replace(hour=11), notifier).escalated == [alert_id]


def test_medium_and_low_alerts_never_escalate(db, smtp, notifier, people, run):
    add(db, people["bente"], "medium", MONDAY)
    add(db, people["bente"], "low", MONDAY)
    assert run(db, MONDAY + timedelta(days=10), notifier).escalated == []


def test_without_a_backup_the_coordinator_is_reminded(db, smtp, notifier, people, run):
    inbox, _ = smtp
    with db.session() as s:
        from bot.db.coordinators import get_coordinator

        set_backup(s, get_coordinator(s, people["mette"]), None)
    alert_id = add(db, people["bente"], "urgent", MONDAY)
    run(db, MONDAY + timedelta(minutes=30), notifier)
    to, _, body = texts(inbox)[-1]
    assert to == ["mette@kommune.dk"] and body == f"Påmindelse: en alarm (akut) er ikke kvitteret - log ind: {URL}"
    with db.session() as s:
        alert = s.get(Alert, alert_id)
        assert alert.escalated_at is not None and alert.escalated_to is None


@pytest.mark.parametrize("created, expected", [
    # Monday 10:00 -> 14:00 the same day
    (datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 23, 14, 0)),
    # before opening: the clock starts at 08:00
    (datetime(2026, 11, 23, 6, 30), datetime(2026, 11, 23, 12, 0)),
    # after closing and over the weekend
    (datetime(2026, 11, 27, 17, 0), datetime(2026, 11, 30, 12, 0)),
    (datetime(2026, 11, 28, 12, 0), datetime(2026, 11, 30, 12, 0)),
    # Friday 15:00 before the end of summer time (25 Oct 2026): Monday 11:00 in winter time
    (datetime(2026, 10, 23, 15, 0), datetime(2026, 10, 26, 11, 0)),
    # Friday 14:00 before summer time starts (29 Mar 2026): Monday 10:00 in summer time
    (datetime(2026, 3, 27, 14, 0), datetime(2026, 3, 30, 10, 0)),
])
def test_working_hours_are_counted_on_the_copenhagen_wall_clock(created, expected):
    policy = EscalationPolicy()
    deadline = policy.deadline("high", created.replace(tzinfo=COPENHAGEN).astimezone(timezone.utc))
    assert deadline == expected.replace(tzinfo=COPENHAGEN)


def test_policy_is_configurable_from_the_environment():
    policy = EscalationPolicy.from_env({"ESCALATION_URGENT_MINUTES": "15", "ESCALATION_HIGH_WORKING_HOURS": "2",
                                        "ESCALATION_WORKING_HOURS": "09:00-15:00", "ESCALATION_WORKING_DAYS": "1-4"})
    assert policy.urgent_after == timedelta(minutes=15)
    thursday_14 = datetime(2026, 11, 26, 14, 0, tzinfo=COPENHAGEN)
    assert policy.deadline("high", thursday_14) == datetime(2026, 11, 30, 10, 0, tzinfo=COPENHAGEN)
    assert EscalationPolicy.from_env({}) == EscalationPolicy()


def test_smtp_settings_from_the_environment():
    assert SmtpSettings.from_env({}) is None  # e-mail off
    settings = SmtpSettings.from_env({"SMTP_HOST": "smtp.kommune.dk", "SMTP_USER": "u", "SMTP_PASSWORD": "p",
                                      "SMTP_FROM": "alarm@kommune.dk"})
    assert (settings.port, settings.security, settings.user, settings.sender) == (587, "starttls", "u",
                                                                                   "alarm@kommune.dk")
    assert SmtpSettings.from_env({"SMTP_HOST": "h", "SMTP_SECURITY": "ssl"}).port == 465
    with pytest.raises(ValueError):
        SmtpSettings.from_env({"SMTP_HOST": "h", "SMTP_SECURITY": "maybe"})


def test_notifier_from_env_sends_by_every_configured_channel(db, smtp, people, clock):
    inbox, settings = smtp
    from bot.alerts import notifier_from_env

    assert notifier_from_env({}, clock=clock).notifiers == ()  # no SMTP: nothing queued that nobody sends
    assert EmailDispatcher.from_env(db, clock, {}) is None
    env = {"SMTP_HOST": settings.host, "SMTP_PORT": str(settings.port), "SMTP_SECURITY": "none",
           "SMTP_FROM": "alarm@kommune.dk"}
    add(db, people["bente"], "high", MONDAY)
    clock.set(MONDAY)
    db.call(run_notifications, MONDAY, notifier_from_env(env, clock=clock), CONFIG)
    assert inbox.messages == []  # only queued
    asyncio.run(EmailDispatcher.from_env(db, clock, env).run_once())
    [(to, message)] = inbox.messages
    assert to == ["mette@kommune.dk"] and message["From"] == "alarm@kommune.dk"


async def test_the_scheduler_tick_notifies_by_sms_through_the_outbox(db, people, smtp, clock):
    """The wiring used in production: e-mail and SMS notifier on the scheduler's beat, and the
    tick's e-mail round after the notifications."""
    from bot.alerts.notifier import MultiNotifier
    from bot.alerts.sms import SmsNotifier
    from bot.core.config import ProactiveSettings
    from bot.db import outbox as outbox_db
    from bot.scheduler.rasa_client import RasaClient
    from bot.scheduler.runner import Scheduler

    clock.set(MONDAY)
    alert_id = add(db, people["bente"], "urgent", MONDAY)
    notifier = MultiNotifier(EmailNotifier(clock), SmsNotifier(clock))
    email = EmailDispatcher(db, smtp[1], clock)
    scheduler = Scheduler(db, RasaClient("http://127.0.0.1:9", "t", "sms"), ProactiveSettings(), clock,
                          notifier=notifier, notification_config=CONFIG, email=email)
    report = await scheduler.tick(MONDAY)
    await scheduler.rasa.close()
    assert report["notifications"]["notified"] == [alert_id]
    assert report["email"] == {"sent": 1, "retry": 0, "failed": 0}
    [sms] = db.call(outbox_db.list_for_msisdn, "+4511111111")
    assert sms.purpose == "notification" and sms.status == "queued" and sms.citizen_id is None
    assert sms.text.startswith("Ny alarm (akut)") and URL in sms.text
    assert "Bente" not in sms.text and "gæld" not in sms.text and "rød" not in sms.text
    assert len(smtp[0].messages) == 1
    # The next beat does not notify the same alert again.
    again = await Scheduler(db, RasaClient("http://127.0.0.1:9", "t", "sms"), ProactiveSettings(), clock,
                            notifier=notifier, notification_config=CONFIG, email=email).tick(MONDAY + timedelta(minutes=1))
    assert again["notifications"]["notified"] == [] and again["email"]["sent"] == 0
    assert len(smtp[0].messages) == 1

"""The second escalation step (issue 11, item 6): an urgent alert that neither the coordinator nor the
backup acknowledges goes to the duty contact (DUTY_PHONE / DUTY_EMAIL), once, at the right time, with
no health content. Driven like tests/db/test_notifications.py: the notification pass on an injected
clock, the SMS outbox and a real SMTP server (aiosmtpd) behind the e-mail outbox."""
import asyncio
import dataclasses
import logging
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from bot.alerts import EscalationPolicy, NotificationConfig, run_notifications
from bot.alerts.mail import EmailDispatcher, EmailNotifier
from bot.alerts.notifier import MultiNotifier
from bot.alerts.run import DUTY_SUBJECT, DutyContact
from bot.alerts.sms import SmsNotifier
from bot.core.clock import COPENHAGEN
from bot.core.config import ConfigError, Settings
from bot.db import alerts as alert_db
from bot.db import email_outbox as email_db
from bot.db import outbox as outbox_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator, get_coordinator, set_backup
from bot.db.database import Database
from bot.db.migrate import alembic_config
from bot.db.models import Alert
from bot.sms.gsm import is_gsm7, segments

URL = "https://koordinering.example.dk/alerts"
DUTY_PHONE = "+4570101010"
DUTY_EMAIL = "vagt@kommune.dk"
CONFIG = NotificationConfig(URL, EscalationPolicy(), DutyContact(DUTY_PHONE, DUTY_EMAIL))
# A Saturday night: the duty contact is on call around the clock, not in working hours.
NIGHT = datetime(2026, 11, 28, 2, 10, tzinfo=COPENHAGEN)
CRISIS_REASON = "Borgeren skrev om selvmord."


@pytest.fixture
def notifier(clock):
    """The production wiring: e-mail (the e-mail outbox) and SMS (the SMS outbox)."""
    return MultiNotifier(EmailNotifier(clock), SmsNotifier(clock))


@pytest.fixture
def people(db):
    def make(session):
        mette, _ = create_coordinator(session, "Mette", phone="+4511111111", email="mette@kommune.dk")
        ole, _ = create_coordinator(session, "Ole", phone="+4522222222", email="ole@kommune.dk")
        set_backup(session, mette, ole.id)
        bente = create_citizen(session, name="Bente Hemmelig", phone="+4520202020", coordinator_id=mette.id)
        return {"mette": mette.id, "ole": ole.id, "bente": bente.id}

    return db.call(make)


def add(db, citizen_id, at, severity="urgent", rule="crisis_language"):
    return db.call(lambda s: alert_db.add_alert(s, citizen_id, rule=rule, severity=severity, reason=CRISIS_REASON,
                                                created_at=at).id)


@pytest.fixture
def run(db, clock, notifier, smtp):
    """One scheduler beat at `now`: the notification pass, then an e-mail outbox round."""
    dispatcher = EmailDispatcher(db, smtp[1], clock)

    def beat(now, config=CONFIG):
        clock.set(now)
        report = db.call(run_notifications, now, notifier, config)
        asyncio.run(dispatcher.run_once(now))
        return report

    return beat


def duty_sms(db):
    return db.call(outbox_db.list_for_msisdn, DUTY_PHONE)


def duty_emails(inbox):
    return [(msg["Subject"], msg.get_content().strip()) for to, msg in inbox.messages if to == [DUTY_EMAIL]]


def stored(db, alert_id) -> Alert:
    with db.session() as s:
        return s.get(Alert, alert_id)


def test_nobody_acknowledges_the_duty_contact_gets_one_sms_and_one_e_mail_an_hour_later(db, people, run, smtp):
    alert_id = add(db, people["bente"], NIGHT)
    assert run(NIGHT).notified == [alert_id]  # Mette is told at once
    assert run(NIGHT + timedelta(minutes=30)).escalated == [alert_id]  # Ole, her backup, after 30 minutes
    assert run(NIGHT + timedelta(minutes=59)).duty == []  # the backup's 30 minutes are not over
    assert duty_sms(db) == [] and duty_emails(smtp[0]) == []
    assert run(NIGHT + timedelta(minutes=60)).duty == [alert_id]
    for minutes in (61, 90, 24 * 60):  # later beats never send it again
        assert run(NIGHT + timedelta(minutes=minutes)).duty == []

    [sms] = duty_sms(db)
    text = f"Akut alarm ikke kvitteret af koordinator eller stedfortræder - log ind: {URL}"
    assert sms.text == text and sms.purpose == "notification" and sms.citizen_id is None
    assert duty_emails(smtp[0]) == [(DUTY_SUBJECT, text)]
    # No health content and nothing that points at the person: no name, reason, rule or owner.
    for secret in ("Bente", "selvmord", "Krisesprog", "crisis", "Mette", "+4520202020"):
        assert secret not in text
    assert is_gsm7(text) and segments(text) <= 2
    assert stored(db, alert_id).duty_notified_at == NIGHT + timedelta(minutes=60)
    # The owner and the backup got their messages as before; the duty step adds exactly one more.
    assert len(db.call(outbox_db.list_for_msisdn, "+4511111111")) == 1
    assert len(db.call(outbox_db.list_for_msisdn, "+4522222222")) == 1


@pytest.mark.parametrize("minutes, act", [(20, "acknowledge"), (45, "acknowledge"), (59, "resolve")])
def test_acknowledged_before_the_window_ends_nothing_goes_to_the_duty_contact(db, people, run, smtp, minutes, act):
    alert_id = add(db, people["bente"], NIGHT)
    run(NIGHT)
    run(NIGHT + timedelta(minutes=30))
    with db.session() as s:
        alert = s.get(Alert, alert_id)
        at = NIGHT + timedelta(minutes=minutes)
        if act == "acknowledge":
            alert_db.acknowledge_alert(s, alert, people["ole"], at)
        else:
            alert_db.resolve_alert(s, alert, people["ole"], "Ringet til borgeren", at)
    for later in (60, 61, 180):
        assert run(NIGHT + timedelta(minutes=later)).duty == []
    assert duty_sms(db) == [] and duty_emails(smtp[0]) == []
    assert stored(db, alert_id).duty_notified_at is None


def test_without_a_backup_the_window_starts_at_the_owners_reminder(db, people, run, smtp):
    with db.session() as s:
        set_backup(s, get_coordinator(s, people["mette"]), None)
    alert_id = add(db, people["bente"], NIGHT)
    run(NIGHT)
    assert run(NIGHT + timedelta(minutes=30)).escalated == [alert_id]  # the reminder to Mette herself
    assert run(NIGHT + timedelta(minutes=59)).duty == []
    assert run(NIGHT + timedelta(minutes=60)).duty == [alert_id]
    assert len(duty_sms(db)) == 1 and len(duty_emails(smtp[0])) == 1


def test_the_window_counts_from_when_the_backup_was_told_not_from_the_alert(db, people, run):
    """A scheduler that was down: the backup still gets the full 30 minutes before the duty contact."""
    alert_id = add(db, people["bente"], NIGHT)
    report = run(NIGHT + timedelta(minutes=50))  # the first beat in 50 minutes
    assert report.notified == [alert_id] and report.escalated == [alert_id] and report.duty == []
    assert run(NIGHT + timedelta(minutes=79)).duty == []
    assert run(NIGHT + timedelta(minutes=80)).duty == [alert_id]


def test_only_urgent_alerts_go_to_the_duty_contact(db, people, run):
    add(db, people["bente"], NIGHT, severity="high", rule="overall_red")
    add(db, people["bente"], NIGHT, severity="medium", rule="contact_request")
    for hours in (0, 8, 24 * 7):
        assert run(NIGHT + timedelta(hours=hours)).duty == []
    assert duty_sms(db) == []


def test_several_overdue_alerts_make_one_message(db, people, run, smtp):
    with db.session() as s:
        other = create_citizen(s, name="Anden", phone="+4520202021", coordinator_id=people["mette"]).id
    first, second = add(db, people["bente"], NIGHT), add(db, other, NIGHT + timedelta(minutes=1))
    run(NIGHT + timedelta(minutes=31))
    assert sorted(run(NIGHT + timedelta(minutes=61)).duty) == sorted([first, second])
    [sms] = duty_sms(db)
    assert sms.text == f"2 akutte alarmer ikke kvitteret af koordinator eller stedfortræder - log ind: {URL}"
    assert len(duty_emails(smtp[0])) == 1


@pytest.mark.parametrize("created_local, fold", [
    # The end of summer time (25 Oct 2026): 02:00-03:00 comes twice. 02:20 summer time; the backup at
    # 02:50 summer time; the duty contact at 02:20 winter time, an hour of real time later.
    (datetime(2026, 10, 25, 2, 20), 0),
    # The start of summer time (29 Mar 2026): 02:00-03:00 does not exist. 01:40 winter time; the duty
    # contact at 03:40 summer time, an hour of real time later.
    (datetime(2026, 3, 29, 1, 40), 0),
])
def test_the_duty_window_is_real_time_across_dst_changes(db, people, run, created_local, fold):
    created = created_local.replace(tzinfo=COPENHAGEN, fold=fold)
    alert_id = add(db, people["bente"], created)
    utc = created.astimezone(timezone.utc)
    run((utc + timedelta(minutes=30)).astimezone(COPENHAGEN))  # the clock may speak local time
    assert stored(db, alert_id).escalated_at == utc + timedelta(minutes=30)
    assert run((utc + timedelta(minutes=59, seconds=59)).astimezone(COPENHAGEN)).duty == []
    assert run((utc + timedelta(minutes=60)).astimezone(COPENHAGEN)).duty == [alert_id]
    assert stored(db, alert_id).duty_notified_at == utc + timedelta(minutes=60)
    assert len(duty_sms(db)) == 1


def test_the_duty_window_is_configurable(db, people, run):
    config = dataclasses.replace(CONFIG, policy=EscalationPolicy.from_env({"ESCALATION_DUTY_MINUTES": "10"}))
    alert_id = add(db, people["bente"], NIGHT)
    run(NIGHT + timedelta(minutes=30), config)
    assert run(NIGHT + timedelta(minutes=39), config).duty == []
    assert run(NIGHT + timedelta(minutes=40), config).duty == [alert_id]


def test_without_a_duty_contact_the_step_is_off_and_nothing_is_marked(db, people, run):
    config = dataclasses.replace(CONFIG, duty=None)
    alert_id = add(db, people["bente"], NIGHT)
    run(NIGHT + timedelta(minutes=30), config)
    assert run(NIGHT + timedelta(hours=5), config).duty == []
    assert stored(db, alert_id).duty_notified_at is None


def test_a_duty_contact_no_channel_reaches_is_not_marked_as_told(db, people, clock, caplog):
    """E-mail only, and e-mail is off (no SMTP): nobody was told, so the alert must not say so; the
    next beat that can reach the duty contact sends it (production refuses this set-up anyway)."""
    email_only = dataclasses.replace(CONFIG, duty=DutyContact(email=DUTY_EMAIL))
    sms_only = MultiNotifier(SmsNotifier(clock))
    alert_id = add(db, people["bente"], NIGHT)
    db.call(run_notifications, NIGHT + timedelta(minutes=30), sms_only, email_only)
    with caplog.at_level(logging.ERROR, logger="bot.alerts.run"):
        report = db.call(run_notifications, NIGHT + timedelta(minutes=60), sms_only, email_only)
    assert report.duty == [] and report.failed == [alert_id]
    assert "told to nobody" in caplog.text
    assert stored(db, alert_id).duty_notified_at is None
    clock.set(NIGHT + timedelta(minutes=61))
    report = db.call(run_notifications, clock.now(), MultiNotifier(EmailNotifier(clock)), email_only)
    assert report.duty == [alert_id]
    assert [e.recipient for e in db.call(email_db.list_emails)] == [DUTY_EMAIL]


def test_two_schedulers_at_once_send_it_exactly_once(db, people, clock):
    """PostgreSQL: the second pass runs while the first holds the alert, before it commits. It must
    neither wait for the first (SKIP LOCKED) nor queue a second message."""
    if not db.url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    alert_id = add(db, people["bente"], NIGHT)
    db.call(run_notifications, NIGHT + timedelta(minutes=30), SmsNotifier(clock), CONFIG)
    first_holds, second_done = threading.Event(), threading.Event()
    reports = {}

    class HoldingNotifier(SmsNotifier):
        def send(self, session, notification):
            queued = super().send(session, notification)
            if notification.coordinator_id is None:  # the duty message: queued, not yet committed
                first_holds.set()
                reports["second_finished_meanwhile"] = second_done.wait(20)
            return queued

    def first():
        reports["first"] = db.call(run_notifications, NIGHT + timedelta(minutes=60), HoldingNotifier(clock), CONFIG)

    def second():
        assert first_holds.wait(20)
        reports["second"] = db.call(run_notifications, NIGHT + timedelta(minutes=60), SmsNotifier(clock), CONFIG)
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert reports["second_finished_meanwhile"] is True  # it skipped the locked alert, did not wait
    assert reports["first"].duty == [alert_id] and reports["second"].duty == []
    assert len(duty_sms(db)) == 1
    # And after the commit, a third pass finds it marked.
    assert db.call(run_notifications, NIGHT + timedelta(minutes=61), SmsNotifier(clock), CONFIG).duty == []
    assert len(duty_sms(db)) == 1


# --- settings ---

def test_duty_settings_are_read_and_the_phone_normalised():
    settings = Settings.from_env({"DUTY_PHONE": "70 10 10 10", "DUTY_EMAIL": " vagt@kommune.dk "})
    assert (settings.duty_phone, settings.duty_email) == (DUTY_PHONE, DUTY_EMAIL)
    config = NotificationConfig.from_settings(settings, {"ESCALATION_DUTY_MINUTES": "45"})
    assert config.duty == DutyContact(DUTY_PHONE, DUTY_EMAIL)
    assert config.policy.duty_after == timedelta(minutes=45)
    assert EscalationPolicy.from_env({}).duty_after == timedelta(minutes=30)
    assert NotificationConfig.from_settings(Settings.from_env({}), {}).duty is None
    for bad in ({"DUTY_PHONE": "vagten"}, {"DUTY_PHONE": "123"}, {"DUTY_EMAIL": "vagten"}):
        with pytest.raises(ConfigError):
            Settings.from_env(bad)


def test_production_needs_a_duty_contact_that_can_be_reached():
    def problems(env):
        settings = dataclasses.replace(Settings.from_env(env), app_env="production")
        return [p for p in settings.problems() if "DUTY" in p]

    assert problems({}) != []  # none at all
    assert problems({"DUTY_EMAIL": DUTY_EMAIL}) != []  # e-mail only, and e-mail is off
    assert problems({"DUTY_EMAIL": DUTY_EMAIL, "SMTP_HOST": "smtp.kommune.dk"}) == []
    assert problems({"DUTY_PHONE": DUTY_PHONE}) == []


# --- migration 0010 ---

def test_migration_0010_adds_duty_notified_at_and_takes_it_away(db_url):
    config = alembic_config(db_url)
    database = Database(db_url)
    try:
        command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0010").down_revision)
        assert "duty_notified_at" not in {c["name"] for c in sa.inspect(database.engine).get_columns("alerts")}
        command.upgrade(config, "head")
        database.engine.dispose()  # the inspector caches; a fresh connection sees the new column
        assert "duty_notified_at" in {c["name"] for c in sa.inspect(database.engine).get_columns("alerts")}
    finally:
        database.dispose()

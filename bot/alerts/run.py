"""One notification pass: tell coordinators about new alerts, escalate overdue ones to the backup,
and send urgent ones that the backup did not acknowledge either to the duty contact (the
municipality's on-call staff, DUTY_PHONE / DUTY_EMAIL). Called by the scheduler tick with its
(injected) clock. Nothing is sent from here: every channel only
queues its message in this transaction (e-mail in `email_outbox`, SMS in `outbox`), together with the
record on the alert, so a repeated or concurrent run queues nothing twice once committed, and no
network I/O happens while the transaction is open. The dispatchers send the queues afterwards, with
retries (bot/alerts/mail.py, bot/sms/dispatcher.py). A notifier that raises leaves that coordinator's
alerts unmarked, and the next run tries them again (never silently dropped)."""
from __future__ import annotations

import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.alerts.escalation import EscalationPolicy
from bot.alerts.mail import EmailNotifier, SmtpSettings
from bot.alerts.notifier import MultiNotifier, Notification, Notifier
from bot.core.alert_catalogue import SEVERITY_LABELS as SEVERITIES
from bot.core.alert_catalogue import SEVERITY_RANK
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.db import alerts as alert_db
from bot.db.coordinators import get_coordinator
from bot.db.models import Alert, Coordinator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DutyContact:
    """The municipality's on-call staff (Settings.duty_phone / duty_email): the last step for an
    urgent alert nobody acknowledged. Not a coordinator: no citizens, no backup."""

    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class NotificationConfig:
    alerts_url: str  # where a coordinator logs in to see alerts
    policy: EscalationPolicy = field(default_factory=EscalationPolicy)
    duty: DutyContact | None = None  # None: the step after the backup is off (development)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> NotificationConfig:
        env = dict(os.environ if env is None else env)
        return cls.from_settings(Settings.from_env(env), env)

    @classmethod
    def from_settings(cls, settings: Settings, env: dict[str, str]) -> NotificationConfig:
        duty = DutyContact(settings.duty_phone, settings.duty_email) if settings.duty_phone or settings.duty_email else None
        if duty is None:
            log.warning("no DUTY_PHONE or DUTY_EMAIL: urgent alerts nobody acknowledges stop at the backup")
        return cls(f"{settings.public_url}/alerts", EscalationPolicy.from_env(env), duty)


def notifier_from_env(env: dict[str, str] | None = None, sms: Notifier | None = None,
                      clock: Clock | None = None) -> MultiNotifier:
    """E-mail (queued in the e-mail outbox) when SMTP_HOST is set, so nothing is queued that no
    dispatcher would send; plus the SMS notifier (the SMS outbox) when given."""
    smtp = SmtpSettings.from_env(dict(os.environ if env is None else env))
    return MultiNotifier(*[n for n in (EmailNotifier(clock) if smtp else None, sms) if n is not None])


@dataclass
class NotificationReport:
    notified: list[int] = field(default_factory=list)  # alert ids
    escalated: list[int] = field(default_factory=list)
    duty: list[int] = field(default_factory=list)  # sent to the duty contact
    failed: list[int] = field(default_factory=list)


def _top(alerts: list[Alert]) -> str:
    return SEVERITIES[max((a.severity for a in alerts), key=SEVERITY_RANK.__getitem__)]


def new_alert_text(alerts: list[Alert], url: str) -> str:
    if len(alerts) == 1:
        return f"Ny alarm ({_top(alerts)}) - log ind: {url}"
    return f"{len(alerts)} nye alarmer (højeste: {_top(alerts)}) - log ind: {url}"


def escalation_text(alerts: list[Alert], url: str, to_backup: bool) -> str:
    count = "En alarm" if len(alerts) == 1 else f"{len(alerts)} alarmer"
    if to_backup:
        return f"{count} ({_top(alerts)}) er ikke kvitteret af din kollega. Du er stedfortræder - log ind: {url}"
    return f"Påmindelse: {count.lower()} ({_top(alerts)}) er ikke kvitteret - log ind: {url}"


DUTY_SUBJECT = "Akut alarm ikke kvitteret"


def duty_text(alerts: list[Alert], url: str) -> str:
    """No name, no rule, no owner: the on-call person logs in to see them (docs/privacy.md)."""
    if len(alerts) == 1:
        return f"Akut alarm ikke kvitteret af koordinator eller stedfortræder - log ind: {url}"
    return f"{len(alerts)} akutte alarmer ikke kvitteret af koordinator eller stedfortræder - log ind: {url}"


def _send(session: Session, notifier: Notifier, to: Coordinator, subject: str, text: str) -> None:
    if not notifier.send(session, Notification(to.id, to.email, to.phone, subject, text)):
        # Nothing to retry: the alert still shows in the dashboard and escalates on time.
        log.warning("coordinator %s has no address for alert notifications", to.id)


def _notify_new(session: Session, now: datetime, notifier: Notifier, config: NotificationConfig,
                report: NotificationReport) -> None:
    by_coordinator: dict[int, list[Alert]] = defaultdict(list)
    for alert, citizen in alert_db.alerts_not_notified(session):
        by_coordinator[citizen.coordinator_id].append(alert)
    for coordinator_id, alerts in by_coordinator.items():
        ids = [a.id for a in alerts]
        try:
            _send(session, notifier, get_coordinator(session, coordinator_id), "Ny alarm",
                  new_alert_text(alerts, config.alerts_url))
        except Exception:
            log.exception("notifying coordinator %s about alerts %s failed; retried next run", coordinator_id, ids)
            report.failed += ids
            continue
        for alert in alerts:
            alert_db.mark_notified(session, alert, now)
        report.notified += ids


def _escalate(session: Session, now: datetime, notifier: Notifier, config: NotificationConfig,
              report: NotificationReport) -> None:
    by_owner: dict[int, list[Alert]] = defaultdict(list)
    for alert, citizen in alert_db.escalation_candidates(session, config.policy.severities):
        deadline = config.policy.deadline(alert.severity, alert.created_at)
        if deadline is not None and deadline <= now:
            by_owner[citizen.coordinator_id].append(alert)
    for owner_id, alerts in by_owner.items():
        owner = get_coordinator(session, owner_id)
        backup = get_coordinator(session, owner.backup_coordinator_id) if owner.backup_coordinator_id else None
        backup = backup if backup is not None and backup.id != owner.id else None
        ids = [a.id for a in alerts]
        try:
            _send(session, notifier, backup or owner, "Alarm ikke kvitteret",
                  escalation_text(alerts, config.alerts_url, to_backup=backup is not None))
        except Exception:
            log.exception("escalating alerts %s failed; retried next run", ids)
            report.failed += ids
            continue
        for alert in alerts:
            alert_db.mark_escalated(session, alert, backup.id if backup else None, now)
        report.escalated += ids


def _notify_duty(session: Session, now: datetime, notifier: Notifier, config: NotificationConfig,
                 report: NotificationReport) -> None:
    """Urgent alerts still open `policy.duty_after` after the first step: one message to the duty
    contact for all of them, queued with the record on each alert in this transaction."""
    if config.duty is None:
        return
    due = [alert for alert, _citizen in alert_db.duty_candidates(session)
           if (deadline := config.policy.duty_deadline(alert.severity, alert.escalated_at)) is not None
           and deadline <= now]
    if not due:
        return
    ids = [a.id for a in due]
    notification = Notification(None, config.duty.email, config.duty.phone, DUTY_SUBJECT,
                                duty_text(due, config.alerts_url))
    try:
        reached = notifier.send(session, notification)
    except Exception:
        log.exception("telling the duty contact about alerts %s failed; retried next run", ids)
        report.failed += ids
        return
    if not reached:
        # Not marked: the alert must not look as if someone was told. Settings refuse a production
        # set-up where this can happen (DUTY_EMAIL without SMTP); it is retried every run.
        log.error("no channel reaches the duty contact; urgent alerts %s were told to nobody", ids)
        report.failed += ids
        return
    for alert in due:
        alert_db.mark_duty_notified(session, alert, now)
    report.duty += ids


def run_notifications(
    session: Session, now: datetime, notifier: Notifier, config: NotificationConfig | None = None
) -> NotificationReport:
    config = config or NotificationConfig.from_env()
    report = NotificationReport()
    _notify_new(session, now, notifier, config, report)
    _escalate(session, now, notifier, config, report)
    _notify_duty(session, now, notifier, config, report)
    session.flush()
    return report

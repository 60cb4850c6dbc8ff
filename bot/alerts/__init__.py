"""Telling coordinators about alerts without health data: a new alert notifies the responsible
coordinator; an urgent or high alert not acknowledged in time goes to their backup, and an urgent one
the backup does not acknowledge either goes to the duty contact (on-call staff). `oversight` lists
urgent alerts nobody acknowledged for every coordinator and lets one take it over (break-glass).
`run_notifications` is called by the scheduler tick and only queues (e-mail outbox, SMS outbox);
`EmailDispatcher` sends the e-mail outbox afterwards, outside any transaction."""
from bot.alerts.escalation import EscalationPolicy
from bot.alerts.mail import EmailDispatcher, EmailNotifier, SmtpSettings
from bot.alerts.notifier import MultiNotifier, Notification, Notifier
from bot.alerts.run import NotificationConfig, notifier_from_env, run_notifications

__all__ = [
    "EmailDispatcher", "EmailNotifier", "EscalationPolicy", "MultiNotifier", "Notification", "NotificationConfig",
    "Notifier", "SmtpSettings", "notifier_from_env", "run_notifications",
]

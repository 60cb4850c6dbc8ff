"""Urgent alerts nobody has acknowledged, shown to every coordinator, and break-glass: a colleague
may take one over. The list carries the least data that lets a colleague act (whose citizen, which
rule, how long ago, how far it has escalated), never the citizen's name or the alert's reason; taking
it over shows the name and phone, and that access is written to access_log (docs/privacy.md,
"Urgent alerts nobody acknowledged")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.alert_catalogue import RULE_LABELS, Severity
from bot.core.errors import Invalid, NotFound
from bot.db import alerts as alert_db
from bot.db.access_log import log_access
from bot.db.coordinators import coordinator_names
from bot.db.models import Alert

BREAK_GLASS_ACTION = "break_glass_alert"  # access_log.action


@dataclass(frozen=True)
class UnacknowledgedUrgent:
    alert_id: int
    rule: str
    label: str  # the catalogue's Danish label
    created_at: datetime
    owner_id: int  # the coordinator whose citizen it is
    owner_name: str
    escalated_at: datetime | None
    escalated_to: int | None
    backup_name: str | None  # who it was escalated to, if anyone
    duty_notified_at: datetime | None
    yours: bool  # already on this coordinator's own alert list (their citizen, or escalated to them)


class AlreadyAcknowledged(Invalid):
    """Someone acknowledged it first (two people taking the same alert)."""


def unacknowledged_urgent(session: Session, coordinator_id: int | None) -> list[UnacknowledgedUrgent]:
    """Every open urgent alert, oldest first; `coordinator_id` None (admin) makes none `yours`."""
    rows = alert_db.open_urgent_alerts(session)
    names = coordinator_names(session, {i for alert, owner in rows for i in (owner, alert.escalated_to) if i})
    return [
        UnacknowledgedUrgent(
            alert_id=alert.id, rule=alert.rule, label=RULE_LABELS.get(alert.rule, alert.rule),
            created_at=alert.created_at, owner_id=owner, owner_name=names.get(owner, ""),
            escalated_at=alert.escalated_at, escalated_to=alert.escalated_to,
            backup_name=names.get(alert.escalated_to) if alert.escalated_to else None,
            duty_notified_at=alert.duty_notified_at,
            yours=coordinator_id is not None and coordinator_id in (owner, alert.escalated_to),
        )
        for alert, owner in rows
    ]


def take_over(session: Session, alert_id: int, coordinator_id: int, now: datetime, *, confirmed: bool) -> Alert:
    """Break-glass: acknowledge a colleague's urgent alert that nobody has acknowledged, so it stops
    escalating and this coordinator sees the citizen's name and phone to act on it. Only urgent, only
    open, only when confirmed; the access is logged with the acknowledgement, in one transaction.
    On an alert the coordinator may already see it is a plain acknowledgement (nothing to log)."""
    own = alert_db.get_alert(session, alert_id, coordinator_id)
    if own is not None:
        return alert_db.acknowledge_alert(session, own, coordinator_id, now)
    alert = alert_db.open_urgent_alert(session, alert_id)
    if alert is None:
        existing = alert_db.get_alert(session, alert_id)
        if existing is not None and existing.severity == Severity.URGENT:
            # It was on everyone's list; who took it is not told (they see it on their own list).
            raise AlreadyAcknowledged("En anden har allerede kvitteret alarmen.")
        raise NotFound("alert not found")  # not urgent, or not there: nothing about it is told
    if not confirmed:
        raise Invalid("Sæt kryds for at bekræfte, at du tager alarmen. Det bliver logget.", "confirm")
    alert_db.acknowledge_alert(session, alert, coordinator_id, now)
    alert.taken_over_by = coordinator_id  # what keeps it visible to them (bot/db/alerts.py _visible_to)
    log_access(session, coordinator_id, alert.citizen_id, BREAK_GLASS_ACTION, now)
    return alert

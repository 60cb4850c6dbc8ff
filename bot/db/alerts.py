"""Alerts for coordinators: created by rules, acknowledged and resolved by people."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.alert_catalogue import Rule, Severity
from bot.core.vocabulary import AlertStatus
from bot.db.models import Alert, Citizen


def add_alert(
    session: Session,
    citizen_id: int,
    *,
    rule: Rule | str,
    severity: Severity | str,
    reason: str,
    created_at: datetime,
    checkin_id: int | None = None,
    questionnaire_id: int | None = None,
    threshold: int | None = None,
) -> Alert:
    """Raises ValueError for a rule or severity the catalogue (bot.core.alert_catalogue) lacks."""
    alert = Alert(
        citizen_id=citizen_id,
        rule=Rule(rule).value,
        severity=Severity(severity).value,
        reason=reason,
        created_at=created_at,
        checkin_id=checkin_id,
        questionnaire_id=questionnaire_id,
        threshold=threshold,
        status=AlertStatus.OPEN,
    )
    session.add(alert)
    session.flush()
    return alert


def _visible_to(coordinator_id: int):
    """A coordinator sees alerts on their own citizens, alerts escalated to them as backup, and an
    urgent alert they took over by break-glass (acknowledged it for a colleague: docs/privacy.md).
    Only one taken over (`taken_over_by`): a coordinator who handed a citizen over
    (bot/citizens/reassign.py) does not keep seeing the alerts they acknowledged while the citizen
    was theirs, urgent ones included."""
    return sa.or_(Citizen.coordinator_id == coordinator_id, Alert.escalated_to == coordinator_id,
                  Alert.taken_over_by == coordinator_id)


def list_alerts(
    session: Session,
    *,
    coordinator_id: int | None = None,
    status: str | None = None,
    citizen_id: int | None = None,
) -> list[Alert]:
    query = sa.select(Alert).join(Citizen, Citizen.id == Alert.citizen_id)
    if coordinator_id is not None:
        query = query.where(_visible_to(coordinator_id))
    if status:
        query = query.where(Alert.status == status)
    if citizen_id is not None:
        query = query.where(Alert.citizen_id == citizen_id)
    return list(session.execute(query.order_by(Alert.created_at.desc(), Alert.id.desc())).scalars())


def get_alert(session: Session, alert_id: int, coordinator_id: int | None = None) -> Alert | None:
    query = sa.select(Alert).join(Citizen, Citizen.id == Alert.citizen_id).where(Alert.id == alert_id)
    if coordinator_id is not None:
        query = query.where(_visible_to(coordinator_id))
    return session.execute(query).scalar_one_or_none()


def alerts_with_citizens(
    session: Session, coordinator_id: int, *, statuses: tuple[str, ...], limit: int = 200
) -> list[tuple[Alert, Citizen]]:
    """For the alerts page: newest first, with the citizen each alert is about."""
    query = (
        sa.select(Alert, Citizen)
        .join(Citizen, Citizen.id == Alert.citizen_id)
        .where(_visible_to(coordinator_id), Alert.status.in_(statuses))
        .order_by(Alert.created_at.desc(), Alert.id.desc())
        .limit(limit)
    )
    return [(a, c) for a, c in session.execute(query)]


def acknowledge_alert(session: Session, alert: Alert, coordinator_id: int | None, now: datetime) -> Alert:
    if alert.status == AlertStatus.OPEN:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = now
        alert.acknowledged_by = coordinator_id
    return alert


def resolve_alert(session: Session, alert: Alert, coordinator_id: int | None, note: str, now: datetime) -> Alert:
    """Resolving an open alert acknowledges it too; resolving twice keeps the first resolution."""
    if alert.status == AlertStatus.RESOLVED:
        return alert
    acknowledge_alert(session, alert, coordinator_id, now)
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = now
    alert.resolved_by = coordinator_id
    alert.resolution_note = note
    return alert


# --- notification and escalation bookkeeping (bot/notifications) ---

def alerts_not_notified(session: Session) -> list[tuple[Alert, Citizen]]:
    """Open alerts whose coordinator has not been told yet, oldest first."""
    query = (
        sa.select(Alert, Citizen)
        .join(Citizen, Citizen.id == Alert.citizen_id)
        .where(Alert.status == AlertStatus.OPEN, Alert.notified_at.is_(None))
        .order_by(Alert.created_at, Alert.id)
        .with_for_update(of=Alert, skip_locked=True)  # two schedulers never both send (PostgreSQL)
    )
    return [(a, c) for a, c in session.execute(query)]


def escalation_candidates(session: Session, severities: tuple[str, ...]) -> list[tuple[Alert, Citizen]]:
    """Unacknowledged alerts of these severities that were never escalated; the caller checks deadlines."""
    query = (
        sa.select(Alert, Citizen)
        .join(Citizen, Citizen.id == Alert.citizen_id)
        .where(Alert.status == AlertStatus.OPEN, Alert.escalated_at.is_(None), Alert.severity.in_(severities))
        .order_by(Alert.created_at, Alert.id)
        .with_for_update(of=Alert, skip_locked=True)
    )
    return [(a, c) for a, c in session.execute(query)]


def duty_candidates(session: Session) -> list[tuple[Alert, Citizen]]:
    """Open urgent alerts that went through the first escalation step and not yet to the duty
    contact; the caller checks deadlines. Locked like the other steps: two schedulers at once never
    both queue the duty message (the second skips the rows the first holds, or finds them marked)."""
    query = (
        sa.select(Alert, Citizen)
        .join(Citizen, Citizen.id == Alert.citizen_id)
        .where(Alert.status == AlertStatus.OPEN, Alert.severity == Severity.URGENT.value,
               Alert.escalated_at.is_not(None), Alert.duty_notified_at.is_(None))
        .order_by(Alert.created_at, Alert.id)
        .with_for_update(of=Alert, skip_locked=True)
    )
    return [(a, c) for a, c in session.execute(query)]


def mark_duty_notified(session: Session, alert: Alert, now: datetime) -> None:
    alert.duty_notified_at = now


def open_urgent_alerts(session: Session, limit: int = 100) -> list[tuple[Alert, int]]:
    """Every urgent alert nobody has acknowledged, oldest first, with the id of the coordinator whose
    citizen it is: the list every coordinator's dashboard shows (bot/alerts/oversight.py). No
    citizen row is returned, so the caller cannot show more than the least data by mistake."""
    query = (
        sa.select(Alert, Citizen.coordinator_id)
        .join(Citizen, Citizen.id == Alert.citizen_id)
        .where(Alert.status == AlertStatus.OPEN, Alert.severity == Severity.URGENT.value)
        .order_by(Alert.created_at, Alert.id)
        .limit(limit)
    )
    return [(a, owner) for a, owner in session.execute(query)]


def open_urgent_alert(session: Session, alert_id: int) -> Alert | None:
    """The alert if it is urgent and nobody has acknowledged it yet (break-glass may take only these)."""
    return session.execute(
        sa.select(Alert).where(Alert.id == alert_id, Alert.status == AlertStatus.OPEN,
                               Alert.severity == Severity.URGENT.value)
        .with_for_update()  # two people taking it at once: the second finds it acknowledged (PostgreSQL)
    ).scalar_one_or_none()


def mark_notified(session: Session, alert: Alert, now: datetime) -> None:
    alert.notified_at = now


def mark_escalated(session: Session, alert: Alert, to_coordinator_id: int | None, now: datetime) -> None:
    alert.escalated_at = now
    alert.escalated_to = to_coordinator_id


def unresolved_alerts(session: Session, citizen_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(severity, status) of the not-yet-resolved alerts per citizen (open or acknowledged)."""
    if not citizen_ids:
        return {}
    rows = session.execute(
        sa.select(Alert.citizen_id, Alert.severity, Alert.status).where(
            Alert.citizen_id.in_(citizen_ids), Alert.status.in_((AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED))
        )
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for citizen_id, severity, status in rows:
        found.setdefault(citizen_id, []).append((severity, status))
    return found


def open_alert(session: Session, citizen_id: int, rule: Rule) -> Alert | None:
    """The citizen's open alert of this rule, if any (the catalogue's Dedupe.ONE_OPEN)."""
    return session.execute(
        sa.select(Alert).where(Alert.citizen_id == citizen_id, Alert.rule == Rule(rule).value, Alert.status == AlertStatus.OPEN)
        .order_by(Alert.created_at.desc()).limit(1)
    ).scalar_one_or_none()


def raised_since(session: Session, citizen_id: int, rules: tuple[Rule, ...], since: datetime) -> bool:
    """Whether any of `rules` was raised for the citizen at or after `since`."""
    return session.execute(sa.select(Alert.id).where(
        Alert.citizen_id == citizen_id, Alert.rule.in_([Rule(rule).value for rule in rules]),
        Alert.created_at >= since).limit(1)).first() is not None


def has_alert(session: Session, citizen_id: int, rule: Rule, *, statuses: tuple[str, ...] = (),
              after: datetime | None = None) -> bool:
    """Whether the citizen has an alert of this rule, in one of `statuses` (any, if none are given),
    raised after `after` (strictly; any time, if None). Reads one row at most."""
    query = sa.select(Alert.id).where(Alert.citizen_id == citizen_id, Alert.rule == Rule(rule).value)
    if statuses:
        query = query.where(Alert.status.in_(statuses))
    if after is not None:
        query = query.where(Alert.created_at > after)
    return session.execute(query.limit(1)).first() is not None

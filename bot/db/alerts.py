"""Alerts for coordinators: created by rules, acknowledged and resolved by people."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import Alert, Citizen


def add_alert(
    session: Session,
    citizen_id: int,
    *,
    rule: str,
    severity: str,
    reason: str,
    created_at: datetime,
    checkin_id: int | None = None,
) -> Alert:
    alert = Alert(
        citizen_id=citizen_id,
        rule=rule,
        severity=severity,
        reason=reason,
        created_at=created_at,
        checkin_id=checkin_id,
        status="open",
    )
    session.add(alert)
    session.flush()
    return alert


def list_alerts(
    session: Session,
    *,
    coordinator_id: int | None = None,
    status: str | None = None,
    citizen_id: int | None = None,
) -> list[Alert]:
    query = sa.select(Alert).join(Citizen, Citizen.id == Alert.citizen_id)
    if coordinator_id is not None:
        query = query.where(Citizen.coordinator_id == coordinator_id)
    if status:
        query = query.where(Alert.status == status)
    if citizen_id is not None:
        query = query.where(Alert.citizen_id == citizen_id)
    return list(session.execute(query.order_by(Alert.created_at.desc(), Alert.id.desc())).scalars())


def get_alert(session: Session, alert_id: int, coordinator_id: int | None = None) -> Alert | None:
    query = sa.select(Alert).join(Citizen, Citizen.id == Alert.citizen_id).where(Alert.id == alert_id)
    if coordinator_id is not None:
        query = query.where(Citizen.coordinator_id == coordinator_id)
    return session.execute(query).scalar_one_or_none()


def acknowledge_alert(session: Session, alert: Alert, coordinator_id: int | None, now: datetime) -> Alert:
    if alert.status == "open":
        alert.status = "acknowledged"
        alert.acknowledged_at = now
        alert.acknowledged_by = coordinator_id
    return alert

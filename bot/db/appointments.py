"""Appointments as the dashboard needs them: create, list, record attendance.

Minimal on purpose: the scheduler (issue 4) owns appointments (reminders, moves, cancellations,
missed-appointment follow-up). At merge, `record_attendance` should become the scheduler's function so
that the dashboard's attendance buttons trigger the same follow-up as the JSON API."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import Appointment, Citizen


def create_appointment(
    session: Session,
    citizen_id: int,
    *,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    location: str | None = None,
    title: str | None = None,
    created_at: datetime,
) -> Appointment:
    appointment = Appointment(
        citizen_id=citizen_id, kind=kind, starts_at=starts_at, ends_at=ends_at, location=location, title=title,
        status="planned", created_at=created_at,
    )
    session.add(appointment)
    session.flush()
    return appointment


def get_appointment(
    session: Session, appointment_id: int, coordinator_id: int | None = None
) -> tuple[Appointment, Citizen] | None:
    """With its citizen; scoped like get_citizen (another coordinator's appointment is not found)."""
    query = (
        sa.select(Appointment, Citizen)
        .join(Citizen, Citizen.id == Appointment.citizen_id)
        .where(Appointment.id == appointment_id)
    )
    if coordinator_id is not None:
        query = query.where(Citizen.coordinator_id == coordinator_id)
    row = session.execute(query).first()
    return (row[0], row[1]) if row else None


def list_appointments(session: Session, citizen_id: int) -> list[Appointment]:
    return list(
        session.execute(
            sa.select(Appointment).where(Appointment.citizen_id == citizen_id).order_by(Appointment.starts_at)
        ).scalars()
    )


def next_appointments(session: Session, citizen_ids: list[int], now: datetime) -> dict[int, Appointment]:
    """The next planned appointment per citizen (None when there is none)."""
    if not citizen_ids:
        return {}
    rows = session.execute(
        sa.select(Appointment)
        .where(
            Appointment.citizen_id.in_(citizen_ids),
            Appointment.status == "planned",
            Appointment.starts_at >= now,
        )
        .order_by(Appointment.starts_at)
    ).scalars()
    found: dict[int, Appointment] = {}
    for appointment in rows:
        found.setdefault(appointment.citizen_id, appointment)
    return found


def record_attendance(session: Session, appointment: Appointment, status: str, now: datetime) -> Appointment:
    """Seam for issue 4: the scheduler's version also raises missed_appointment alerts and jobs."""
    appointment.status = status
    return appointment

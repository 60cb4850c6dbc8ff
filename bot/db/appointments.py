"""Appointments: the coordinator's calendar for a citizen, attendance and the citizen's answer."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.vocabulary import AppointmentKind, AppointmentStatus
from bot.db.models import Appointment, Citizen

PREPARABLE_KINDS = (AppointmentKind.NETVAERKSMOEDE, AppointmentKind.OPFOELGNING, AppointmentKind.OPSTARTSSAMTALE,
                    AppointmentKind.AFSLUTNINGSSAMTALE)


def create_appointment(session: Session, citizen_id: int, **fields) -> Appointment:
    appointment = Appointment(citizen_id=citizen_id, status=AppointmentStatus.PLANNED, **fields)
    session.add(appointment)
    session.flush()
    return appointment


def get_appointment(
    session: Session, appointment_id: int, coordinator_id: int | None = None, *, citizen_id: int | None = None
) -> Appointment | None:
    """coordinator_id / citizen_id scope the lookup: someone else's appointment is simply not found."""
    query = sa.select(Appointment).where(Appointment.id == appointment_id)
    if citizen_id is not None:
        query = query.where(Appointment.citizen_id == citizen_id)
    if coordinator_id is not None:
        query = query.join(Citizen, Citizen.id == Appointment.citizen_id).where(
            Citizen.coordinator_id == coordinator_id
        )
    return session.execute(query).scalar_one_or_none()


def list_appointments(session: Session, citizen_id: int) -> list[Appointment]:
    return list(
        session.execute(
            sa.select(Appointment)
            .where(Appointment.citizen_id == citizen_id)
            .order_by(Appointment.starts_at, Appointment.id)
        ).scalars()
    )


def upcoming_appointments(session: Session, citizen_id: int, now: datetime, limit: int = 3) -> list[Appointment]:
    return list(
        session.execute(
            sa.select(Appointment)
            .where(
                Appointment.citizen_id == citizen_id,
                Appointment.status == AppointmentStatus.PLANNED,
                Appointment.starts_at > now,
            )
            .order_by(Appointment.starts_at, Appointment.id)
            .limit(limit)
        ).scalars()
    )


def previous_appointment(session: Session, appointment: Appointment) -> Appointment | None:
    """The citizen's appointment just before this one that has an attendance (for "in a row")."""
    return session.execute(
        sa.select(Appointment)
        .where(
            Appointment.citizen_id == appointment.citizen_id,
            Appointment.id != appointment.id,
            Appointment.starts_at < appointment.starts_at,
            Appointment.status.in_((AppointmentStatus.ATTENDED, AppointmentStatus.MISSED)),
        )
        .order_by(Appointment.starts_at.desc(), Appointment.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def record_reply(session: Session, appointment: Appointment, reply: str, now: datetime) -> Appointment:
    appointment.citizen_reply = reply
    appointment.citizen_replied_at = now
    return appointment


def next_preparable_appointment(session: Session, citizen_id: int, now: datetime) -> Appointment | None:
    return session.execute(
        sa.select(Appointment)
        .where(Appointment.citizen_id == citizen_id, Appointment.starts_at > now,
               Appointment.status == AppointmentStatus.PLANNED, Appointment.kind.in_(PREPARABLE_KINDS))
        .order_by(Appointment.starts_at)
        .limit(1)
    ).scalar_one_or_none()


def get_appointment_with_citizen(
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


def next_appointments(session: Session, citizen_ids: list[int], now: datetime) -> dict[int, Appointment]:
    """The next planned appointment per citizen (for the dashboard's list)."""
    if not citizen_ids:
        return {}
    rows = session.execute(
        sa.select(Appointment)
        .where(Appointment.citizen_id.in_(citizen_ids), Appointment.status == AppointmentStatus.PLANNED, Appointment.starts_at >= now)
        .order_by(Appointment.starts_at)
    ).scalars()
    found: dict[int, Appointment] = {}
    for appointment in rows:
        found.setdefault(appointment.citizen_id, appointment)
    return found

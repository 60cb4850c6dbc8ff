"""Appointment lookups, scoped by citizen or coordinator."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import Appointment, Citizen

PREPARABLE_KINDS = ("netvaerksmoede", "opfoelgning", "opstartssamtale", "afslutningssamtale")


def get_appointment(
    session: Session, appointment_id: int, *, citizen_id: int | None = None, coordinator_id: int | None = None
) -> Appointment | None:
    query = sa.select(Appointment).where(Appointment.id == appointment_id)
    if citizen_id is not None:
        query = query.where(Appointment.citizen_id == citizen_id)
    if coordinator_id is not None:
        query = query.join(Citizen, Citizen.id == Appointment.citizen_id).where(Citizen.coordinator_id == coordinator_id)
    return session.execute(query).scalar_one_or_none()


def next_preparable_appointment(session: Session, citizen_id: int, now: datetime) -> Appointment | None:
    return session.execute(
        sa.select(Appointment)
        .where(Appointment.citizen_id == citizen_id, Appointment.starts_at > now,
               Appointment.status == "planned", Appointment.kind.in_(PREPARABLE_KINDS))
        .order_by(Appointment.starts_at)
        .limit(1)
    ).scalar_one_or_none()

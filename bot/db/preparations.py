"""Meeting preparations: the citizen's answers, saved one at a time."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.vocabulary import PreparationStatus
from bot.db.models import Preparation


def get_preparation(session: Session, appointment_id: int) -> Preparation | None:
    return session.execute(
        sa.select(Preparation).where(Preparation.appointment_id == appointment_id)
    ).scalar_one_or_none()


def get_or_start(session: Session, appointment_id: int, citizen_id: int, now: datetime) -> Preparation:
    preparation = get_preparation(session, appointment_id)
    if preparation is None:
        preparation = Preparation(appointment_id=appointment_id, citizen_id=citizen_id, status=PreparationStatus.IN_PROGRESS,
                                  answers={}, updated_at=now)
        session.add(preparation)
        session.flush()
    return preparation


def save_answer(session: Session, appointment_id: int, citizen_id: int, key: str, value, now: datetime) -> None:
    preparation = get_or_start(session, appointment_id, citizen_id, now)
    # Reassign (not mutate) so SQLAlchemy sees the JSON change.
    preparation.answers = {**(preparation.answers or {}), key: value}
    preparation.updated_at = now


def restart(session: Session, preparation: Preparation, now: datetime) -> None:
    preparation.answers = {}
    preparation.status = PreparationStatus.IN_PROGRESS
    preparation.correction = None
    preparation.completed_at = None
    preparation.updated_at = now


def complete(session: Session, appointment_id: int, correction: str | None, now: datetime) -> None:
    preparation = get_preparation(session, appointment_id)
    preparation.status = PreparationStatus.COMPLETED
    preparation.correction = correction
    preparation.completed_at = now
    preparation.updated_at = now



def for_citizen(session: Session, citizen_id: int) -> list[Preparation]:
    return list(session.execute(
        sa.select(Preparation).where(Preparation.citizen_id == citizen_id)
        .order_by(Preparation.updated_at.desc())).scalars())

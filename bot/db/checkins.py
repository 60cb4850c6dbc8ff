"""Stored lyskurve check-ins."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import CheckIn


def add_checkin(session: Session, citizen_id: int, *, created_at: datetime, **fields) -> CheckIn:
    checkin = CheckIn(citizen_id=citizen_id, created_at=created_at, **fields)
    session.add(checkin)
    session.flush()
    return checkin


def latest_checkin_with_colour(session: Session, citizen_id: int) -> CheckIn | None:
    return session.execute(
        sa.select(CheckIn)
        .where(CheckIn.citizen_id == citizen_id, CheckIn.overall.is_not(None))
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def list_checkins(session: Session, citizen_id: int, limit: int = 200) -> list[CheckIn]:
    return list(
        session.execute(
            sa.select(CheckIn)
            .where(CheckIn.citizen_id == citizen_id)
            .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
            .limit(limit)
        ).scalars()
    )


def latest_checkin(session: Session, citizen_id: int) -> CheckIn | None:
    return session.execute(
        sa.select(CheckIn)
        .where(CheckIn.citizen_id == citizen_id)
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def checked_in_since(session: Session, citizen_id: int, since: datetime) -> bool:
    return session.execute(
        sa.select(CheckIn.id).where(CheckIn.citizen_id == citizen_id, CheckIn.created_at >= since).limit(1)
    ).first() is not None

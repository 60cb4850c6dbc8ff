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
def recent_colours(session: Session, citizen_ids: list[int], per_citizen: int = 2) -> dict[int, list[CheckIn]]:
    """The newest check-ins with an overall colour per citizen, newest first (for colour and trend)."""
    if not citizen_ids:
        return {}
    rank = (
        sa.func.row_number()
        .over(partition_by=CheckIn.citizen_id, order_by=(CheckIn.created_at.desc(), CheckIn.id.desc()))
        .label("rank")
    )
    ranked = (
        sa.select(CheckIn.id, rank)
        .where(CheckIn.citizen_id.in_(citizen_ids), CheckIn.overall.is_not(None))
        .subquery()
    )
    rows = session.execute(
        sa.select(CheckIn)
        .join(ranked, ranked.c.id == CheckIn.id)
        .where(ranked.c.rank <= per_citizen)
        .order_by(CheckIn.citizen_id, ranked.c.rank)
    ).scalars()
    found: dict[int, list[CheckIn]] = {}
    for checkin in rows:
        found.setdefault(checkin.citizen_id, []).append(checkin)
    return found

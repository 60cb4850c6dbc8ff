"""Stored lyskurve check-ins."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.vocabulary import CheckinStatus
from bot.db.models import Alert, CheckIn, Citizen


def add_checkin(session: Session, citizen_id: int, *, created_at: datetime, **fields) -> CheckIn:
    checkin = CheckIn(citizen_id=citizen_id, created_at=created_at, **fields)
    session.add(checkin)
    session.flush()
    return checkin


# Built once: every stored answer after the first reads its check-in (bot.db.citizens says why).
_OWN_CHECKIN = sa.select(CheckIn).where(CheckIn.id == sa.bindparam("checkin_id"),
                                        CheckIn.citizen_id == sa.bindparam("citizen_id"))


def get_checkin(session: Session, checkin_id: int, citizen_id: int) -> CheckIn | None:
    """Only the citizen's own: an id from a conversation never reaches another citizen's check-in."""
    return session.execute(_OWN_CHECKIN, {"checkin_id": checkin_id, "citizen_id": citizen_id}).scalar_one_or_none()


def latest_checkin_with_colour(session: Session, citizen_id: int, before: CheckIn | None = None) -> CheckIn | None:
    """The newest check-in with a colour; with `before`, the newest one started before that one."""
    query = sa.select(CheckIn).where(CheckIn.citizen_id == citizen_id, CheckIn.overall.is_not(None))
    if before is not None:
        query = query.where(sa.or_(CheckIn.created_at < before.created_at,
                                   sa.and_(CheckIn.created_at == before.created_at, CheckIn.id < before.id)))
    return session.execute(query.order_by(CheckIn.created_at.desc(), CheckIn.id.desc()).limit(1)).scalar_one_or_none()


def open_checkins(session: Session, citizen_ids: list[int] | None = None) -> list[CheckIn]:
    """Check-ins still being answered, oldest answer first."""
    query = sa.select(CheckIn).where(CheckIn.status == CheckinStatus.OPEN)
    if citizen_ids is not None:
        query = query.where(CheckIn.citizen_id.in_(citizen_ids))
    return list(session.execute(query.order_by(CheckIn.last_answer_at, CheckIn.id)).scalars())


def rules_raised(session: Session, checkin_id: int) -> set[str]:
    """The alert rules a check-in has raised so far (each at most once per check-in)."""
    return set(session.execute(sa.select(Alert.rule).where(Alert.checkin_id == checkin_id)).scalars())


def list_checkins(session: Session, citizen_id: int, limit: int = 200) -> list[CheckIn]:
    return list(
        session.execute(
            sa.select(CheckIn)
            .where(CheckIn.citizen_id == citizen_id)
            .order_by(CheckIn.created_at.desc(), CheckIn.id.desc())
            .limit(limit)
        ).scalars()
    )


def clarification_counts(session: Session, since: datetime, until: datetime,
                         coordinator_id: int | None = None) -> tuple[int, int]:
    """(complete check-ins begun in [since, until) whose clarifications were counted, how many of
    them had none); with `coordinator_id`, only that coordinator's citizens."""
    query = (sa.select(sa.func.count(CheckIn.id), sa.func.sum(sa.case((CheckIn.clarifications == 0, 1), else_=0)))
             .where(CheckIn.status == CheckinStatus.COMPLETE, CheckIn.clarifications.is_not(None),
                    CheckIn.created_at >= since, CheckIn.created_at < until))
    if coordinator_id is not None:
        query = query.join(Citizen, Citizen.id == CheckIn.citizen_id).where(Citizen.coordinator_id == coordinator_id)
    completed, without = session.execute(query).one()
    return int(completed or 0), int(without or 0)


def latest_checkin_times(session: Session, citizen_ids: list[int]) -> dict[int, datetime]:
    """`latest_checkin(...).created_at` for many citizens at once (one query per 500 citizens)."""
    found: dict[int, datetime] = {}
    for start in range(0, len(citizen_ids), 500):
        chunk = citizen_ids[start:start + 500]
        found.update(session.execute(
            sa.select(CheckIn.citizen_id, sa.func.max(CheckIn.created_at))
            .where(CheckIn.citizen_id.in_(chunk)).group_by(CheckIn.citizen_id)
        ).all())
    return found


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

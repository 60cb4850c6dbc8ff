"""The access log: who read or changed which citizen's data, and when (docs/privacy.md, "The access
log"). Rows are written for every request that touches a citizen (bot/service/access_log.py) and by
a few use cases; an erasure keeps them, pseudonymised, and the retention pass deletes them when
they are old enough (bot/citizens/retention.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.vocabulary import ActorKind
from bot.db.alerts import get_alert
from bot.db.appointments import get_appointment
from bot.db.citizens import get_citizen
from bot.db.models import AccessLog


@dataclass(frozen=True)
class Actor:
    """A coordinator (with their id) or the admin token (no person's id to record)."""

    kind: ActorKind
    coordinator_id: int | None = None

    @classmethod
    def of(cls, coordinator_id: int | None) -> Actor:
        """The convention of the request principals and use cases: None is the admin token."""
        return ADMIN if coordinator_id is None else cls(ActorKind.COORDINATOR, coordinator_id)


ADMIN = Actor(ActorKind.ADMIN)


def log_access(session: Session, actor: Actor | int, citizen_id: int | None, action: str, at: datetime,
               status: int | None = None) -> None:
    """`actor` may be a coordinator's id (the use cases' convention) or an Actor. `citizen_id` None:
    a read of a list, about no one citizen."""
    actor = actor if isinstance(actor, Actor) else Actor.of(actor)
    session.add(AccessLog(coordinator_id=actor.coordinator_id, actor=actor.kind.value, citizen_id=citizen_id,
                          action=action[:40], status=status, at=at))
    session.flush()


def subject_citizen(session: Session, kind: str, record_id: int, scope: int | None) -> int | None:
    """The citizen whose data a route's id reaches ("citizen", "appointment" or "alert"), if the
    actor (`scope`: a coordinator's id, None for the admin) may see it; None otherwise."""
    if kind == "citizen":
        found = get_citizen(session, record_id, scope)
        return found.id if found is not None else None
    if kind == "appointment":
        found = get_appointment(session, record_id, scope)
    elif kind == "alert":
        found = get_alert(session, record_id, scope)
    else:
        raise ValueError(f"unknown audit subject {kind!r}")
    return found.citizen_id if found is not None else None


def access_entries(session: Session, citizen_id: int, limit: int = 100) -> list[AccessLog]:
    return list(
        session.execute(
            sa.select(AccessLog)
            .where(AccessLog.citizen_id == citizen_id)
            .order_by(AccessLog.at.desc(), AccessLog.id.desc())
            .limit(limit)
        ).scalars()
    )


def pseudonymise(session: Session, citizen_id: int, erasure_id: int) -> int:
    """The erasure keeps who read or changed the citizen: the rows lose the citizen's id and name
    the erasure instead, whose row holds no name or phone (docs/privacy.md)."""
    return session.execute(
        sa.update(AccessLog).where(AccessLog.citizen_id == citizen_id).values(citizen_id=None, erasure_id=erasure_id),
        execution_options={"synchronize_session": False},
    ).rowcount


def erased_trail(session: Session, erasure_id: int) -> list[AccessLog]:
    """What an erased citizen's access log became, oldest first."""
    return list(session.execute(
        sa.select(AccessLog).where(AccessLog.erasure_id == erasure_id).order_by(AccessLog.at, AccessLog.id)).scalars())


def delete_older_than(session: Session, cutoff: datetime, citizen_ids: list[int] | None = None) -> int:
    """Retention: rows written before `cutoff`; with `citizen_ids` only theirs (a scoped tick)."""
    query = sa.delete(AccessLog).where(AccessLog.at < cutoff)
    if citizen_ids is not None:
        query = query.where(AccessLog.citizen_id.in_(citizen_ids))
    return session.execute(query, execution_options={"synchronize_session": False}).rowcount

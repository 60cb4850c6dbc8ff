"""The coordinator's stratification of a citizen. Only ever added by a coordinator's explicit action;
never read by anything that talks to the citizen."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import Coordinator, Stratification


def add_stratification(
    session: Session,
    citizen_id: int,
    *,
    coordinator_id: int,
    complexity: str,
    coping: str,
    level: int,
    rationale: str,
    created_at: datetime,
) -> Stratification:
    row = Stratification(
        citizen_id=citizen_id, coordinator_id=coordinator_id, complexity=complexity, coping=coping, level=level,
        rationale=rationale, created_at=created_at,
    )
    session.add(row)
    session.flush()
    return row


def stratification_history(session: Session, citizen_id: int) -> list[tuple[Stratification, str]]:
    """Newest first, with the name of the coordinator who made each judgement."""
    rows = session.execute(
        sa.select(Stratification, Coordinator.name)
        .join(Coordinator, Coordinator.id == Stratification.coordinator_id)
        .where(Stratification.citizen_id == citizen_id)
        .order_by(Stratification.created_at.desc(), Stratification.id.desc())
    )
    return [(s, name) for s, name in rows]


def current_levels(session: Session, citizen_ids: list[int]) -> dict[int, int]:
    """The latest level per citizen, for the overview."""
    if not citizen_ids:
        return {}
    levels: dict[int, int] = {}
    rows = session.execute(
        sa.select(Stratification.citizen_id, Stratification.level)
        .where(Stratification.citizen_id.in_(citizen_ids))
        .order_by(Stratification.created_at.desc(), Stratification.id.desc())
    )
    for citizen_id, level in rows:
        levels.setdefault(citizen_id, level)
    return levels

"""The access log: which coordinator saw or changed which citizen's data, and when (docs/privacy.md)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import AccessLog


def log_access(session: Session, coordinator_id: int, citizen_id: int, action: str, at: datetime) -> None:
    session.add(AccessLog(coordinator_id=coordinator_id, citizen_id=citizen_id, action=action, at=at))
    session.flush()


def access_entries(session: Session, citizen_id: int, limit: int = 100) -> list[AccessLog]:
    return list(
        session.execute(
            sa.select(AccessLog)
            .where(AccessLog.citizen_id == citizen_id)
            .order_by(AccessLog.at.desc(), AccessLog.id.desc())
            .limit(limit)
        ).scalars()
    )

"""The history of a citizen's coordinators (`coordinator_changes`, written by bot/citizens/reassign.py)."""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.coordinators import coordinator_names
from bot.db.models import CoordinatorChange


class NamedChange(NamedTuple):
    """A change with the names of who had the citizen, who has them and who made it (None: the admin)."""

    change: CoordinatorChange
    from_name: str
    to_name: str
    by_name: str | None


def changes_for(session: Session, citizen_id: int) -> list[NamedChange]:
    """The citizen's changes of coordinator, newest first."""
    rows = list(session.execute(
        sa.select(CoordinatorChange).where(CoordinatorChange.citizen_id == citizen_id)
        .order_by(CoordinatorChange.changed_at.desc(), CoordinatorChange.id.desc())
    ).scalars())
    ids = {c.from_coordinator_id for c in rows} | {c.to_coordinator_id for c in rows} | {
        c.changed_by for c in rows if c.changed_by is not None}
    names = coordinator_names(session, ids)
    return [NamedChange(c, names.get(c.from_coordinator_id, ""), names.get(c.to_coordinator_id, ""),
                        names.get(c.changed_by) if c.changed_by is not None else None) for c in rows]

"""Claiming queued rows for one worker, shared by the SMS and e-mail outboxes."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def claim_rows(session: Session, model: Any, query: sa.Select, *, queued: str, values: dict) -> list:
    """The rows `query` selects, each set to `values` if it is still `queued`. Safe with several
    workers: PostgreSQL skips rows another transaction holds; the conditional UPDATE refuses a row
    another worker claimed first (SQLite)."""
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=model)
    claimed = []
    for row in session.execute(query).scalars().all():
        updated = session.execute(
            sa.update(model)
            .where(model.id == row.id, model.status == queued)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if updated:
            session.refresh(row)
            claimed.append(row)
    return claimed

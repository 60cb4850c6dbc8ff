"""Claiming queued rows for one worker, shared by the SMS and e-mail outboxes."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


def claim_rows(session: Session, model: Any, query: sa.Select, *, queued: str, values: dict) -> list:
    """The rows `query` selects (in its order), each set to `values` if it is still `queued`. Safe
    with several workers: PostgreSQL skips rows another transaction holds; the conditional UPDATE
    refuses a row another worker claimed first (SQLite)."""
    if session.bind.dialect.name == "postgresql":
        return _claim_locked(session, model, query, queued=queued, values=values)
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


def _claim_locked(session: Session, model: Any, query: sa.Select, *, queued: str, values: dict) -> list:
    """PostgreSQL: the selected rows are locked by this transaction (FOR UPDATE SKIP LOCKED), so one
    UPDATE claims them all and RETURNING names the ones it changed; one SELECT reads those back as
    claimed. Three statements a claim, not two per row (docs/performance.md, issue 13)."""
    ids = session.execute(
        query.with_only_columns(model.id).with_for_update(skip_locked=True, of=model)).scalars().all()
    if not ids:
        return []
    changed = set(session.execute(
        sa.update(model)
        .where(model.id.in_(ids), model.status == queued)
        .values(**values)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    ).scalars())
    rows = session.execute(sa.select(model).where(model.id.in_(changed)).execution_options(populate_existing=True))
    by_id = {row.id: row for row in rows.scalars()}
    return [by_id[i] for i in ids if i in by_id]

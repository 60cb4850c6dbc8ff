"""Coordinators and their API tokens."""
from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import Coordinator


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_coordinator(
    session: Session, name: str, phone: str | None = None, email: str | None = None, token: str | None = None
) -> tuple[Coordinator, str]:
    """Returns the coordinator and the plain token, which is not stored and cannot be shown again."""
    token = token or secrets.token_urlsafe(32)
    coordinator = Coordinator(name=name, phone=phone, email=email, token_hash=hash_token(token))
    session.add(coordinator)
    session.flush()
    return coordinator, token


def coordinator_by_token(session: Session, token: str) -> Coordinator | None:
    return session.execute(
        sa.select(Coordinator).where(Coordinator.token_hash == hash_token(token))
    ).scalar_one_or_none()


def get_coordinator(session: Session, coordinator_id: int) -> Coordinator | None:
    return session.get(Coordinator, coordinator_id)


def coordinator_by_email(session: Session, email: str) -> Coordinator | None:
    """Case-insensitive; an address shared by two coordinators identifies nobody."""
    rows = list(
        session.execute(
            sa.select(Coordinator).where(sa.func.lower(Coordinator.email) == email.strip().lower()).limit(2)
        ).scalars()
    )
    return rows[0] if len(rows) == 1 else None


def set_password_hash(session: Session, coordinator: Coordinator, password_hash: str) -> None:
    coordinator.password_hash = password_hash


def set_backup(session: Session, coordinator: Coordinator, backup_id: int | None) -> None:
    coordinator.backup_coordinator_id = backup_id


def coordinator_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(sa.select(Coordinator.id, Coordinator.name).where(Coordinator.id.in_(ids)))
    return {coordinator_id: name for coordinator_id, name in rows}

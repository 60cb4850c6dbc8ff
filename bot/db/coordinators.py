"""Coordinators and their API tokens. A deactivated coordinator (`deactivated_at` set) is found by
id only: never by token or e-mail, so their API token and dashboard login stop working at once."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import Citizen, Coordinator


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
        sa.select(Coordinator).where(Coordinator.token_hash == hash_token(token), Coordinator.deactivated_at.is_(None))
    ).scalar_one_or_none()


def get_coordinator(session: Session, coordinator_id: int) -> Coordinator | None:
    return session.get(Coordinator, coordinator_id)


def coordinator_by_email(session: Session, email: str) -> Coordinator | None:
    """Case-insensitive; an address shared by two coordinators identifies nobody. Deactivated
    coordinators are left out: they cannot log in, and their address may be given to a new account."""
    rows = list(
        session.execute(
            sa.select(Coordinator)
            .where(sa.func.lower(Coordinator.email) == email.strip().lower(), Coordinator.deactivated_at.is_(None))
            .limit(2)
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


def replace_token(session: Session, coordinator: Coordinator, now: datetime) -> str:
    """A new API token; the old one stops working when this commits. Returns the plain token, which
    is not stored and cannot be shown again."""
    token = secrets.token_urlsafe(32)
    coordinator.token_hash = hash_token(token)
    coordinator.token_rotated_at = now
    session.flush()
    return token


def deactivate(session: Session, coordinator: Coordinator, now: datetime) -> None:
    """No more login or API access: the token is replaced by one nobody knows (belt and braces with
    the lookups above, which skip deactivated coordinators)."""
    coordinator.deactivated_at = now
    coordinator.token_hash = hash_token(secrets.token_urlsafe(32))
    session.flush()


def clear_backup_of(session: Session, coordinator_id: int) -> list[int]:
    """Coordinators who had this one as their backup no longer do; their ids."""
    ids = list(session.execute(
        sa.select(Coordinator.id).where(Coordinator.backup_coordinator_id == coordinator_id).order_by(Coordinator.id)
    ).scalars())
    if ids:
        session.execute(sa.update(Coordinator).where(Coordinator.id.in_(ids)).values(backup_coordinator_id=None))
    return ids


def citizen_ids_of(session: Session, coordinator_id: int) -> list[int]:
    return list(session.execute(
        sa.select(Citizen.id).where(Citizen.coordinator_id == coordinator_id).order_by(Citizen.id)
    ).scalars())


def move_citizens(session: Session, from_id: int, to_id: int) -> list[int]:
    """Every citizen of one coordinator becomes the other's; their ids."""
    ids = citizen_ids_of(session, from_id)
    if ids:
        session.execute(sa.update(Citizen).where(Citizen.id.in_(ids)).values(coordinator_id=to_id))
    return ids


def active_coordinators(session: Session) -> list[Coordinator]:
    """Everyone who can log in and take citizens (e.g. to choose a new coordinator), by name."""
    return list(session.execute(
        sa.select(Coordinator).where(Coordinator.deactivated_at.is_(None)).order_by(Coordinator.name, Coordinator.id)
    ).scalars())

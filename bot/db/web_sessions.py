"""Dashboard login sessions and failed-login bookkeeping."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import Coordinator, LoginFailure, WebSession


@dataclass(frozen=True)
class LoginFailures:
    """Times of recent failed logins, oldest first, counted three ways."""

    account_at_address: list[datetime]
    account: list[datetime]
    address: list[datetime]


def create_web_session(
    session: Session, *, id_hash: str, coordinator_id: int, csrf_token: str, now: datetime, expires_at: datetime
) -> WebSession:
    row = WebSession(
        id_hash=id_hash, coordinator_id=coordinator_id, csrf_token=csrf_token, created_at=now, expires_at=expires_at
    )
    session.add(row)
    session.flush()
    return row


def live_web_session(session: Session, id_hash: str, now: datetime) -> tuple[WebSession, Coordinator] | None:
    row = session.execute(
        sa.select(WebSession, Coordinator)
        .join(Coordinator, Coordinator.id == WebSession.coordinator_id)
        # A deactivated coordinator's sessions are deleted at deactivation; this makes sure.
        .where(WebSession.id_hash == id_hash, WebSession.expires_at > now, Coordinator.deactivated_at.is_(None))
    ).first()
    return (row[0], row[1]) if row else None


def end_web_session(session: Session, id_hash: str) -> None:
    session.execute(sa.delete(WebSession).where(WebSession.id_hash == id_hash))


def end_sessions_of(session: Session, coordinator_id: int) -> None:
    """A new password logs the coordinator out everywhere."""
    session.execute(sa.delete(WebSession).where(WebSession.coordinator_id == coordinator_id))


def purge_expired(session: Session, now: datetime) -> int:
    """Sessions past their expiry (also the retention pass: bot/citizens/retention.py); how many."""
    return session.execute(sa.delete(WebSession).where(WebSession.expires_at <= now)).rowcount


def record_login_failure(session: Session, email: str, ip: str, now: datetime) -> None:
    session.add(LoginFailure(email=email[:254], ip=ip[:64], failed_at=now))
    session.flush()


def _failure_times(session: Session, *conditions) -> list[datetime]:
    return list(
        session.execute(
            sa.select(LoginFailure.failed_at).where(*conditions).order_by(LoginFailure.failed_at)
        ).scalars()
    )


def login_failures_since(session: Session, email: str, ip: str, since: datetime) -> LoginFailures:
    """Times of recent failures, oldest first: for this account from this address, for this account
    from anywhere, and from this address for any account (bot/service/web/throttle.py)."""
    recent = LoginFailure.failed_at > since
    return LoginFailures(
        account_at_address=_failure_times(session, LoginFailure.email == email, LoginFailure.ip == ip, recent),
        account=_failure_times(session, LoginFailure.email == email, recent),
        address=_failure_times(session, LoginFailure.ip == ip, recent),
    )


def clear_login_failures(session: Session, email: str, ip: str) -> None:
    session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.ip == ip))

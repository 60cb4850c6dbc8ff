"""The coordination database schema. Alembic migrations in bot/db/migrations mirror this file."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

COLOURS = ("green", "yellow", "red")
APPOINTMENT_KINDS = ("opstartssamtale", "netvaerksmoede", "opfoelgning", "afslutningssamtale", "andet")
APPOINTMENT_STATUSES = ("planned", "attended", "missed", "cancelled")
CITIZEN_STATUSES = ("active", "opted_out", "inactive")
ALERT_STATUSES = ("open", "acknowledged", "resolved")
SEVERITIES = ("low", "medium", "high", "urgent")
STRATIFICATION_COMPLEXITY = ("low", "high")  # complexity of the functional impairment
STRATIFICATION_COPING = ("good", "weak")  # the citizen's coping ability (mestringsevne)


class UTCDateTime(sa.types.TypeDecorator):
    """Always timezone-aware UTC in Python; SQLite has no time zones, so it stores naive UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Coordinator(Base):
    __tablename__ = "coordinators"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    phone = sa.Column(sa.String(20))
    email = sa.Column(sa.String(254))
    # Only a SHA-256 of the API token is kept; the token itself is shown once at creation.
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    # Dashboard login (argon2); NULL = no dashboard access until a password is set.
    password_hash = sa.Column(sa.String(200))
    # Who gets an alert that this coordinator has not acknowledged in time.
    backup_coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))

    citizens = relationship("Citizen", back_populates="coordinator")


class Citizen(Base):
    __tablename__ = "citizens"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    phone = sa.Column(sa.String(20), nullable=False, unique=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False, index=True)
    checkin_interval_days = sa.Column(sa.Integer, nullable=False, default=7)
    programme = sa.Column(sa.String(50), nullable=False, default="standard")
    status = sa.Column(sa.String(20), nullable=False, default="active")
    consent_at = sa.Column(UTCDateTime)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)

    coordinator = relationship("Coordinator", back_populates="citizens")


class Appointment(Base):
    __tablename__ = "appointments"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(30), nullable=False)
    title = sa.Column(sa.String(200))
    starts_at = sa.Column(UTCDateTime, nullable=False)
    ends_at = sa.Column(UTCDateTime)
    location = sa.Column(sa.String(200))
    status = sa.Column(sa.String(20), nullable=False, default="planned")
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)


class CheckIn(Base):
    __tablename__ = "checkins"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    overall = sa.Column(sa.String(10))
    areas = sa.Column(sa.JSON, nullable=False, default=dict)
    focus_areas = sa.Column(sa.JSON, nullable=False, default=list)
    note = sa.Column(sa.Text)
    wants_contact = sa.Column(sa.Boolean)
    channel = sa.Column(sa.String(20), nullable=False, default="rest")
    complete = sa.Column(sa.Boolean, nullable=False, default=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now, index=True)


class Alert(Base):
    __tablename__ = "alerts"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    checkin_id = sa.Column(sa.Integer, sa.ForeignKey("checkins.id"))
    rule = sa.Column(sa.String(40), nullable=False)
    severity = sa.Column(sa.String(10), nullable=False)
    reason = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default="open", index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    acknowledged_at = sa.Column(UTCDateTime)
    acknowledged_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))
    resolved_at = sa.Column(UTCDateTime)
    resolved_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))
    resolution_note = sa.Column(sa.Text)
    notified_at = sa.Column(UTCDateTime)  # the responsible coordinator was told (no health content)
    escalated_at = sa.Column(UTCDateTime)
    escalated_to = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))  # NULL: no backup, owner reminded


class InboundMessage(Base):
    """What a registered citizen wrote, per channel. Unknown senders are never logged."""

    __tablename__ = "inbound_messages"
    __table_args__ = (sa.UniqueConstraint("channel", "provider_id", name="uq_inbound_provider_id"),)

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    channel = sa.Column(sa.String(20), nullable=False)
    provider_id = sa.Column(sa.String(100))
    text = sa.Column(sa.Text, nullable=False)
    received_at = sa.Column(UTCDateTime, nullable=False, default=_now)


class Stratification(Base):
    """The coordinator's judgement of how much support a citizen needs (Esbjerg's four levels).
    Rows are never updated: a new judgement is a new row, so the history stays. Never shown to the
    citizen and never set by the system."""

    __tablename__ = "stratifications"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False)
    complexity = sa.Column(sa.String(10), nullable=False)
    coping = sa.Column(sa.String(10), nullable=False)
    level = sa.Column(sa.Integer, nullable=False)
    rationale = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)


class AccessLog(Base):
    """Who looked at or acted on which citizen's data, and when (DESIGN §6)."""

    __tablename__ = "access_log"

    id = sa.Column(sa.Integer, primary_key=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    action = sa.Column(sa.String(40), nullable=False)
    at = sa.Column(UTCDateTime, nullable=False, default=_now)


class WebSession(Base):
    """A dashboard login. Server-side so that logout and expiry really end it; the cookie holds a
    signed random id whose SHA-256 is the key here."""

    __tablename__ = "web_sessions"

    id_hash = sa.Column(sa.String(64), primary_key=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False, index=True)
    csrf_token = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)
    expires_at = sa.Column(UTCDateTime, nullable=False)


class LoginFailure(Base):
    """Failed dashboard logins, per e-mail and client address, for slowing down guessing."""

    __tablename__ = "login_failures"
    __table_args__ = (sa.Index("ix_login_failures_email_ip", "email", "ip"),)

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(254), nullable=False)
    ip = sa.Column(sa.String(64), nullable=False)
    failed_at = sa.Column(UTCDateTime, nullable=False)

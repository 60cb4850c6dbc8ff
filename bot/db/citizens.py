"""Citizens: registration, lookup by phone (the Rasa sender id), opt-out status and the course."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from bot.core.vocabulary import CitizenStatus
from bot.db.models import Citizen


class DuplicatePhone(ValueError):
    pass


def create_citizen(
    session: Session,
    *,
    name: str,
    phone: str,
    coordinator_id: int,
    checkin_interval_days: int = 7,
    programme: str = "standard",
    consent_at: datetime | None = None,
    language: str = "da",
) -> Citizen:
    if citizen_by_phone(session, phone) is not None:
        raise DuplicatePhone(phone)
    citizen = Citizen(
        name=name,
        phone=phone,
        coordinator_id=coordinator_id,
        checkin_interval_days=checkin_interval_days,
        programme=programme,
        consent_at=consent_at,
        status=CitizenStatus.ACTIVE,
        language=language,
    )
    session.add(citizen)
    session.flush()
    return citizen


def get_citizen(session: Session, citizen_id: int, coordinator_id: int | None = None) -> Citizen | None:
    """coordinator_id scopes the lookup: another coordinator's citizen is simply not found."""
    query = sa.select(Citizen).where(Citizen.id == citizen_id)
    if coordinator_id is not None:
        query = query.where(Citizen.coordinator_id == coordinator_id)
    return session.execute(query).scalar_one_or_none()


# Built once, run with the phone as a parameter: every action call, every MO at the gate and every
# SMS queued reads its citizen, and Rasa's NLG reads the language for every response. A statement
# built per call costs SQLAlchemy its construction and its cache key each time (docs/performance.md,
# "Round 6"). Shared by every thread, so they are only run, never derived from at runtime
# (SQLAlchemy memoizes a statement's cache key on it without a lock).
_PHONE_IS = Citizen.phone == sa.bindparam("phone")
_BY_PHONE = sa.select(Citizen).where(_PHONE_IS)
_BY_PHONE_WITH_COORDINATOR = _BY_PHONE.options(joinedload(Citizen.coordinator))
_LANGUAGE_BY_PHONE = sa.select(Citizen.language).where(_PHONE_IS)


def citizen_by_phone(session: Session, phone: str, *, with_coordinator: bool = False) -> Citizen | None:
    """`with_coordinator`: the coordinator comes in the same query (a join), not in a second one."""
    query = _BY_PHONE_WITH_COORDINATOR if with_coordinator else _BY_PHONE
    return session.execute(query, {"phone": phone}).scalar_one_or_none()


def language_by_phone(session: Session, phone: str) -> str | None:
    """The language of the citizen with this phone (None: no such citizen). One column by the unique
    index on phone: Rasa's NLG asks it for every response (bot/channels/nlg.py)."""
    return session.execute(_LANGUAGE_BY_PHONE, {"phone": phone}).scalar_one_or_none()


def list_citizens(session: Session, coordinator_id: int | None = None) -> list[Citizen]:
    query = sa.select(Citizen).order_by(Citizen.name)
    if coordinator_id is not None:
        query = query.where(Citizen.coordinator_id == coordinator_id)
    return list(session.execute(query).scalars())


def lock_citizen(session: Session, citizen_id: int) -> Citizen | None:
    """The citizen as it is now, locked until the transaction ends (PostgreSQL; SQLite lets one
    writer at a time): a STOP and the coordinator ending the course cannot both read the old status
    and overwrite each other (bot/citizens/course.py)."""
    return session.execute(
        sa.select(Citizen).where(Citizen.id == citizen_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def set_status(session: Session, citizen_id: int, status: str) -> None:
    session.execute(sa.update(Citizen).where(Citizen.id == citizen_id).values(status=status))


def set_course_status(session: Session, citizen_id: int, status: str, ended_at: datetime | None,
                      end_reason: str | None = None) -> None:
    """The coordinator ends (ENDED, `ended_at` = when, and why) or resumes (ACTIVE, None) the course."""
    session.execute(
        sa.update(Citizen).where(Citizen.id == citizen_id).values(status=status, course_ended_at=ended_at,
                                                                 course_end_reason=end_reason)
    )


def ended_courses(session: Session, coordinator_id: int | None) -> list[Citizen]:
    """Citizens whose course the coordinator (None: anyone) ended, newest end first."""
    query = sa.select(Citizen).where(Citizen.course_ended_at.is_not(None))
    if coordinator_id is not None:
        query = query.where(Citizen.coordinator_id == coordinator_id)
    return list(session.execute(query.order_by(Citizen.course_ended_at.desc(), Citizen.id)).scalars())


def set_course_ended_at(session: Session, citizen_id: int, ended_at: datetime) -> None:
    session.execute(sa.update(Citizen).where(Citizen.id == citizen_id).values(course_ended_at=ended_at))


def update_settings(session: Session, citizen: Citizen, **fields) -> None:
    """Check-in interval, programme and language; the status has its own rules (bot/citizens/course.py)."""
    for name, value in fields.items():
        setattr(citizen, name, value)
    session.flush()


# --- web-chat links (bot/citizens/chat_links.py) ---

def citizen_by_chat_link(session: Session, link_id: str) -> Citizen | None:
    return session.execute(sa.select(Citizen).where(Citizen.chat_link_id == link_id)).scalar_one_or_none()


def set_chat_link_id(session: Session, citizen: Citizen, link_id: str) -> None:
    citizen.chat_link_id = link_id
    session.flush()


def clear_chat_link_id(session: Session, citizen_id: int, revoked_at: datetime, because: str) -> bool:
    """Every link of the citizen stops working; False when none had been given out."""
    result = session.execute(
        sa.update(Citizen)
        .where(Citizen.id == citizen_id, Citizen.chat_link_id.isnot(None))
        .values(chat_link_id=None, chat_links_revoked_at=revoked_at, chat_links_revoked_because=because)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount > 0


def set_phone(session: Session, citizen: Citizen, phone: str) -> None:
    """A new number for the citizen; raises DuplicatePhone when another citizen has it."""
    other = citizen_by_phone(session, phone)
    if other is not None and other.id != citizen.id:
        raise DuplicatePhone(phone)
    citizen.phone = phone
    session.flush()

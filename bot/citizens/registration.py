"""Registering a citizen and changing what a coordinator may change about them. The one place for
these rules; the JSON API (bot/service/views/citizens.py) and the dashboard
(bot/service/views/pages/registration.py, pages/citizen.py) only translate their input and render
the result.

The rules (one set for every caller):
- A name is required, at most 200 characters (stored without surrounding spaces).
- The phone number is a mobile number as bot/core/phone.py reads it (8 Danish digits, with or
  without +45), stored in E.164: it is the citizen's Rasa sender id. One citizen per number.
- Check-ins every 1 to 90 days (default 7); the programme is one of bot/checkins/programmes.yml.
- The language the assistant writes in is Danish ("da", the default) or a language with a catalogue
  file (bot/citizens/language.py: "en", "ar"); the citizen can change it by writing its name.
- The coordinator must exist. Registration by the municipality is where consent is recorded
  (`consent_at` = now; docs/privacy.md).
- A coordinator may change the status (only "active" or "inactive": ending and resuming the course,
  bot/citizens/course.py), the check-in interval, the programme, the language and the phone number;
  nothing else.
  "opted_out" is the citizen's own STOP: a status change after it raises course.OptedOut.
- A new phone number (the old one lost, or given to someone else) follows the phone rules above and
  closes every web-chat link the citizen has (bot/citizens/chat_links.py); the conversation in
  Rasa's tracker store moves to the new number with the citizen, so export and erasure still find it.

Values are checked as they come (JSON types or form strings the adapter turned into numbers), so a
wrong type is refused with the same message as a wrong value. Refused input raises
bot.core.errors.Invalid(message, field): the message is English for the JSON API, `field` names the
input so the dashboard can word it in Danish. Another coordinator's citizen is NotFound. `scope` is
the coordinator id the lookup is limited to (None: all, the API's admin); `actor`, when given, is
the coordinator written to the access log in the same transaction (docs/privacy.md)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.checkins.programmes import DEFAULT_PROGRAMME, programme_names
from bot.citizens.chat_links import PHONE_CHANGE
from bot.citizens.chat_links import revoke as revoke_chat_links
from bot.citizens.course import COURSE_STATUSES, ENDED, OptedOut, set_course
from bot.citizens.language import DEFAULT_LANGUAGE, check_language
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid, NotFound
from bot.core.phone import InvalidPhone, normalize_phone
from bot.core.vocabulary import CourseEndReason
from bot.db import citizens as citizen_db
from bot.db.access_log import log_access
from bot.db.citizens import DuplicatePhone
from bot.db.coordinators import get_coordinator
from bot.db.models import Citizen
from bot.db.tracker_events import TrackerEvents

# DuplicatePhone and OptedOut are what adapters catch besides Invalid and NotFound.
__all__ = ["CHANGES", "DEFAULT_INTERVAL", "DEFAULT_PROGRAMME", "DuplicatePhone", "OptedOut", "change", "register"]

DEFAULT_INTERVAL = 7
MIN_INTERVAL, MAX_INTERVAL = 1, 90
MAX_NAME = 200
MAX_PHONE = 30
CHANGES = ("status", "end_reason", "checkin_interval_days", "programme", "language", "phone")


def _required_str(value: Any, field: str, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"'{field}' is required and must be a non-empty string", field)
    if len(value) > max_len:
        raise Invalid(f"'{field}' must be at most {max_len} characters", field)
    return value.strip()


def _phone(value: Any) -> str:
    try:
        return normalize_phone(_required_str(value, "phone", MAX_PHONE))
    except InvalidPhone:
        raise Invalid("'phone' must be a Danish mobile number: 8 digits or +45 followed by 8 digits", "phone")


def _interval(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_INTERVAL <= value <= MAX_INTERVAL:
        raise Invalid(f"'checkin_interval_days' must be a whole number from {MIN_INTERVAL} to {MAX_INTERVAL}",
                      "checkin_interval_days")
    return value


def _programme(value: Any) -> str:
    if value not in programme_names():
        raise Invalid(f"'programme' must be one of: {', '.join(programme_names())}", "programme")
    return value


def _end_reason(value: Any) -> str:
    if value not in CourseEndReason.values():
        raise Invalid(f"'end_reason' must be one of {', '.join(CourseEndReason.values())}", "end_reason")
    return value


def _status(value: Any) -> str:
    if value not in COURSE_STATUSES:
        raise Invalid("'status' must be active or inactive (the course ended); opted_out is the citizen's own STOP",
                      "status")
    return value


def register(session: Session, name: Any, phone: Any, coordinator_id: int, now: datetime, *,
             checkin_interval_days: Any = DEFAULT_INTERVAL, programme: Any = DEFAULT_PROGRAMME,
             language: Any = DEFAULT_LANGUAGE, actor: int | None = None) -> Citizen:
    """A new citizen on an active course, consent recorded now. Raises Invalid (the rules above)
    and DuplicatePhone for a number already registered."""
    values = dict(
        name=_required_str(name, "name", MAX_NAME),
        phone=_phone(phone),
        checkin_interval_days=_interval(checkin_interval_days),
        programme=_programme(programme),
        language=check_language(language),
    )
    if get_coordinator(session, coordinator_id) is None:
        raise Invalid(f"coordinator {coordinator_id} does not exist", "coordinator_id")
    citizen = citizen_db.create_citizen(session, coordinator_id=coordinator_id, consent_at=now, **values)
    if actor is not None:
        log_access(session, actor, citizen.id, "register", now)
    return citizen


def change(session: Session, citizen_id: int, scope: int | None, changes: Mapping[str, Any], now: datetime,
           settings: ProactiveSettings, *, actor: int | None = None, tracker: TrackerEvents | None = None) -> Citizen:
    """Any of status, checkin_interval_days, programme, language and phone. Ending the course cancels its planned
    messages, resuming re-plans them (course.set_course); raises course.OptedOut for a status
    change after the citizen's STOP, leaving everything unchanged (the caller's transaction). A new
    phone raises DuplicatePhone when another citizen has it, closes the citizen's web-chat links, and
    needs `tracker` (Rasa's tracker store), whose events move with the citizen before this commits:
    like erasure (bot/citizens/privacy.py), a failure there leaves everything unchanged."""
    unknown = set(changes) - set(CHANGES)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}; allowed: {', '.join(CHANGES)}")
    checks = {"status": _status, "end_reason": _end_reason, "checkin_interval_days": _interval,
              "programme": _programme, "language": check_language, "phone": _phone}
    values = {field: checks[field](changes[field]) for field in CHANGES if field in changes}
    citizen = citizen_db.get_citizen(session, citizen_id, scope)
    if citizen is None:
        raise NotFound("citizen not found")
    end_reason = values.pop("end_reason", None)
    if end_reason is not None and values.get("status") != ENDED:
        raise Invalid("'end_reason' goes with status inactive (ending the course)", "end_reason")
    if "status" in values:
        set_course(session, citizen, values.pop("status"), now, settings, end_reason=end_reason)
    phone = values.pop("phone", citizen.phone)
    if phone != citizen.phone:
        if tracker is None:
            raise ValueError("a phone change needs the tracker store")
        old = citizen.phone
        citizen_db.set_phone(session, citizen, phone)
        revoke_chat_links(session, citizen, now, PHONE_CHANGE)
        tracker.move_sender(old, phone)
    citizen_db.update_settings(session, citizen, **values)
    if actor is not None:
        log_access(session, actor, citizen.id, "update", now)
    session.refresh(citizen)
    return citizen

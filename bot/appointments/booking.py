"""Booking appointments: create, change (move, edit, cancel) and record attendance. The one place
for these rules; the JSON API (bot/service/views/appointments.py) and the dashboard
(bot/service/views/pages/appointments.py) only translate their input and render the result.

The rules (one set for every caller):
- An appointment starts in the future (a start at `now` is already the past) and at most two years
  ahead (730 days; further is taken to be a typo in the year).
- When it has an end, it lasts from 5 minutes to 8 hours (the dashboard's 5-480 minutes). The JSON
  API may leave out the end; the dashboard always gives one.
- Only a planned appointment can be changed. Only the times that change are checked, so an ongoing
  meeting's place can still be corrected. Moving the start without giving an end keeps the length.
- Moving the start clears the citizen's JA / KAN IKKE: it answered the old time.
- Cancelling needs no time check. Attended and missed can only be recorded once the appointment
  has started (a missed meeting sends the citizen the follow-up SMS); cancelled at any time.
- Every change re-plans the appointment's jobs in the same transaction (bot/jobs/planner.py), so
  reminders always match the calendar.

Refused input raises bot.core.errors.Invalid(message, field): the message is English for the JSON
API; `field` names the input, or the rule when that says more (PAST, TOO_FAR_AHEAD, NOT_STARTED,
NOT_PLANNED), so the dashboard can word each in Danish. Another coordinator's citizen or
appointment is NotFound. `scope` is the coordinator id the lookup is limited to (None: all, the API's admin). `actor`, when
given, is the coordinator written to the access log in the same transaction (docs/privacy.md).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.appointments import attendance
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid, NotFound
from bot.core.vocabulary import AppointmentStatus
from bot.db import appointments as appointment_db
from bot.db import citizens as citizen_db
from bot.db.access_log import log_access
from bot.db.models import APPOINTMENT_KINDS, Appointment
from bot.jobs.planner import plan_appointment

MAX_AHEAD = timedelta(days=2 * 365)
MIN_LENGTH = timedelta(minutes=5)
MAX_LENGTH = timedelta(hours=8)
ATTENDANCE = (AppointmentStatus.ATTENDED, AppointmentStatus.MISSED, AppointmentStatus.CANCELLED)
FIELDS = ("kind", "starts_at", "ends_at", "location", "title", "notify_if_unanswered", "interpreter")
CHANGES = (*FIELDS, "status")
MAX_TEXT = 200

# Invalid.field for the rules that are not about one input alone.
PAST = "past"
TOO_FAR_AHEAD = "too_far_ahead"
NOT_STARTED = "not_started"
NOT_PLANNED = "not_planned"


def _aware(value: object) -> bool:
    return isinstance(value, datetime) and value.utcoffset() is not None


def _check_aware(values: dict[str, Any]) -> None:
    """A time without an offset is refused, never guessed (it would move the meeting an hour or two)."""
    if "starts_at" in values and not _aware(values["starts_at"]):
        raise Invalid("'starts_at' must be a time with a UTC offset", "starts_at")
    if values.get("ends_at") is not None and not _aware(values["ends_at"]):
        raise Invalid("'ends_at' must be a time with a UTC offset", "ends_at")


def check_times(starts_at: datetime, ends_at: datetime | None, now: datetime) -> None:
    """The time rules of the module docstring; raises Invalid."""
    _check_aware({"starts_at": starts_at, "ends_at": ends_at})
    if starts_at <= now:
        raise Invalid("'starts_at' is in the past; an appointment must start in the future", PAST)
    if starts_at - now > MAX_AHEAD:
        raise Invalid("'starts_at' is more than two years ahead; check the year", TOO_FAR_AHEAD)
    if ends_at is None:
        return
    if ends_at <= starts_at:
        raise Invalid("'ends_at' must be after 'starts_at'", "ends_at")
    if ends_at - starts_at < MIN_LENGTH:
        raise Invalid("'ends_at' must be at least 5 minutes after 'starts_at'", "ends_at")
    if ends_at - starts_at > MAX_LENGTH:
        raise Invalid("'ends_at' must be within 8 hours of 'starts_at'", "ends_at")


def _check_fields(values: dict[str, Any]) -> None:
    """Kind, texts, the flag, and that times carry an offset; the time rules are check_times'."""
    _check_aware(values)
    if "kind" in values and values["kind"] not in APPOINTMENT_KINDS:
        raise Invalid(f"'kind' must be one of: {', '.join(APPOINTMENT_KINDS)}", "kind")
    for field in ("location", "title"):
        value = values.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
            raise Invalid(f"'{field}' must be at most {MAX_TEXT} characters", field)
    for flag in ("notify_if_unanswered", "interpreter"):
        if flag in values and not isinstance(values[flag], bool):
            raise Invalid(f"'{flag}' must be true or false", flag)


def _unknown(values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(unknown)}")


def _appointment(session: Session, appointment_id: int, scope: int | None) -> Appointment:
    appointment = appointment_db.get_appointment(session, appointment_id, scope)
    if appointment is None:
        raise NotFound("appointment not found")
    return appointment


def create(session: Session, citizen_id: int, scope: int | None, fields: dict[str, Any], now: datetime,
           settings: ProactiveSettings, *, actor: int | None = None) -> Appointment:
    """Book an appointment for the citizen; its reminders are planned at once. `fields`: kind and
    starts_at (required), ends_at, location, title, notify_if_unanswered and interpreter (an interpreter
    comes: shown on the agenda and said in the reminder; both default false)."""
    if citizen_db.get_citizen(session, citizen_id, scope) is None:
        raise NotFound("citizen not found")
    _unknown(fields, FIELDS)
    values = {"ends_at": None, "location": None, "title": None, "notify_if_unanswered": False, "interpreter": False,
              **fields}
    if values.get("kind") is None:
        raise Invalid(f"'kind' is required: one of {', '.join(APPOINTMENT_KINDS)}", "kind")
    if values.get("starts_at") is None:
        raise Invalid("'starts_at' is required", "starts_at")
    _check_fields(values)
    check_times(values["starts_at"], values["ends_at"], now)
    appointment = appointment_db.create_appointment(session, citizen_id, created_at=now, **values)
    plan_appointment(session, appointment, now, settings)
    if actor is not None:
        log_access(session, actor, citizen_id, "create_appointment", now)
    return appointment


def change(session: Session, appointment_id: int, scope: int | None, changes: dict[str, Any], now: datetime,
           settings: ProactiveSettings, *, actor: int | None = None) -> Appointment:
    """Move (starts_at / ends_at), edit (kind, title, location, notify_if_unanswered, interpreter) or cancel
    ({"status": "cancelled"}) a planned appointment, and re-plan its jobs."""
    appointment = _appointment(session, appointment_id, scope)
    _unknown(changes, CHANGES)
    if not changes:
        raise Invalid("nothing to change: give starts_at, ends_at, location, title, kind, "
                      "notify_if_unanswered, interpreter or status \"cancelled\"")
    if "status" in changes and changes["status"] != AppointmentStatus.CANCELLED:
        raise Invalid("'status' must be one of: cancelled", "status")
    if appointment.status != AppointmentStatus.PLANNED:
        raise Invalid(f"the appointment is {appointment.status} and can no longer be changed; create a new one",
                      NOT_PLANNED)
    _check_fields(changes)
    changes = dict(changes)
    moves = "starts_at" in changes and changes["starts_at"] != appointment.starts_at
    if moves and "ends_at" not in changes and appointment.ends_at is not None:
        # Moving keeps the length unless a new end is given.
        changes["ends_at"] = appointment.ends_at + (changes["starts_at"] - appointment.starts_at)
    starts_at = changes.get("starts_at", appointment.starts_at)
    ends_at = changes.get("ends_at", appointment.ends_at)
    retimed = starts_at != appointment.starts_at or ends_at != appointment.ends_at
    if changes.get("status") != AppointmentStatus.CANCELLED and retimed:
        check_times(starts_at, ends_at, now)
    if moves:
        # The citizen's JA / KAN IKKE was about the old time.
        appointment.citizen_reply = None
        appointment.citizen_replied_at = None
    for field, value in changes.items():
        setattr(appointment, field, value)
    session.flush()
    plan_appointment(session, appointment, now, settings)
    if actor is not None:
        log_access(session, actor, appointment.citizen_id, "change_appointment", now)
    return appointment


def record_attendance(session: Session, appointment_id: int, scope: int | None, status: str, now: datetime,
                      settings: ProactiveSettings, *, actor: int | None = None) -> Appointment:
    """attended | missed | cancelled. Attended and missed only once the appointment has started;
    missed alerts the coordinator and plans the kind follow-up SMS (bot/appointments/attendance.py)."""
    appointment = _appointment(session, appointment_id, scope)
    if status not in ATTENDANCE:
        raise Invalid(f"'status' must be one of: {', '.join(ATTENDANCE)}", "status")
    if status != AppointmentStatus.CANCELLED and appointment.starts_at > now:
        raise Invalid(f"the appointment has not started yet; it cannot be {status} before "
                      f"{appointment.starts_at.isoformat()}", NOT_STARTED)
    attendance.record_attendance(session, appointment, status, now, settings)
    if actor is not None:
        log_access(session, actor, appointment.citizen_id, "record_attendance", now)
    return appointment

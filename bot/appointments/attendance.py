"""What happens around an appointment besides its reminders: the citizen's answer, attendance, and
the alerts they raise (rule + a reason the coordinator can read: docs/architecture.md, "Alerts")."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.alert_catalogue import Rule, Severity
from bot.core.config import ProactiveSettings
from bot.core.danish_time import format_when
from bot.core.text import words
from bot.core.vocabulary import AppointmentReply, AppointmentStatus
from bot.db import alerts as alert_db
from bot.db import appointments as appointment_db
from bot.db.models import Alert, Appointment
from bot.jobs.planner import plan_attendance

CANNOT_COME = Rule.APPOINTMENT_CANNOT_COME
UNANSWERED = Rule.APPOINTMENT_UNANSWERED
MISSED = Rule.MISSED_APPOINTMENT  # high instead of medium on the second miss in a row


def _describe(appointment: Appointment, settings: ProactiveSettings) -> str:
    return f"{appointment.title or appointment.kind} {format_when(appointment.starts_at, settings.timezone)}"


def record_citizen_reply(session: Session, appointment: Appointment, reply: str, now: datetime,
                         settings: ProactiveSettings) -> Alert | None:
    """Store JA / KAN IKKE. Saying KAN IKKE again does not raise a second alert."""
    before = appointment.citizen_reply
    appointment_db.record_reply(session, appointment, reply, now)
    if reply != AppointmentReply.CANNOT_COME or before == AppointmentReply.CANNOT_COME:
        return None
    return alert_db.add_alert(
        session, appointment.citizen_id, rule=CANNOT_COME, severity=CANNOT_COME.severity, created_at=now,
        reason=f"Borgeren svarede KAN IKKE til mødet {_describe(appointment, settings)}. Aftal en ny tid.",
    )


def unanswered_alert(session: Session, appointment: Appointment, now: datetime, settings: ProactiveSettings) -> Alert:
    return alert_db.add_alert(
        session, appointment.citizen_id, rule=UNANSWERED, severity=UNANSWERED.severity, created_at=now,
        reason=f"Borgeren har ikke svaret på påmindelsen om mødet {_describe(appointment, settings)}.",
    )


def record_attendance(session: Session, appointment: Appointment, status: str, now: datetime,
                      settings: ProactiveSettings) -> Alert | None:
    """attended | missed | cancelled. Missed raises an alert and plans the kind follow-up message."""
    already_missed = appointment.status == AppointmentStatus.MISSED
    appointment.status = status
    appointment.attendance_recorded_at = now
    session.flush()
    plan_attendance(session, appointment, now, settings)
    if status != AppointmentStatus.MISSED or already_missed:
        return None
    previous = appointment_db.previous_appointment(session, appointment)
    in_a_row = previous is not None and previous.status == AppointmentStatus.MISSED
    reason = f"Borgeren kom ikke til mødet {_describe(appointment, settings)}."
    if in_a_row:
        reason += " Det er anden gang i træk."
    return alert_db.add_alert(session, appointment.citizen_id, rule=MISSED, severity=Severity.HIGH if in_a_row else MISSED.severity,
                              reason=reason, created_at=now)


# The citizen's answer to "Svar JA hvis du kommer, eller KAN IKKE" (English: YES or CAN'T COME).
# Not coming is checked first: "ja, men jeg kan ikke" means not coming.
_CANNOT_COME = [
    r"\bka[nm]\s*i+k+e*\b", r"\bkna\s*ikke?\b", r"\bkan\s*ikek\b", r"\bkanikke?\b", r"\bkommer\s*i+k+e*\b",
    r"\bikke\s+komme\b", r"\bafbud\b", r"\baflys", r"\bmelde?r?\s+fra\b", r"^nej\b", r"^nope\b", r"^naej\b",
    r"^ikke?\b", r"\bdesvaerre\s+ikke\b", r"^nix\b", r"^no\b",
    # English, offered as CAN'T COME to an English citizen ("can't" folds to "can t")
    r"\bca\s*n\s*t\s+(?:come|make it)\b", r"\bcan\s*not\s+(?:come|make it)\b", r"\bnot\s+coming\b",
    r"\bwon\s*t\s+(?:come|be there|make it)\b",
]
_CONFIRMED = [
    r"^ja+\b", r"^jo\b", r"^jep\b", r"^jah?\b", r"^ok", r"^yes\b", r"^yep\b", r"^klart\b", r"^selvfoelgelig\b",
    r"\bjeg kommer\b", r"^kommer\b", r"\bvi ses\b", r"^det goer jeg\b", r"^gerne\b", r"^fint\b",
    r"^i\s*(?:m| am)\s+coming\b", r"^i\s*(?:ll| will)\s+(?:come|be there)\b", r"^see you\b",
]


def parse_attendance_answer(text: str) -> AppointmentReply | None:
    """"confirmed", "cannot_come", or None when unclear (the dialogue then asks again)."""
    if "👎" in text:
        return AppointmentReply.CANNOT_COME
    if "👍" in text:
        return AppointmentReply.CONFIRMED
    folded = " ".join(words(text))
    if any(re.search(p, folded) for p in _CANNOT_COME):
        return AppointmentReply.CANNOT_COME
    if any(re.search(p, folded) for p in _CONFIRMED):
        return AppointmentReply.CONFIRMED
    return None

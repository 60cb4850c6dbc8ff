"""Agreements: in plain words for the citizen, who owns one, and what the citizen's answers about them do."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core import i18n, texts
from bot.core.alert_catalogue import Rule
from bot.core.config import ProactiveSettings
from bot.db import agreements as agreement_db
from bot.db import alerts as alert_db
from bot.db.appointments import get_appointment
from bot.db.models import Agreement, Alert
from bot.jobs.planner import plan_agreement_followups

log = logging.getLogger(__name__)

# Characters the list may use in each message (two SMS minus the message's own words).
LIST_IN_APPROVAL = 240
LIST_IN_STATUS = 200
CITIZEN_WORDS = {"borger", "borgeren", "du", "dig", "citizen", "mig", "jeg"}
MAX_LINE = 150  # one agreement; the full text stays in the database and on the dashboard


def owned_by_citizen(who: str, citizen_name: str) -> bool:
    who = who.strip().lower()
    name = citizen_name.strip().lower()
    return who in CITIZEN_WORDS or who == name or (bool(name) and who == name.split()[0])


def agreement_line(number: int, agreement: Agreement, language: str | None = i18n.DANISH) -> str:
    """"1. Du: ringer til lægen, senest torsdag 24. december": our words and the day in the citizen's
    `language` (bot/core/texts.py); what was agreed and who does it as the coordinator wrote them."""
    who = texts.for_language("AGREEMENT_YOU", language) if agreement.owner_is_citizen else agreement.who
    when = ""
    if agreement.due_date:
        due, used = texts.in_language("AGREEMENT_DUE", language)
        when = ", " + due.format(day=i18n.format_day(agreement.due_date, used))
    line = f"{number}. {who}: {agreement.what}{when}"
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3].rstrip() + "..."


def agreement_list(agreements: list[Agreement], max_chars: int, language: str | None = i18n.DANISH) -> str:
    """Numbered, plain; cut with a pointer to the coordinator when a long list would not fit
    the message's two SMS (max_chars is what the rest of the message leaves). In the citizen's
    `language`, as the message it goes into."""
    lines, used = [], 0
    for i, agreement in enumerate(agreements, start=1):
        line = agreement_line(i, agreement, language)
        if lines and used + len(line) > max_chars - 40:
            lines.append(texts.for_language("AGREEMENTS_MORE", language).format(count=len(agreements) - i + 1))
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


# --- Use cases: the citizen's answers about agreements (called by actions/question_handlers.py) ---
# Every id here came through the dialogue (a question's parameters). It names the citizen's own
# meeting or agreement, or nothing happens: an id is never trusted to reach someone else's record
# (docs/decisions.md, "Citizen text is text"). Each use case returns whether it changed anything.

def _own_appointment(session: Session, citizen_id: int, appointment_id: int):
    appointment = get_appointment(session, appointment_id, citizen_id=citizen_id)
    if appointment is None:
        log.warning("appointment %s is not citizen %s's: answer ignored", appointment_id, citizen_id)
    return appointment


def approve(session: Session, citizen_id: int, appointment_id: int, now: datetime, settings: ProactiveSettings) -> bool:
    """Approved: the follow-ups about two weeks later are planned in the same transaction."""
    appointment = _own_appointment(session, citizen_id, appointment_id)
    if appointment is None:
        return False
    agreement_db.set_approval(session, appointment.id, True, None, now)
    plan_agreement_followups(session, appointment, now, settings)
    return True


def reject(session: Session, citizen_id: int, appointment_id: int, note: str | None, now: datetime,
           unclear: bool = False) -> Alert | None:
    """Not approved (NEJ and what is wrong, or an answer that was not a JA): the coordinator is told."""
    if _own_appointment(session, citizen_id, appointment_id) is None:
        return None
    agreement_db.set_approval(session, appointment_id, False, note, now)
    reason = ("Borgeren har ikke godkendt aftalerne (svaret var uklart)." if unclear
              else "Borgeren har ikke godkendt aftalerne fra mødet. Se borgerens svar.")
    rule = Rule.AGREEMENT_REJECTED
    return alert_db.add_alert(session, citizen_id, rule=rule, severity=rule.severity, reason=reason, created_at=now)


def record_follow_up(session: Session, citizen_id: int, agreement_id: int, answer: str, who: str,
                     now: datetime) -> Alert | None:
    """JA / NEJ / VED IKKE ("unknown") to "has X followed up?"; anything but JA alerts the coordinator."""
    agreement = agreement_db.get_agreement(session, agreement_id)
    if agreement is None or agreement.citizen_id != citizen_id:
        log.warning("agreement %s is not citizen %s's: answer ignored", agreement_id, citizen_id)
        return None
    agreement_db.record_follow_up(session, agreement_id, answer, now)
    if answer == "yes":
        return None
    said = "nej" if answer == "no" else "ved ikke"
    rule = Rule.AGREEMENT_NOT_FOLLOWED
    return alert_db.add_alert(session, citizen_id, rule=rule, severity=rule.severity, created_at=now,
                              reason=f"Borgeren svarede '{said}' til, om {who} har fulgt op på en aftale.")


def record_next_step(session: Session, citizen_id: int, appointment_id: int, next_step: str) -> bool:
    """The citizen's own next step after approving (teach-back), in their words."""
    if _own_appointment(session, citizen_id, appointment_id) is None:
        return False
    agreement_db.set_next_step(session, appointment_id, next_step)
    return True

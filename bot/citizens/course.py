"""A citizen's course (forløb) and their STOP / START.

The coordinator ends and resumes the course (`set_course`). An ended course gets nothing proactive,
and its planned messages are cancelled at once, so the coordinator's job list says so; the citizen
can still write and be answered. Resuming plans the upcoming meetings' messages again; the next
check-in prompt is planned by the scheduler's next tick.

STOP is the citizen's own choice: only their START changes it, never the coordinator (`OptedOut`).
STOP (`opt_out`) sets the status "opted_out" and nothing else: planned messages stay and are
skipped at their time with the note "citizen opted_out", so the coordinator sees what did not go,
and the outbox stores any proactive SMS as "suppressed". START (`opt_in`) turns messages on again
only if the coordinator had not ended the course: a course ended before the STOP stays ended (the
coordinator cannot end or resume it during the opt-out). The status holds one value, so the end of
the course is also kept in `course_ended_at` (written by `set_course`, kept through STOP); START
goes back to "inactive" when it is set (docs/decisions.md, "STOP and START on an ended course").

Each of them reads the citizen locked (`lock_citizen`): a STOP that arrives while the coordinator
ends the course is neither lost nor lets START reopen it. What is already in the SMS outbox is
held at dispatch time by the same status (bot/sms/outbox.py): nothing proactive goes after a STOP
or after the end, also when it was queued before (docs/decisions.md, "SMS integrity")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy.orm import Session

from bot.citizens import chat_links
from bot.core.config import ProactiveSettings
from bot.core.texts import for_language
from bot.core.vocabulary import CitizenStatus, CourseEndReason, QuestionnaireReason
from bot.db import citizens as citizen_db
from bot.db import jobs as job_db
from bot.db import outcomes as outcome_db
from bot.db.appointments import upcoming_appointments
from bot.db.citizens import lock_citizen, set_course_ended_at, set_course_status, set_status
from bot.db.coordinators import get_coordinator
from bot.db.models import Citizen
from bot.jobs.planner import plan_appointment
from bot.jobs.purposes import CHECKIN_CLOSE
from bot.outcomes import record as outcomes
from bot.outcomes.instruments import InstrumentCode
from bot.sms.outbox import FAREWELL, queue_sms

ACTIVE, ENDED, OPTED_OUT = CitizenStatus.ACTIVE, CitizenStatus.ENDED, CitizenStatus.OPTED_OUT
COURSE_STATUSES = (ACTIVE, ENDED)  # what a coordinator may set


class OptedOut(Exception):
    """The citizen sent STOP; the coordinator cannot change that."""


def set_course(session: Session, citizen: Citizen, status: str, now: datetime, settings: ProactiveSettings,
               end_reason: str | None = None) -> None:
    """The coordinator ends (ENDED, with a reason: CourseEndReason, default other) or resumes
    (ACTIVE) the course. Raises OptedOut after STOP.

    Ending it well (docs/decisions.md, "Ending a course"): the reason is stored, every planned
    message is cancelled, and the citizen gets one goodbye SMS that offers a last WHO-5, answered by
    writing SKEMA (the round is planned now without a prompt of its own; its questions are replies)."""
    if status == ENDED:
        end_reason = CourseEndReason(end_reason or CourseEndReason.OTHER).value
    citizen = lock_citizen(session, citizen.id)
    if citizen.status == status:
        return
    if citizen.status == OPTED_OUT:
        raise OptedOut(citizen.id)
    set_course_status(session, citizen.id, status, now if status == ENDED else None,
                      end_reason if status == ENDED else None)
    if status == ENDED:
        # The close of a check-in left open still runs: it sends nothing, and without it the
        # check-in would show as "I gang" for good (docs/decisions.md, "An answer counts ...").
        job_db.cancel_for_citizen(session, citizen.id, note="course ended", keep=(CHECKIN_CLOSE,))
        _say_goodbye(session, citizen, now, settings)
        return
    # Resumed: the last WHO-5 offered in the goodbye is not asked any more (and would keep a round
    # asked for now from being sent: bot/outcomes/record.py request).
    for unfinished in outcome_db.unfinished(session, [citizen.id]):
        if unfinished.reason == QuestionnaireReason.FINAL:
            outcomes.decline(session, citizen, unfinished.id, now=now)
    _plan_meetings(session, citizen, now, settings)


def _say_goodbye(session: Session, citizen: Citizen, now: datetime, settings: ProactiveSettings) -> None:
    for unfinished in outcome_db.unfinished(session, [citizen.id]):
        outcomes.decline(session, citizen, unfinished.id, now=now)  # nothing more of a running course
    outcomes.plan_round(session, citizen, reason=QuestionnaireReason.FINAL, round_no=None,
                        instruments=[InstrumentCode.WHO5.value], due_at=now, now=now, settings=settings,
                        prompt=False)
    coordinator = get_coordinator(session, citizen.coordinator_id)
    goodbye = for_language("COURSE_ENDED", citizen.language).format(coordinator=coordinator.name)
    queue_sms(session, citizen.phone, goodbye, purpose=FAREWELL, now=now)


def opt_out(session: Session, citizen: Citizen, now: datetime) -> None:
    """STOP: nothing proactive until START. A repeated STOP changes nothing."""
    citizen = lock_citizen(session, citizen.id)
    if citizen.status == OPTED_OUT:
        return
    if citizen.status == ENDED and citizen.course_ended_at is None:
        # An ended course without its time (status written directly): the status is the truth here,
        # and the opt-out is about to hide it.
        set_course_ended_at(session, citizen.id, now)
    set_status(session, citizen.id, OPTED_OUT)
    # STOP closes the web chat too: a link on a phone the citizen no longer controls (the usual
    # reason to stop) must not keep a door open (docs/privacy.md, "Access that can be taken back").
    chat_links.revoke(session, citizen, now, chat_links.OPT_OUT)


def opt_in(session: Session, citizen: Citizen, now: datetime, settings: ProactiveSettings) -> bool:
    """START: back to the course as the coordinator left it. True when messages are on again (an
    active course), False when the course is ended (it stays ended, nothing is planned). START
    without a STOP before changes nothing."""
    citizen = lock_citizen(session, citizen.id)
    if citizen.status != OPTED_OUT:
        return citizen.status == ACTIVE
    if citizen.course_ended_at is not None:
        set_status(session, citizen.id, ENDED)
        # What was planned while opted out (check-in prompts) is cancelled now, as when the
        # coordinator ends a course, instead of being skipped at its time.
        job_db.cancel_for_citizen(session, citizen.id, note="course ended")
        return False
    set_status(session, citizen.id, ACTIVE)
    _plan_meetings(session, citizen, now, settings)
    return True


def _plan_meetings(session: Session, citizen: Citizen, now: datetime, settings: ProactiveSettings) -> None:
    for appointment in upcoming_appointments(session, citizen.id, now, limit=100):
        plan_appointment(session, appointment, now, settings)


@dataclass(frozen=True)
class EndedCourse:
    citizen_id: int
    name: str
    days: int  # from consent (else registration) to the end
    reason: str  # CourseEndReason


def ended_courses(session: Session, coordinator_id: int | None) -> list[EndedCourse]:
    """How long the coordinator's ended courses ran and why they ended, newest end first (the
    dashboard's overview; None: every coordinator's, for the admin)."""
    return [EndedCourse(c.id, c.name, (c.course_ended_at - (c.consent_at or c.created_at)).days,
                        c.course_end_reason or CourseEndReason.OTHER.value)
            for c in citizen_db.ended_courses(session, coordinator_id)]


@dataclass(frozen=True)
class ReasonCount:
    reason: str  # CourseEndReason
    count: int  # ended courses with this reason
    median_days: int | float | None  # None when no course ended for this reason


def median_days(courses: list[EndedCourse]) -> int | float | None:
    """The median length in days: a whole number when it is one (45, not 45.0), else a half (45.5);
    None without courses."""
    if not courses:
        return None
    value = median(c.days for c in courses)
    return int(value) if value == int(value) else value


def by_reason(courses: list[EndedCourse]) -> list[ReasonCount]:
    """How many courses ended for each reason and their median length: every reason, in
    CourseEndReason's order, also those no course ended for (issue 14 §6)."""
    counts = []
    for reason in CourseEndReason:
        ended = [c for c in courses if c.reason == reason]
        counts.append(ReasonCount(reason.value, len(ended), median_days(ended)))
    return counts

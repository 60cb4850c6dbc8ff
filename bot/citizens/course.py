"""Ending and resuming a citizen's course (forløb). An ended course gets nothing proactive, and its
planned messages are cancelled at once, so the coordinator's job list says so; the citizen can still
write and be answered. Resuming plans the upcoming meetings' messages again; the next check-in
prompt is planned by the scheduler's next tick. STOP is the citizen's own choice: only their START
changes it, never the coordinator."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.config import ProactiveSettings
from bot.db import jobs as job_db
from bot.db.appointments import upcoming_appointments
from bot.db.citizens import set_status
from bot.db.models import Citizen
from bot.jobs.planner import plan_appointment

ACTIVE, ENDED, OPTED_OUT = "active", "inactive", "opted_out"
COURSE_STATUSES = (ACTIVE, ENDED)  # what a coordinator may set


class OptedOut(Exception):
    """The citizen sent STOP; the coordinator cannot change that."""


def set_course(session: Session, citizen: Citizen, status: str, now: datetime, settings: ProactiveSettings) -> None:
    if citizen.status == status:
        return
    if citizen.status == OPTED_OUT:
        raise OptedOut(citizen.id)
    set_status(session, citizen.id, status)
    if status == ENDED:
        job_db.cancel_for_citizen(session, citizen.id, note="course ended")
        return
    for appointment in upcoming_appointments(session, citizen.id, now, limit=100):
        plan_appointment(session, appointment, now, settings)

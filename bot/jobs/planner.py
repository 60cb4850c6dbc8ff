"""Turning appointments and check-in intervals into job rows. Every function is idempotent: it
computes due times from stored facts only, so planning twice (or on two schedulers) gives one row."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.config import ProactiveSettings
from bot.core.vocabulary import AppointmentStatus, CitizenStatus, JobStatus
from bot.db import agreements as agreement_db
from bot.db import checkins as checkin_db
from bot.db import jobs as job_db
from bot.db import network as network_db
from bot.db.appointments import PREPARABLE_KINDS
from bot.db.models import Appointment, CheckIn, Job, Questionnaire
from bot.jobs import timing
from bot.jobs.purposes import (
    AGREEMENT_FOLLOWUP,
    AGREEMENTS_APPROVAL,
    APPOINTMENT_PURPOSES,
    CHECKIN_CLOSE,
    CHECKIN_NUDGE,
    CHECKIN_OPEN_NUDGE,
    CHECKIN_PROMPT,
    MISSED_FOLLOWUP,
    NETWORK_CANCELLED,
    NETWORK_REMINDER,
    OPEN_CHECKIN_PURPOSES,
    PREPARATION_INVITE,
    QUESTIONNAIRE_NUDGE,
    QUESTIONNAIRE_PROMPT,
    REMINDER,
    UNANSWERED,
)

# Citizens who may be prompted; opted-out citizens get rows too, skipped and recorded as such.
PROMPTED_STATUSES = (CitizenStatus.ACTIVE, CitizenStatus.OPTED_OUT)


def _proactive(session: Session, citizen_id: int, purpose: str, target: str, due: datetime, now: datetime,
               settings: ProactiveSettings) -> Job:
    return job_db.schedule(session, citizen_id=citizen_id, purpose=purpose, target=target, due_at=due,
                           next_attempt_at=timing.next_window(due, settings), now=now)


def planned_reminder_times(appointment: Appointment, now: datetime, settings: ProactiveSettings) -> list[datetime]:
    """Reminders still ahead that can go out (quiet hours included) before the appointment starts."""
    return [
        due for due in timing.reminder_times(appointment.starts_at, settings)
        if due > now and timing.next_window(due, settings) < appointment.starts_at
    ]


def plan_appointment(session: Session, appointment: Appointment, now: datetime,
                     settings: ProactiveSettings) -> list[Job]:
    """(Re)plan an appointment's reminders: called on create, move and cancel."""
    target = job_db.appointment_target(appointment.id)
    job_db.cancel_open(session, target, (REMINDER, UNANSWERED, PREPARATION_INVITE), note="appointment changed")
    invited = plan_invitations(session, appointment, now, settings)
    if appointment.status != AppointmentStatus.PLANNED:
        return invited
    jobs = invited + [
        _proactive(session, appointment.citizen_id, REMINDER, target, due, now, settings)
        for due in planned_reminder_times(appointment, now, settings)
    ]
    jobs += plan_preparation_invite(session, appointment, now, settings)
    check = timing.unanswered_check_time(appointment.starts_at, settings)
    if appointment.notify_if_unanswered and check > now:
        # An alert for the coordinator, not a message to the citizen: quiet hours do not apply.
        jobs.append(job_db.schedule(session, citizen_id=appointment.citizen_id, purpose=UNANSWERED, target=target,
                                    due_at=check, next_attempt_at=check, now=now))
    return jobs


def plan_attendance(session: Session, appointment: Appointment, now: datetime,
                    settings: ProactiveSettings) -> list[Job]:
    """After attendance is recorded nothing of the appointment is pending but a missed follow-up."""
    target = job_db.appointment_target(appointment.id)
    job_db.cancel_open(session, target, APPOINTMENT_PURPOSES, note=f"appointment {appointment.status}")
    plan_invitations(session, appointment, now, settings)
    if appointment.status != AppointmentStatus.MISSED:
        return []
    due = timing.missed_followup_time(appointment.starts_at, appointment.ends_at, now, settings)
    return [_proactive(session, appointment.citizen_id, MISSED_FOLLOWUP, target, due, now, settings)]


def plan_checkin_prompts(session: Session, now: datetime, settings: ProactiveSettings) -> list[Job]:
    """Give every citizen without an open check-in prompt their next one, timed from their anchor:
    the last prompt, the last check-in or registration, whichever is latest. The anchors are read
    for all those citizens in a few queries, not two per citizen: after a morning round every
    prompted citizen needs their next one (docs/performance.md, "Proactive round")."""
    today = timing.local_date(now, settings)
    citizens = job_db.citizens_without_open_job(session, CHECKIN_PROMPT, PROMPTED_STATUSES)
    ids = [citizen.id for citizen in citizens]
    last_prompts = job_db.latest_due_by_citizen(session, ids, CHECKIN_PROMPT,
                                                (JobStatus.DONE, JobStatus.SKIPPED, JobStatus.FAILED))
    last_checkins = checkin_db.latest_checkin_times(session, ids)
    jobs = []
    for citizen in citizens:
        candidates = [citizen.consent_at or citizen.created_at, last_prompts.get(citizen.id),
                      last_checkins.get(citizen.id)]
        anchor = max(c for c in candidates if c is not None)
        due = timing.next_checkin_prompt(anchor, citizen.checkin_interval_days, today, settings)
        jobs.append(_proactive(session, citizen.id, CHECKIN_PROMPT, "", due, now, settings))
    return jobs


def plan_checkin_nudge(session: Session, prompt: Job, settings: ProactiveSettings) -> Job:
    due = prompt.sent_at + timedelta(hours=settings.checkin_nudge_hours)
    return _proactive(session, prompt.citizen_id, CHECKIN_NUDGE, f"prompt:{prompt.id}", due, prompt.sent_at,
                      settings)


def checkin_target(checkin_id: int) -> str:
    return f"checkin:{checkin_id}"


def plan_open_checkin(session: Session, checkin: CheckIn, now: datetime, settings: ProactiveSettings) -> list[Job]:
    """A check-in was just opened by its first answer: its one nudge and its close, timed from that
    answer. Later answers plan nothing: both handlers read the check-in's last answer when they are
    due and wait for the time it implies (docs/decisions.md, "An answer counts the moment it is given")."""
    due = checkin.last_answer_at + timedelta(hours=settings.checkin_open_nudge_hours)
    nudge = _proactive(session, checkin.citizen_id, CHECKIN_OPEN_NUDGE, checkin_target(checkin.id), due, now, settings)
    return [nudge, plan_checkin_close(session, checkin, now, settings)]


def plan_checkin_close(session: Session, checkin: CheckIn, now: datetime, settings: ProactiveSettings) -> Job:
    due = timing.open_checkin_close_time(checkin.last_answer_at, settings)
    # Closing sends nothing, so quiet hours do not apply: midnight is midnight.
    return job_db.schedule(session, citizen_id=checkin.citizen_id, purpose=CHECKIN_CLOSE,
                           target=checkin_target(checkin.id), due_at=due, next_attempt_at=due, now=now)


def cancel_open_checkin_jobs(session: Session, checkin_id: int, note: str,
                             purposes: tuple[str, ...] = OPEN_CHECKIN_PURPOSES) -> int:
    """The check-in is finished: its nudge and its close are not needed any more."""
    return job_db.cancel_open(session, checkin_target(checkin_id), purposes, note=note)


def plan_preparation_invite(session: Session, appointment: Appointment, now: datetime,
                            settings: ProactiveSettings) -> list[Job]:
    """Some days before a meeting worth preparing (defaults: 3 days, 10:00). Booked later than that,
    the invitation goes out now if a day is left to prepare. Never a second invitation after a move."""
    target = job_db.appointment_target(appointment.id)
    if appointment.kind not in PREPARABLE_KINDS:
        return []
    if job_db.latest_job(session, appointment.citizen_id, PREPARATION_INVITE, (JobStatus.DONE,), target=target):
        return []
    day = timing.local_date(appointment.starts_at, settings) - timedelta(days=settings.preparation_days_before)
    due = timing.local_instant(day, settings.reminder_day_before_at, settings)
    if due <= now:
        if appointment.starts_at - now < timedelta(days=1):
            return []
        due = now
    return [_proactive(session, appointment.citizen_id, PREPARATION_INVITE, target, due, now, settings)]


def plan_agreements_approval(session: Session, appointment: Appointment, now: datetime,
                             settings: ProactiveSettings) -> Job:
    """New agreements go to the citizen for approval at once (inside the daytime window)."""
    target = job_db.appointment_target(appointment.id)
    job_db.cancel_open(session, target, (AGREEMENTS_APPROVAL,), note="agreements replaced")
    return _proactive(session, appointment.citizen_id, AGREEMENTS_APPROVAL, target, now, now, settings)


def plan_agreement_followups(session: Session, appointment: Appointment, now: datetime,
                             settings: ProactiveSettings) -> list[Job]:
    """About two weeks after the meeting, one question per approved agreement someone else owns."""
    day = timing.local_date(appointment.starts_at, settings) + timedelta(days=settings.agreement_followup_days)
    due = max(timing.local_instant(day, settings.reminder_day_before_at, settings), now)
    return [
        _proactive(session, agreement.citizen_id, AGREEMENT_FOLLOWUP, f"agreement:{agreement.id}", due, now, settings)
        for agreement in agreement_db.due_follow_ups(session, appointment.id)
    ]


def questionnaire_target(questionnaire_id: int) -> str:
    return f"questionnaire:{questionnaire_id}"


def plan_questionnaire_prompt(session: Session, questionnaire: Questionnaire, now: datetime,
                              settings: ProactiveSettings) -> Job:
    """The round's first message (its due time, moved out of quiet hours)."""
    return _proactive(session, questionnaire.citizen_id, QUESTIONNAIRE_PROMPT, questionnaire_target(questionnaire.id),
                      questionnaire.due_at, now, settings)


def plan_questionnaire_nudge(session: Session, questionnaire: Questionnaire, now: datetime,
                             settings: ProactiveSettings) -> Job:
    """One nudge if the citizen stops halfway: planned when the round is first asked; when due it
    waits for QUESTIONNAIRE_NUDGE_HOURS after the last answer (bot/scheduler/handlers.py)."""
    due = questionnaire.asked_at + timedelta(hours=settings.questionnaire_nudge_hours)
    return _proactive(session, questionnaire.citizen_id, QUESTIONNAIRE_NUDGE, questionnaire_target(questionnaire.id),
                      due, now, settings)


def cancel_questionnaire_jobs(session: Session, questionnaire_id: int, note: str) -> int:
    return job_db.cancel_open(session, questionnaire_target(questionnaire_id),
                              (QUESTIONNAIRE_PROMPT, QUESTIONNAIRE_NUDGE), note=note)


def plan_invitation(session: Session, appointment: Appointment, invitation_id: int, now: datetime,
                    settings: ProactiveSettings) -> list[Job]:
    """(Re)plan one network member's jobs for the meeting they are invited to: their reminders at the
    citizen's reminder times while it is planned; once it is cancelled, one notice that it is
    (never two); nothing after attended or missed (docs/decisions.md, "The citizen's network")."""
    target = network_db.invitation_target(invitation_id)
    job_db.cancel_open(session, target, (NETWORK_REMINDER,), note=f"appointment {appointment.status}")
    if appointment.status == AppointmentStatus.PLANNED:
        return [_proactive(session, appointment.citizen_id, NETWORK_REMINDER, target, due, now, settings)
                for due in planned_reminder_times(appointment, now, settings)]
    told = (JobStatus.PENDING, JobStatus.RUNNING, JobStatus.DONE)
    if appointment.status == AppointmentStatus.CANCELLED and job_db.latest_job(
            session, appointment.citizen_id, NETWORK_CANCELLED, told, target=target) is None:
        return [_proactive(session, appointment.citizen_id, NETWORK_CANCELLED, target, now, now, settings)]
    return []


def plan_invitations(session: Session, appointment: Appointment, now: datetime,
                     settings: ProactiveSettings) -> list[Job]:
    """Every invited member's jobs for the appointment: on create, move, cancel and attendance."""
    jobs = []
    for invitation in network_db.invitations_for_appointment(session, appointment.id):
        jobs += plan_invitation(session, appointment, invitation.id, now, settings)
    return jobs


def cancel_invitation_jobs(session: Session, invitation_id: int, note: str) -> int:
    return job_db.cancel_open(session, network_db.invitation_target(invitation_id),
                              (NETWORK_REMINDER, NETWORK_CANCELLED), note=note)

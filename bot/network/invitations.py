"""Inviting a network member to one of the citizen's meetings, and what they are sent after that
(docs/decisions.md, "The citizen's network").

- The invitation SMS goes at once (queued in the caller's transaction); the member's reminders are
  jobs at the citizen's reminder times (quiet hours apply), target "invitation:<id>". A moved
  meeting re-plans them and a cancelled one cancels them and tells the member, both through
  bot/jobs/planner.py (`plan_invitations`), which every change of an appointment calls.
- A member is not a citizen: their messages never go through Rasa. The scheduler's handlers call
  `remind` / `tell_cancelled`, which queue the SMS (outbox purpose "network": held after the
  citizen's STOP, an ended course or the member's removal, and checked again at dispatch) and the
  job is done.
- Only time and place: never the meeting's kind or title, nor anything about the citizen's health;
  the citizen by first name only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.config import ProactiveSettings
from bot.core.danish_time import format_when
from bot.core.errors import Invalid, NotFound
from bot.core.texts import (
    NETWORK_CANCELLED,
    NETWORK_INVITATION,
    NETWORK_INVITATION_NO_PLACE,
    NETWORK_REMINDER,
    NETWORK_REMINDER_NO_PLACE,
)
from bot.core.vocabulary import AppointmentReply, AppointmentStatus, InvitationStatus
from bot.db import appointments as appointment_db
from bot.db import jobs as job_db
from bot.db import network as network_db
from bot.db.models import Appointment, Citizen, Job, MeetingInvitation, NetworkMember
from bot.jobs.planner import plan_invitation
from bot.network.members import find_member
from bot.sms.outbox import NETWORK, queue_sms

NOT_PLANNED = "not_planned"  # Invalid.field: the meeting is over or cancelled
STARTED = "started"  # Invalid.field: the meeting has begun
ALREADY_INVITED = "already_invited"  # Invalid.field: the member is invited to this meeting already


def first_name(citizen: Citizen) -> str:
    return citizen.name.split()[0] if citizen.name and citizen.name.split() else ""


def _values(appointment: Appointment, member: NetworkMember, citizen: Citizen,
            settings: ProactiveSettings) -> dict[str, str]:
    return {"member": member.name, "citizen": first_name(citizen),
            "when": format_when(appointment.starts_at, settings.timezone), "location": appointment.location or ""}


def invitation_text(appointment: Appointment, member: NetworkMember, citizen: Citizen,
                    settings: ProactiveSettings) -> str:
    template = NETWORK_INVITATION if appointment.location else NETWORK_INVITATION_NO_PLACE
    return template.format(**_values(appointment, member, citizen, settings))


def reminder_text(appointment: Appointment, member: NetworkMember, citizen: Citizen,
                  settings: ProactiveSettings) -> str:
    template = NETWORK_REMINDER if appointment.location else NETWORK_REMINDER_NO_PLACE
    return template.format(**_values(appointment, member, citizen, settings))


def cancelled_text(appointment: Appointment, settings: ProactiveSettings) -> str:
    return NETWORK_CANCELLED.format(when=format_when(appointment.starts_at, settings.timezone))


def invite(session: Session, appointment_id: int, scope: int | None, member_id: object, *, now: datetime,
           settings: ProactiveSettings) -> MeetingInvitation:
    """Invite the citizen's member to the citizen's planned, future meeting: the SMS now, the
    reminders later. Inviting the same member again to the same meeting is refused."""
    found = appointment_db.get_appointment_with_citizen(session, appointment_id, scope)
    if found is None:
        raise NotFound("appointment not found")
    appointment, citizen = found
    if not isinstance(member_id, int) or isinstance(member_id, bool):
        raise Invalid("'member_id' is required and must be an integer", "member_id")
    try:
        member = find_member(session, member_id, scope)
    except NotFound:
        member = None
    if member is None or member.citizen_id != citizen.id:
        raise Invalid("'member_id' is not a member of this citizen's network", "member_id")
    if appointment.status != AppointmentStatus.PLANNED:
        raise Invalid(f"the appointment is {appointment.status}; only a planned one can be attended", NOT_PLANNED)
    if appointment.starts_at <= now:
        raise Invalid("the appointment has already started", STARTED)
    invitation = network_db.get_invitation(session, appointment.id, member.id)
    if invitation is not None and invitation.status == InvitationStatus.INVITED:
        raise Invalid("this member is already invited to this appointment", ALREADY_INVITED)
    if invitation is None:
        invitation = MeetingInvitation(appointment_id=appointment.id, member_id=member.id, citizen_id=citizen.id,
                                       invited_at=now, status=InvitationStatus.INVITED.value)
        session.add(invitation)
    else:  # invited before, withdrawn: cannot happen for a current member, but stay consistent
        invitation.invited_at, invitation.status = now, InvitationStatus.INVITED.value
    session.flush()
    _queue(session, member, citizen, invitation_text(appointment, member, citizen, settings), now)
    plan_invitation(session, appointment, invitation.id, now, settings)
    return invitation


def _queue(session: Session, member: NetworkMember, citizen: Citizen, text: str, now: datetime) -> None:
    """The member's SMS, in the caller's transaction, on the citizen's row: held with the citizen's
    proactive messages and erased with them (module docstring)."""
    queue_sms(session, member.phone, text, purpose=NETWORK, now=now, citizen_id=citizen.id)


def _invited(session: Session, job: Job) -> tuple[MeetingInvitation, NetworkMember, Appointment] | str:
    """The job's invitation, its member and meeting while the member is still invited; else why not
    (the job's note)."""
    invitation = session.get(MeetingInvitation, job_db.target_id(job.target) or 0)
    if invitation is None or invitation.citizen_id != job.citizen_id:
        return "invitation deleted"
    member = session.get(NetworkMember, invitation.member_id)
    if invitation.status != InvitationStatus.INVITED or member.removed_at is not None:
        return f"invitation {invitation.status if member.removed_at is None else 'withdrawn'}"
    return invitation, member, session.get(Appointment, invitation.appointment_id)


def remind(session: Session, job: Job, citizen: Citizen, now: datetime, settings: ProactiveSettings) -> str | None:
    """The scheduler's NETWORK_REMINDER: queues the member's reminder; returns why not, or None."""
    found = _invited(session, job)
    if isinstance(found, str):
        return found
    _, member, appointment = found
    if appointment.status != AppointmentStatus.PLANNED:
        return f"appointment {appointment.status}"
    if now >= appointment.starts_at:
        return "appointment already started"
    if job_db.changed_while_running(session, job):
        return "appointment moved"
    if appointment.citizen_reply == AppointmentReply.CANNOT_COME:
        return "citizen cannot come"
    _queue(session, member, citizen, reminder_text(appointment, member, citizen, settings), now)
    return None


def tell_cancelled(session: Session, job: Job, citizen: Citizen, now: datetime,
                   settings: ProactiveSettings) -> str | None:
    """The scheduler's NETWORK_CANCELLED: tells an invited member the meeting is off."""
    found = _invited(session, job)
    if isinstance(found, str):
        return found
    invitation, member, appointment = found
    if appointment.status != AppointmentStatus.CANCELLED:
        return f"appointment {appointment.status}"
    invitation.status = InvitationStatus.CANCELLED.value
    _queue(session, member, citizen, cancelled_text(appointment, settings), now)
    return None

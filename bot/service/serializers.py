"""ORM rows to API JSON. Only these functions decide what leaves the service."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from bot.alerts.oversight import UnacknowledgedUrgent
from bot.core.vocabulary import CheckinStatus, CitizenStatus
from bot.db.models import (
    Agreement,
    Alert,
    Appointment,
    CheckIn,
    Citizen,
    Coordinator,
    CoordinatorChange,
    Job,
    OutcomeMeasure,
    Questionnaire,
)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def row_json(row) -> dict:
    """Every column of a row, as stored: for the citizen's data export, which must be complete."""
    def plain(value):
        return value.isoformat() if isinstance(value, (datetime, date)) else value

    return {attr.key: plain(getattr(row, attr.key)) for attr in sa.inspect(row).mapper.column_attrs}


def coordinator_json(c: Coordinator) -> dict:
    return {
        "id": c.id,
        "name": c.name,
        "phone": c.phone,
        "email": c.email,
        "backup_coordinator_id": c.backup_coordinator_id,
        "has_password": c.password_hash is not None,
        "created_at": iso(c.created_at),
        # Access that can be taken back (docs/privacy.md): a deactivated coordinator cannot log in.
        "active": c.deactivated_at is None,
        "deactivated_at": iso(c.deactivated_at),
        "token_rotated_at": iso(c.token_rotated_at),
    }


def citizen_json(c: Citizen) -> dict:
    return {
        "id": c.id,
        "name": c.name,
        "phone": c.phone,
        "coordinator_id": c.coordinator_id,
        "checkin_interval_days": c.checkin_interval_days,
        "programme": c.programme,
        "status": c.status,
        "opted_out": c.status == CitizenStatus.OPTED_OUT,
        "consent_at": iso(c.consent_at),
        "created_at": iso(c.created_at),
        # When the coordinator ended the course (also while the citizen has sent STOP).
        "course_ended_at": iso(c.course_ended_at),
        # Why: goals_reached, moved, declined or other (CourseEndReason); null while the course runs.
        "course_end_reason": c.course_end_reason,
        # The language the assistant writes in (migration 0021): "da", or a catalogue's code.
        "language": c.language,
    }


def checkin_json(c: CheckIn) -> dict:
    return {
        "id": c.id,
        "overall": c.overall,
        "areas": dict(c.areas or {}),
        "focus_areas": list(c.focus_areas or []),
        "note": c.note,
        "wants_contact": c.wants_contact,
        # open: being answered (stored from the first answer on); partial: stopped, set aside or
        # left open too long; complete. `complete` is kept for clients that read only it.
        "status": c.status,
        "complete": c.status == CheckinStatus.COMPLETE,
        "channel": c.channel,
        "created_at": iso(c.created_at),
        "last_answer_at": iso(c.last_answer_at),
    }


def alert_json(a: Alert) -> dict:
    return {
        "id": a.id,
        "citizen_id": a.citizen_id,
        "rule": a.rule,
        "severity": a.severity,
        "reason": a.reason,
        "status": a.status,
        "created_at": iso(a.created_at),
        "acknowledged_at": iso(a.acknowledged_at),
        "acknowledged_by": a.acknowledged_by,
        "resolved_at": iso(a.resolved_at),
        "resolution_note": a.resolution_note,
        "notified_at": iso(a.notified_at),
        "escalated_at": iso(a.escalated_at),
        "escalated_to": a.escalated_to,
        "duty_notified_at": iso(a.duty_notified_at),
        # The stored message the alert is about (other_language): GET /api/citizens/{id}/messages.
        "inbound_message_id": a.inbound_message_id,
    }


def urgent_unacknowledged_json(u: UnacknowledgedUrgent) -> dict:
    """Least data: whose citizen, which rule, how old, how far escalated; never who the citizen is."""
    return {
        "id": u.alert_id,
        "rule": u.rule,
        "label": u.label,
        "severity": "urgent",
        "created_at": iso(u.created_at),
        "coordinator_id": u.owner_id,
        "coordinator_name": u.owner_name,
        "escalated_at": iso(u.escalated_at),
        "escalated_to": u.escalated_to,
        "duty_notified_at": iso(u.duty_notified_at),
        "yours": u.yours,
    }


def agreement_json(a: Agreement) -> dict:
    return {
        "id": a.id,
        "appointment_id": a.appointment_id,
        "citizen_id": a.citizen_id,
        "what": a.what,
        "who": a.who,
        "owner_is_citizen": a.owner_is_citizen,
        "due_date": a.due_date.isoformat() if a.due_date else None,
        "status": a.status,
        "approved_at": iso(a.approved_at),
        "follow_up_answer": a.follow_up_answer,
        "followed_up_at": iso(a.followed_up_at),
        "created_at": iso(a.created_at),
    }


def job_json(j: Job) -> dict:
    return {
        "id": j.id,
        "citizen_id": j.citizen_id,
        "purpose": j.purpose,
        "target": j.target,
        "due_at": iso(j.due_at),
        "next_attempt_at": iso(j.next_attempt_at),
        "status": j.status,
        "attempts": j.attempts,
        "note": j.note,
        "last_error": j.last_error,
        "sent_at": iso(j.sent_at),
    }


def appointment_json(a: Appointment, jobs: list[Job] | None = None) -> dict:
    return {
        "id": a.id,
        "citizen_id": a.citizen_id,
        "kind": a.kind,
        "title": a.title,
        "starts_at": iso(a.starts_at),
        "ends_at": iso(a.ends_at),
        "location": a.location,
        "status": a.status,
        "citizen_reply": a.citizen_reply,
        "citizen_replied_at": iso(a.citizen_replied_at),
        "notify_if_unanswered": a.notify_if_unanswered,
        "interpreter": a.interpreter,
        "attendance_recorded_at": iso(a.attendance_recorded_at),
        "created_at": iso(a.created_at),
        "jobs": [job_json(j) for j in jobs or []],
    }


def outcome_json(m: OutcomeMeasure) -> dict:
    """One instrument answered in full: the items as given (0-5 WHO-5, 1-5 the others) and the
    0-100 score (null for the experience items, which are reported one by one)."""
    return {
        "instrument": m.instrument,
        "score": m.score,
        "items": list(m.items or []),
        "answered_at": iso(m.answered_at),
        "questionnaire_id": m.questionnaire_id,
    }


def questionnaire_json(q: Questionnaire) -> dict:
    """A round of outcome questions: planned, open (being answered), complete, partial or declined."""
    return {
        "id": q.id,
        "citizen_id": q.citizen_id,
        "status": q.status,
        "reason": q.reason,
        # 0 the baseline, 1 three months on, ...; null for a round a coordinator asked for.
        "round_no": q.round_no,
        "instruments": list(q.instruments or []),
        "requested_by": q.requested_by,
        "due_at": iso(q.due_at),
        "asked_at": iso(q.asked_at),
        "last_answer_at": iso(q.last_answer_at),
        "finished_at": iso(q.finished_at),
        "created_at": iso(q.created_at),
    }


def coordinator_change_json(c: CoordinatorChange, from_name: str, to_name: str, by_name: str | None) -> dict:
    """A change of coordinator (bot/citizens/reassign.py). `changed_by` null and `actor` "admin": the
    admin token made it."""
    return {
        "id": c.id,
        "citizen_id": c.citizen_id,
        "from_coordinator_id": c.from_coordinator_id,
        "from_coordinator_name": from_name,
        "to_coordinator_id": c.to_coordinator_id,
        "to_coordinator_name": to_name,
        "changed_at": iso(c.changed_at),
        "changed_by": c.changed_by,
        "changed_by_name": by_name,
        "actor": c.actor,
        "handover_appointment_id": c.handover_appointment_id,
    }


def colleague_json(c: Coordinator) -> dict:
    """A colleague to choose as a citizen's new coordinator: who, nothing more."""
    return {"id": c.id, "name": c.name}

"""The codes stored in the database, as enums: statuses, appointment kinds, job purposes. Values are
the stored strings (a member equals its string, so rows read back compare equal). Danish labels
for people live in bot/service/web/labels.py; alert rules and severities in alert_catalogue.py."""
from __future__ import annotations

from enum import Enum


class Code(str, Enum):
    """A stored code: str() and f-strings give the value, as Python 3.11's StrEnum does."""

    def __str__(self) -> str:
        return self.value

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)


class CitizenStatus(Code):
    ACTIVE = "active"
    OPTED_OUT = "opted_out"  # the citizen's own STOP
    ENDED = "inactive"  # the coordinator ended the course


class AppointmentStatus(Code):
    PLANNED = "planned"
    ATTENDED = "attended"
    MISSED = "missed"
    CANCELLED = "cancelled"


class AppointmentReply(Code):
    CONFIRMED = "confirmed"
    CANNOT_COME = "cannot_come"


class AppointmentKind(Code):
    OPSTARTSSAMTALE = "opstartssamtale"
    NETVAERKSMOEDE = "netvaerksmoede"
    OPFOELGNING = "opfoelgning"
    AFSLUTNINGSSAMTALE = "afslutningssamtale"
    ANDET = "andet"


class AlertStatus(Code):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class CheckinStatus(Code):
    """A lyskurve check-in is stored at its first answer (docs/architecture.md, "Check-ins and alerts")."""
    OPEN = "open"  # answered so far, the citizen may still be answering
    COMPLETE = "complete"  # every question answered (or skipped)
    PARTIAL = "partial"  # stopped, set aside, or left open too long; a later answer can still complete it


class JobStatus(Code):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    FAILED = "failed"


class OutboxStatus(Code):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class EmailStatus(Code):
    """The e-mail outbox: no delivery reports, so no delivered/undelivered, and nothing suppressed."""
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class PreparationStatus(Code):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class AgreementStatus(Code):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class SummaryApproval(Code):
    """The citizen's answer to the meeting summary and its agreements (meeting_summaries.approval)."""
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Purpose(Code):
    """What a proactive job is for; one with an intent is delivered as Rasa's EXTERNAL_<purpose>."""
    REMINDER = "appointment_reminder"
    UNANSWERED = "appointment_unanswered"  # internal: alerts the coordinator, sends nothing
    MISSED_FOLLOWUP = "missed_followup"
    CHECKIN_PROMPT = "checkin_prompt"
    CHECKIN_NUDGE = "checkin_nudge"
    PREPARATION_INVITE = "preparation_invite"
    AGREEMENTS_APPROVAL = "agreements_approval"
    AGREEMENT_FOLLOWUP = "agreement_followup"
    CHECKIN_OPEN_NUDGE = "checkin_open_nudge"  # one kind nudge about a check-in left open
    CHECKIN_CLOSE = "checkin_close"  # internal: closes a check-in left open as partial, sends nothing
    # Outcome measures (bot/outcomes/): the round's first question, and one nudge if it stops halfway.
    QUESTIONNAIRE_PROMPT = "questionnaire_prompt"
    QUESTIONNAIRE_NUDGE = "questionnaire_nudge"
    # The citizen's network (bot/network/): a member's reminder and the notice of a cancelled
    # meeting. Queued as SMS to the member by the handler, never through Rasa (not a citizen).
    NETWORK_REMINDER = "network_reminder"
    NETWORK_CANCELLED = "network_cancelled"
    # Goals (bot/goals/): "Hvordan går det med dit mål: ...?" (target "goal:<id>").
    GOAL_PROGRESS = "goal_progress"


class QuestionnaireStatus(Code):
    """A round of outcome questions (bot/outcomes/record.py)."""
    PLANNED = "planned"  # its prompt is planned, nothing asked yet
    OPEN = "open"  # asked; answered so far, the citizen may still be answering
    COMPLETE = "complete"  # every question answered
    PARTIAL = "partial"  # not finished within QUESTIONNAIRE_CLOSE_DAYS; what was answered is kept
    DECLINED = "declined"  # the citizen said no to this round


class QuestionnaireReason(Code):
    """Why a round was asked (docs/outcomes.md, "When")."""
    BASELINE = "baseline"  # the first week of a course
    FOLLOW_UP = "follow_up"  # every QUESTIONNAIRE_INTERVAL_DAYS after the previous planned round
    REQUESTED = "requested"  # a coordinator asked for it (POST /api/citizens/{id}/questionnaires)
    FINAL = "final"  # the course ended: offered in the goodbye SMS (bot/citizens/course.py)


class GoalStatus(Code):
    """A goal of the citizen's plan (bot/goals/plan.py)."""
    ACTIVE = "active"
    REACHED = "reached"
    DROPPED = "dropped"


class CourseEndReason(Code):
    """Why a course ended (issue 14 §6; citizens.course_end_reason, migration 0017)."""
    GOALS_REACHED = "goals_reached"
    MOVED = "moved"
    DECLINED = "declined"  # the citizen did not want it any more
    OTHER = "other"


class ActorKind(Code):
    """Who read or changed a citizen's data (access_log.actor) or erased them (erasures.actor)."""
    COORDINATOR = "coordinator"  # with their id
    ADMIN = "admin"  # the ADMIN_TOKEN: no person's id to record, so the kind says it


class InvitationStatus(Code):
    """A network member's invitation to a meeting (meeting_invitations.status, migration 0019)."""
    INVITED = "invited"
    CANCELLED = "cancelled"  # the meeting was cancelled (the member was told)
    WITHDRAWN = "withdrawn"  # the member's consent was removed

"""The coordination database schema. Alembic migrations in bot/db/migrations mirror this file."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

from bot.core.alert_catalogue import Severity
from bot.core.clock import process_clock
from bot.core.vocabulary import (
    ActorKind,
    AgreementStatus,
    AlertStatus,
    AppointmentKind,
    AppointmentReply,
    AppointmentStatus,
    CheckinStatus,
    CitizenStatus,
    EmailStatus,
    GoalStatus,
    InvitationStatus,
    JobStatus,
    OutboxStatus,
    PreparationStatus,
    QuestionnaireStatus,
    SummaryApproval,
)

Base = declarative_base()

COLOURS = ("green", "yellow", "red")
# The stored codes, as plain strings; the enums in bot/core/vocabulary.py are the one definition.
APPOINTMENT_KINDS = AppointmentKind.values()
APPOINTMENT_STATUSES = AppointmentStatus.values()
APPOINTMENT_REPLIES = AppointmentReply.values()
CITIZEN_STATUSES = CitizenStatus.values()
CHECKIN_STATUSES = CheckinStatus.values()
ALERT_STATUSES = AlertStatus.values()
SEVERITIES = Severity.values()
STRATIFICATION_COMPLEXITY = ("low", "high")  # complexity of the functional impairment
STRATIFICATION_COPING = ("good", "weak")  # the citizen's coping ability (mestringsevne)


class UTCDateTime(sa.types.TypeDecorator):
    """Always timezone-aware UTC in Python; SQLite has no time zones, so it stores naive UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _now() -> datetime:
    # The process's clock, so rows written by a test stack carry the stack's time (bot/core/clock.py).
    return process_clock().now()


class Coordinator(Base):
    __tablename__ = "coordinators"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    phone = sa.Column(sa.String(20))
    email = sa.Column(sa.String(254))
    # Only a SHA-256 of the API token is kept; the token itself is shown once at creation.
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    # Dashboard login (argon2); NULL = no dashboard access until a password is set.
    password_hash = sa.Column(sa.String(200))
    # Who gets an alert that this coordinator has not acknowledged in time.
    backup_coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))
    # Added by migration 0012 (docs/privacy.md, "Access that can be taken back"): a deactivated
    # coordinator cannot log in, and their sessions and API token stop working at once.
    deactivated_at = sa.Column(UTCDateTime)
    # When the API token was last replaced (the old one stops working at once).
    token_rotated_at = sa.Column(UTCDateTime)

    citizens = relationship("Citizen", back_populates="coordinator")


class Citizen(Base):
    __tablename__ = "citizens"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    phone = sa.Column(sa.String(20), nullable=False, unique=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False, index=True)
    checkin_interval_days = sa.Column(sa.Integer, nullable=False, default=7)
    programme = sa.Column(sa.String(50), nullable=False, default="standard")
    status = sa.Column(sa.String(20), nullable=False, default=CitizenStatus.ACTIVE.value)
    consent_at = sa.Column(UTCDateTime)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    # Added by migration 0008: when the coordinator ended the course (NULL while it runs). Kept while
    # the citizen has sent STOP (status "opted_out"), so their START does not reopen an ended course
    # (docs/decisions.md, "STOP and START on an ended course").
    course_ended_at = sa.Column(UTCDateTime)
    # Migration 0017: why the coordinator ended it (CourseEndReason); NULL while it runs.
    course_end_reason = sa.Column(sa.String(20))
    # Added by migration 0012: the random id every web-chat link of this citizen carries
    # (bot/citizens/chat_links.py). A new id (or NULL: no link works) revokes every link given out
    # before; when and why the last revocation happened is kept for the coordinator and the audit.
    chat_link_id = sa.Column(sa.String(32), unique=True)
    chat_links_revoked_at = sa.Column(UTCDateTime)
    chat_links_revoked_because = sa.Column(sa.String(20))
    # Migration 0021: the language the assistant writes to the citizen in (bot/citizens/language.py).
    language = sa.Column(sa.String(8), nullable=False, default="da", server_default="da")

    coordinator = relationship("Coordinator", back_populates="citizens")


class Appointment(Base):
    __tablename__ = "appointments"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(30), nullable=False)
    title = sa.Column(sa.String(200))
    starts_at = sa.Column(UTCDateTime, nullable=False)
    ends_at = sa.Column(UTCDateTime)
    location = sa.Column(sa.String(200))
    status = sa.Column(sa.String(20), nullable=False, default=AppointmentStatus.PLANNED.value)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    # Added by migration 0003 (scheduling): the citizen's answer to a reminder, and whether the
    # coordinator wants an alert when a reminder is still unanswered 2 hours before.
    citizen_reply = sa.Column(sa.String(20))
    citizen_replied_at = sa.Column(UTCDateTime)
    notify_if_unanswered = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    attendance_recorded_at = sa.Column(UTCDateTime)
    # Migration 0021: an interpreter comes to the meeting (shown on the agenda, said in the reminder).
    interpreter = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())


class CheckIn(Base):
    __tablename__ = "checkins"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    overall = sa.Column(sa.String(10))
    areas = sa.Column(sa.JSON, nullable=False, default=dict)
    focus_areas = sa.Column(sa.JSON, nullable=False, default=list)
    note = sa.Column(sa.Text)
    wants_contact = sa.Column(sa.Boolean)
    channel = sa.Column(sa.String(20), nullable=False, default="rest")
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now, index=True)
    # Migration 0009: stored at the first answer and completed by the later ones (bot/checkins/record.py);
    # `status` replaced the boolean `complete`. last_answer_at times the nudge and the close of one left open.
    status = sa.Column(sa.String(10), nullable=False, default=CheckinStatus.COMPLETE.value, index=True)
    last_answer_at = sa.Column(UTCDateTime)
    # Migration 0022: how many times a question of this check-in was asked again after an unclear
    # answer (bot/checkins/record.py); NULL when nobody counted (before 0022, demo data, imports).
    clarifications = sa.Column(sa.Integer)


class Alert(Base):
    __tablename__ = "alerts"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    checkin_id = sa.Column(sa.Integer, sa.ForeignKey("checkins.id"), index=True)  # rules_raised (0023)
    rule = sa.Column(sa.String(40), nullable=False)
    severity = sa.Column(sa.String(10), nullable=False)
    reason = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default=AlertStatus.OPEN.value, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    acknowledged_at = sa.Column(UTCDateTime)
    acknowledged_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))
    resolved_at = sa.Column(UTCDateTime)
    resolved_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))
    resolution_note = sa.Column(sa.Text)
    notified_at = sa.Column(UTCDateTime)  # the responsible coordinator was told (no health content)
    escalated_at = sa.Column(UTCDateTime)
    escalated_to = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))  # NULL: no backup, owner reminded
    # Urgent only: still unacknowledged after the backup's window, the duty contact was told (0010).
    duty_notified_at = sa.Column(UTCDateTime)
    # Migration 0015: the round of outcome questions an alert came from, and the rule's threshold
    # (WHO-5: the 10-point fall, or the top of the 0-35 band), so the coordinator sees why.
    questionnaire_id = sa.Column(sa.Integer, sa.ForeignKey("questionnaires.id"))
    threshold = sa.Column(sa.Integer)
    # Migration 0020: a colleague took this urgent alert over by break-glass (bot/alerts/oversight.py);
    # only that keeps it visible to them, not having acknowledged it on a citizen who was theirs then.
    taken_over_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))
    # Migration 0021: the citizen's message the alert is about (other_language); the words stay in
    # inbound_messages and go with its retention, the alert keeps only the pointer.
    inbound_message_id = sa.Column(sa.Integer, sa.ForeignKey("inbound_messages.id", ondelete="SET NULL"))


class InboundMessage(Base):
    """What a registered citizen wrote, per channel. Unknown senders are never logged."""

    __tablename__ = "inbound_messages"
    __table_args__ = (sa.UniqueConstraint("channel", "provider_id", name="uq_inbound_provider_id"),
                      sa.Index("ix_inbound_messages_unanswered", "channel", "answered_at", "received_at"))

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    channel = sa.Column(sa.String(20), nullable=False)
    provider_id = sa.Column(sa.String(100))
    text = sa.Column(sa.Text, nullable=False)
    received_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    # An SMS turn that finished (its replies are in the outbox); NULL until then, and for other
    # channels, whose citizen sees at once that no answer came (0014; bot/sms/unanswered.py).
    answered_at = sa.Column(UTCDateTime)


class SeenInboundId(Base):
    """Every operator message id (MO) ever taken, as a SHA-256 of "channel:id": a replayed MO is a
    duplicate even after its inbound_messages row was erased or pruned. No citizen, no text, no
    phone: it is not part of a citizen's export or erasure, and it outlives them (0011;
    docs/decisions.md, "SMS integrity")."""

    __tablename__ = "seen_inbound_ids"

    id_hash = sa.Column(sa.String(64), primary_key=True)
    seen_at = sa.Column(UTCDateTime, nullable=False, default=_now)


OUTBOX_STATUSES = OutboxStatus.values()


class OutboxMessage(Base):
    """Every SMS the system sends is stored here first; the dispatcher sends it, in order per
    recipient, and delivery reports update it. Nothing is sent that was not stored."""

    __tablename__ = "outbox"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), index=True)
    msisdn = sa.Column(sa.String(20), nullable=False, index=True)
    # reply: answer to the citizen's own message; proactive: started by us; notification: to staff
    purpose = sa.Column(sa.String(20), nullable=False, default="reply")
    text = sa.Column(sa.Text, nullable=False)
    segments = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default=OutboxStatus.QUEUED.value, index=True)
    # Why a 'suppressed' message was never sent: opted_out, course_ended, no_citizen (0011).
    suppressed_reason = sa.Column(sa.String(20))
    # How many times it was handed to the operator (a delivery report needs at least one).
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(UTCDateTime, nullable=False)
    last_error = sa.Column(sa.Text)
    provider_id = sa.Column(sa.String(100), index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    sent_at = sa.Column(UTCDateTime)
    status_at = sa.Column(UTCDateTime)


EMAIL_OUTBOX_STATUSES = EmailStatus.values()


class EmailOutboxMessage(Base):
    """Every notification e-mail is stored here first, in the transaction that decided to send it; the
    e-mail dispatcher sends it afterwards over SMTP, outside any transaction, with retries. Only to
    coordinators, and never with a citizen's name or health data."""

    __tablename__ = "email_outbox"
    __table_args__ = (sa.Index("ix_email_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id = sa.Column(sa.Integer, primary_key=True)
    recipient = sa.Column(sa.String(254), nullable=False)
    subject = sa.Column(sa.String(200), nullable=False)
    body = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default=EmailStatus.QUEUED.value)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(UTCDateTime, nullable=False)
    last_error = sa.Column(sa.Text)
    # When a dispatcher took the row for sending: a row left 'sending' long after is put back in the queue.
    claimed_at = sa.Column(UTCDateTime)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    sent_at = sa.Column(UTCDateTime)


class FakeSms(Base):
    """The development/test gateway's own store (what the fake operator received and delivered)."""

    __tablename__ = "fake_sms"

    id = sa.Column(sa.Integer, primary_key=True)
    direction = sa.Column(sa.String(2), nullable=False)  # "mt" to the phone, "mo" from the phone
    msisdn = sa.Column(sa.String(20), nullable=False, index=True)  # digits, no "+", as on the wire
    sender = sa.Column(sa.String(20))
    message = sa.Column(sa.Text, nullable=False)
    userref = sa.Column(sa.String(100))
    callback_url = sa.Column(sa.String(500))
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)


PREPARATION_STATUSES = PreparationStatus.values()
AGREEMENT_STATUSES = AgreementStatus.values()
SUMMARY_APPROVALS = SummaryApproval.values()


class Preparation(Base):
    """The citizen's own agenda for a meeting, kept answer by answer so it can be resumed days later."""

    __tablename__ = "preparations"

    id = sa.Column(sa.Integer, primary_key=True)
    appointment_id = sa.Column(sa.Integer, sa.ForeignKey("appointments.id"), nullable=False, unique=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    status = sa.Column(sa.String(20), nullable=False, default=PreparationStatus.IN_PROGRESS.value)
    # question key -> the citizen's words verbatim, or None when skipped ("spring over")
    answers = sa.Column(sa.JSON, nullable=False, default=dict)
    correction = sa.Column(sa.Text)  # what the citizen said was wrong in the summary
    updated_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    completed_at = sa.Column(UTCDateTime)


class MeetingSummary(Base):
    """What the coordinator wrote after the meeting, and the citizen's own next step (teach-back)."""

    __tablename__ = "meeting_summaries"

    id = sa.Column(sa.Integer, primary_key=True)
    appointment_id = sa.Column(sa.Integer, sa.ForeignKey("appointments.id"), nullable=False, unique=True)
    summary = sa.Column(sa.JSON, nullable=False, default=dict)
    approval = sa.Column(sa.String(20), nullable=False, default=SummaryApproval.PENDING.value)  # SUMMARY_APPROVALS
    approval_at = sa.Column(UTCDateTime)
    rejection_note = sa.Column(sa.Text)
    citizen_next_step = sa.Column(sa.Text)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)


class Agreement(Base):
    """Who does what by when, approved by the citizen and followed up about two weeks later."""

    __tablename__ = "agreements"

    id = sa.Column(sa.Integer, primary_key=True)
    appointment_id = sa.Column(sa.Integer, sa.ForeignKey("appointments.id"), nullable=False, index=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    what = sa.Column(sa.String(300), nullable=False)
    who = sa.Column(sa.String(100), nullable=False)
    owner_is_citizen = sa.Column(sa.Boolean, nullable=False, default=False)
    due_date = sa.Column(sa.Date)
    status = sa.Column(sa.String(20), nullable=False, default=AgreementStatus.PROPOSED.value)
    approved_at = sa.Column(UTCDateTime)
    follow_up_answer = sa.Column(sa.String(10))  # yes|no|unknown
    followed_up_at = sa.Column(UTCDateTime)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
# --- proactive messaging (docs/architecture.md, "Proactive messages") ---------------------------
JOB_STATUSES = JobStatus.values()


class Job(Base):
    """One proactive action for one citizen. The natural key (citizen, purpose, target, due_at) makes
    planning idempotent: a restart or a second scheduler plans the same row, never a second one."""

    __tablename__ = "jobs"
    __table_args__ = (
        sa.UniqueConstraint("citizen_id", "purpose", "target", "due_at", name="uq_jobs_natural_key"),
        sa.Index("ix_jobs_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index("ix_jobs_target", "target"),
        # The claim's "has this citizen a job running" (bot/db/jobs.py claim_due; migration 0024).
        sa.Index("ix_jobs_citizen_status", "citizen_id", "status"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False)
    purpose = sa.Column(sa.String(40), nullable=False)
    # What the job is about, e.g. "appointment:12"; "" when nothing (NULL would escape the unique key).
    target = sa.Column(sa.String(60), nullable=False, default="")
    due_at = sa.Column(UTCDateTime, nullable=False)
    # When it may run: due_at moved out of quiet hours, or later after a failed attempt.
    next_attempt_at = sa.Column(UTCDateTime, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default=JobStatus.PENDING.value)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    last_error = sa.Column(sa.Text)
    # Why a job was skipped ("opted_out", "answered", ...): kept so the coordinator can see it.
    note = sa.Column(sa.String(200))
    claim_token = sa.Column(sa.String(32))
    locked_until = sa.Column(UTCDateTime)
    sent_at = sa.Column(UTCDateTime)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=_now, onupdate=_now)
class Stratification(Base):
    """The coordinator's judgement of how much support a citizen needs (Esbjerg's four levels).
    Rows are never updated: a new judgement is a new row, so the history stays. Never shown to the
    citizen and never set by the system."""

    __tablename__ = "stratifications"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False)
    complexity = sa.Column(sa.String(10), nullable=False)
    coping = sa.Column(sa.String(10), nullable=False)
    level = sa.Column(sa.Integer, nullable=False)
    rationale = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)


class AccessLog(Base):
    """Who read or changed which citizen's data, and when (docs/privacy.md, "The access log"). One
    row per request through the API or the dashboard (bot/service/access_log.py), by a coordinator
    or the admin token. Migration 0013: the actor's kind; `citizen_id` NULL for a list of citizens,
    or after the citizen's erasure, which keeps the row and points it at the erasure instead."""

    __tablename__ = "access_log"

    id = sa.Column(sa.Integer, primary_key=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))  # NULL: the admin
    actor = sa.Column(sa.String(12), nullable=False, default=ActorKind.COORDINATOR.value,
                      server_default=ActorKind.COORDINATOR.value)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), index=True)
    erasure_id = sa.Column(sa.Integer, sa.ForeignKey("erasures.id"), index=True)  # set by the erasure
    action = sa.Column(sa.String(40), nullable=False)
    status = sa.Column(sa.Integer)  # the HTTP status of the request (NULL: written by a use case)
    at = sa.Column(UTCDateTime, nullable=False, default=_now, index=True)


class WebSession(Base):
    """A dashboard login. Server-side so that logout and expiry really end it; the cookie holds a
    signed random id whose SHA-256 is the key here."""

    __tablename__ = "web_sessions"

    id_hash = sa.Column(sa.String(64), primary_key=True)
    coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False, index=True)
    csrf_token = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)
    expires_at = sa.Column(UTCDateTime, nullable=False)


class LoginFailure(Base):
    """Failed dashboard logins, per e-mail and client address, for slowing down guessing."""

    __tablename__ = "login_failures"
    # email first: per account across addresses and per account and address; ip alone: one address
    # guessing across accounts (bot/service/web/throttle.py; the second index is from migration 0012).
    __table_args__ = (sa.Index("ix_login_failures_email_ip", "email", "ip"), sa.Index("ix_login_failures_ip", "ip"))

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(254), nullable=False)
    ip = sa.Column(sa.String(64), nullable=False)
    failed_at = sa.Column(UTCDateTime, nullable=False)


class Erasure(Base):
    """That a citizen's data was erased, when and by whom: the accountability GDPR asks for, with
    nothing left that identifies the citizen (no name, no phone; the id is no longer anyone's)."""

    __tablename__ = "erasures"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, nullable=False)  # no foreign key: that row is gone
    erased_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))  # NULL: the admin token
    erased_at = sa.Column(UTCDateTime, nullable=False)
    rows = sa.Column(sa.JSON, nullable=False, default=dict)  # table -> rows deleted
    # Migration 0013: who erased (the admin has no coordinator id), and when Rasa's own HTTP API
    # showed the conversation gone (NULL: not confirmed; bot/citizens/privacy.py).
    actor = sa.Column(sa.String(12), nullable=False, default=ActorKind.COORDINATOR.value,
                      server_default=ActorKind.COORDINATOR.value)
    tracker_verified_at = sa.Column(UTCDateTime)


class Questionnaire(Base):
    """One round of outcome questions for one citizen (bot/outcomes/; migration 0015): which
    instruments, why, when it is due, and how far the citizen got. The answers are in
    outcome_measures, one row per instrument."""

    __tablename__ = "questionnaires"
    # One row per planned round of a course (round_no), however many schedulers plan it at once.
    __table_args__ = (sa.Index("ix_questionnaires_citizen_status", "citizen_id", "status"),
                      sa.UniqueConstraint("citizen_id", "round_no", name="uq_questionnaires_round"))

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False)
    reason = sa.Column(sa.String(20), nullable=False)  # QuestionnaireReason
    # The planned rounds of a course, counted: 0 the baseline, 1 three months on, ...; NULL when asked for.
    round_no = sa.Column(sa.Integer)
    instruments = sa.Column(sa.JSON, nullable=False)  # ["who5", "inspire_o", "experience"], in asking order
    requested_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))
    status = sa.Column(sa.String(10), nullable=False, default=QuestionnaireStatus.PLANNED.value)
    due_at = sa.Column(UTCDateTime, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    asked_at = sa.Column(UTCDateTime)  # the first question went out
    last_answer_at = sa.Column(UTCDateTime)
    finished_at = sa.Column(UTCDateTime)  # complete, partial or declined


class OutcomeMeasure(Base):
    """One instrument's answers in one round: the items as the citizen gave them (NULL not yet
    answered), and the score once every item is answered."""

    __tablename__ = "outcome_measures"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "instrument", name="uq_outcome_measures_instrument"),
                      sa.Index("ix_outcome_measures_citizen", "citizen_id", "instrument", "answered_at"))

    id = sa.Column(sa.Integer, primary_key=True)
    questionnaire_id = sa.Column(sa.Integer, sa.ForeignKey("questionnaires.id"), nullable=False)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False)
    instrument = sa.Column(sa.String(20), nullable=False)
    items = sa.Column(sa.JSON, nullable=False)  # [int | None, ...], one per item
    score = sa.Column(sa.Integer)  # 0-100; NULL until complete, and for items without a total
    answered_at = sa.Column(UTCDateTime)  # the last item was answered


class CoordinatorChange(Base):
    """A citizen moved from one coordinator to another (bot/citizens/reassign.py; migration 0016).
    Everything else about the citizen stays where it was: only `citizens.coordinator_id` changes, and
    this row keeps who had them before, who made the change and when."""

    __tablename__ = "coordinator_changes"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    from_coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False)
    to_coordinator_id = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False)
    changed_at = sa.Column(UTCDateTime, nullable=False)
    changed_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))  # NULL: the admin
    actor = sa.Column(sa.String(20), nullable=False)  # ActorKind
    handover_appointment_id = sa.Column(sa.Integer, sa.ForeignKey("appointments.id"))


# --- goals and the plan (issue 14 §1; bot/goals/, migration 0018) --------------------------------
GOAL_SOURCES = ("coordinator", "preparation")
GOAL_STATUSES = GoalStatus.values()
GOAL_PROGRESS = ("ja", "lidt", "nej")
STEP_DONE_BY = ("citizen", "coordinator")


class Goal(Base):
    """A goal in the citizen's own words, and how they last said it was going (JA/LIDT/NEJ)."""

    __tablename__ = "goals"
    __table_args__ = (sa.Index("ix_goals_citizen_status", "citizen_id", "status"),)

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False)
    text = sa.Column(sa.String(300), nullable=False)
    source = sa.Column(sa.String(20), nullable=False, default="coordinator")  # GOAL_SOURCES
    status = sa.Column(sa.String(10), nullable=False, default=GoalStatus.ACTIVE.value)  # GOAL_STATUSES
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    created_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))  # NULL: the citizen or the admin
    reached_at = sa.Column(UTCDateTime)
    last_progress = sa.Column(sa.String(10))  # GOAL_PROGRESS, NULL: never asked
    last_progress_at = sa.Column(UTCDateTime)


class GoalStep(Base):
    """One step toward a goal: what, who ("Du" is the citizen), by when, and whether it is done."""

    __tablename__ = "goal_steps"

    id = sa.Column(sa.Integer, primary_key=True)
    goal_id = sa.Column(sa.Integer, sa.ForeignKey("goals.id"), nullable=False, index=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    text = sa.Column(sa.String(300), nullable=False)
    owner = sa.Column(sa.String(100), nullable=False)
    due_date = sa.Column(sa.Date)
    created_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    done_at = sa.Column(UTCDateTime)  # NULL: open
    done_by = sa.Column(sa.String(20))  # STEP_DONE_BY


# --- the citizen's network (issue 14 §3; bot/network/, migration 0019) ----------------------------
class NetworkMember(Base):
    """A person the citizen chose (a relative, a friend, a mentor), with the citizen's consent to
    write to them. Removing the consent erases name, relation and phone: only that a member existed
    is kept (docs/decisions.md, "The citizen's network")."""

    __tablename__ = "network_members"

    id = sa.Column(sa.Integer, primary_key=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    name = sa.Column(sa.String(100))  # NULL once the consent is removed
    relation = sa.Column(sa.String(50))
    phone = sa.Column(sa.String(20))  # E.164; NULL once the consent is removed
    consent_at = sa.Column(UTCDateTime, nullable=False)  # when the citizen agreed
    added_by = sa.Column(sa.Integer, sa.ForeignKey("coordinators.id"))  # NULL: the admin
    added_at = sa.Column(UTCDateTime, nullable=False, default=_now)
    removed_at = sa.Column(UTCDateTime)


class MeetingInvitation(Base):
    """A network member invited to one of the citizen's meetings; the member's reminder jobs have
    the target "invitation:<id>"."""

    __tablename__ = "meeting_invitations"
    __table_args__ = (sa.UniqueConstraint("appointment_id", "member_id", name="uq_meeting_invitations"),)

    id = sa.Column(sa.Integer, primary_key=True)
    appointment_id = sa.Column(sa.Integer, sa.ForeignKey("appointments.id"), nullable=False, index=True)
    member_id = sa.Column(sa.Integer, sa.ForeignKey("network_members.id"), nullable=False, index=True)
    citizen_id = sa.Column(sa.Integer, sa.ForeignKey("citizens.id"), nullable=False, index=True)
    invited_at = sa.Column(UTCDateTime, nullable=False)
    status = sa.Column(sa.String(20), nullable=False, default=InvitationStatus.INVITED.value)

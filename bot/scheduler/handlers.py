"""What each kind of job does when it is due. `prepare` runs in one transaction and decides: send
(through Rasa, after the transaction), skip (recorded with the reason) or done (internal jobs, which
only raise alerts). `after_sent` runs once a delivered job is marked done."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.appointments.attendance import unanswered_alert
from bot.checkins.answers import GREEN, RED, YELLOW
from bot.checkins.record import close_stale
from bot.core.alert_catalogue import Rule
from bot.core.config import ProactiveSettings
from bot.core.vocabulary import (
    AgreementStatus,
    AppointmentReply,
    AppointmentStatus,
    CheckinStatus,
    CitizenStatus,
    GoalStatus,
    JobStatus,
    PreparationStatus,
    QuestionnaireStatus,
    SummaryApproval,
)
from bot.db import agreements as agreement_db
from bot.db import alerts as alert_db
from bot.db import checkins as checkin_db
from bot.db import goals as goal_db
from bot.db import jobs as job_db
from bot.db import outcomes as outcome_db
from bot.db import preparations as prep_db
from bot.db.models import Agreement, Appointment, CheckIn, Citizen, Job, Questionnaire
from bot.jobs import planner, timing
from bot.jobs.purposes import (
    AGREEMENT_FOLLOWUP,
    AGREEMENTS_APPROVAL,
    CAN_WAIT,
    CHECKIN_CLOSE,
    CHECKIN_NUDGE,
    CHECKIN_OPEN_NUDGE,
    CHECKIN_PROMPT,
    DELIVERED,
    GOAL_PROGRESS,
    MISSED_FOLLOWUP,
    NETWORK_CANCELLED,
    NETWORK_REMINDER,
    PREPARATION_INVITE,
    QUESTIONNAIRE_NUDGE,
    QUESTIONNAIRE_PROMPT,
    REMINDER,
    UNANSWERED,
    external_intent,
)
from bot.network import invitations as network


@dataclass(frozen=True)
class Decision:
    action: str  # "send" | "skip" | "done" | "defer" (until `until`)
    note: str = ""
    sender: str = ""
    intent: str = ""
    entities: dict = field(default_factory=dict)
    until: datetime | None = None


def skip(note: str) -> Decision:
    return Decision("skip", note)


def _send(citizen: Citizen, job: Job, **entities) -> Decision:
    return Decision("send", sender=citizen.phone, intent=external_intent(job.purpose), entities=entities)


def _appointment(session: Session, job: Job) -> Appointment | None:
    appointment_id = job_db.target_id(job.target)
    return session.get(Appointment, appointment_id) if appointment_id else None


def _reminder(session: Session, job: Job, citizen: Citizen, now: datetime, settings: ProactiveSettings) -> Decision:
    appointment = _appointment(session, job)
    if appointment is None or appointment.status != AppointmentStatus.PLANNED:
        return skip(f"appointment {appointment.status if appointment else 'deleted'}")
    if now >= appointment.starts_at:
        return skip("appointment already started")
    if job_db.changed_while_running(session, job):
        return skip("appointment moved")
    if appointment.citizen_reply == AppointmentReply.CANNOT_COME:
        return skip("citizen cannot come")
    return _send(citizen, job, appointment_id=appointment.id)


def _unanswered(session: Session, job: Job, citizen: Citizen, now: datetime, settings: ProactiveSettings) -> Decision:
    appointment = _appointment(session, job)
    if appointment is None or appointment.status != AppointmentStatus.PLANNED or not appointment.notify_if_unanswered:
        return skip("no longer relevant")
    if appointment.citizen_reply is not None:
        return skip("citizen answered")
    reminders = job_db.list_jobs(session, target=job.target, purpose=REMINDER)
    if not any(r.status == JobStatus.DONE for r in reminders):
        return skip("no reminder was sent")
    unanswered_alert(session, appointment, now, settings)
    return Decision("done", "alert raised")


def _missed(session: Session, job: Job, citizen: Citizen, now: datetime, settings: ProactiveSettings) -> Decision:
    appointment = _appointment(session, job)
    if appointment is None or appointment.status != AppointmentStatus.MISSED:
        return skip("appointment no longer marked missed")
    return _send(citizen, job, appointment_id=appointment.id)


def _prompt(session: Session, job: Job, citizen: Citizen, now: datetime, settings: ProactiveSettings) -> Decision:
    recent = now - timedelta(days=citizen.checkin_interval_days / 2)
    if checkin_db.checked_in_since(session, citizen.id, recent):
        return skip("checked in recently")
    return _send(citizen, job)


def _nudge(session: Session, job: Job, citizen: Citizen, now: datetime, settings: ProactiveSettings) -> Decision:
    prompt = session.get(Job, job_db.target_id(job.target))
    if prompt is None or prompt.sent_at is None:
        return skip("prompt not sent")
    if checkin_db.checked_in_since(session, citizen.id, prompt.sent_at):
        return skip("citizen checked in")
    return _send(citizen, job)


def _open_checkin(session: Session, job: Job) -> CheckIn | None:
    """The check-in a job of the open check-in is about, if it is still open."""
    checkin = checkin_db.get_checkin(session, job_db.target_id(job.target) or 0, job.citizen_id)
    return checkin if checkin is not None and checkin.status == CheckinStatus.OPEN else None


def _checkin_open_nudge(session: Session, job: Job, citizen: Citizen, now: datetime,
                        settings: ProactiveSettings) -> Decision:
    """One kind nudge about a check-in left open (docs/decisions.md, "An answer counts the moment it
    is given"). Planned from the first answer; each later answer moves it, so it waits for its time."""
    checkin = _open_checkin(session, job)
    if checkin is None:
        return skip("check-in finished")
    due = timing.open_checkin_nudge_time(checkin.last_answer_at, settings)
    if now < due:
        return Decision("defer", note="answered since", until=due)
    return _send(citizen, job)


def _checkin_close(session: Session, job: Job, citizen: Citizen, now: datetime,
                   settings: ProactiveSettings) -> Decision:
    """A check-in still open at its close time is closed as partial; answered since, it closes later."""
    checkin = _open_checkin(session, job)
    if checkin is None:
        return skip("check-in finished")
    if checkin in close_stale(session, now, settings, citizen_ids=[citizen.id]):
        return Decision("done", "closed as partial")
    planner.plan_checkin_close(session, checkin, now, settings)
    return skip("answered since: closes later")


def _preparation_invite(session: Session, job: Job, citizen: Citizen, now: datetime,
                        settings: ProactiveSettings) -> Decision:
    appointment = _appointment(session, job)
    if appointment is None or appointment.status != AppointmentStatus.PLANNED:
        return skip(f"appointment {appointment.status if appointment else 'deleted'}")
    if appointment.starts_at - now < timedelta(hours=12):
        return skip("too close to the meeting")
    preparation = prep_db.get_preparation(session, appointment.id)
    if preparation is not None and preparation.status == PreparationStatus.COMPLETED:
        return skip("already prepared")
    return _send(citizen, job, appointment_id=appointment.id)


def _agreements_approval(session: Session, job: Job, citizen: Citizen, now: datetime,
                         settings: ProactiveSettings) -> Decision:
    appointment = _appointment(session, job)
    summary = agreement_db.get_summary(session, appointment.id) if appointment else None
    if summary is None or summary.approval != SummaryApproval.PENDING:
        return skip("no agreements awaiting approval")
    return _send(citizen, job, appointment_id=appointment.id)


def _agreement_followup(session: Session, job: Job, citizen: Citizen, now: datetime,
                        settings: ProactiveSettings) -> Decision:
    agreement = session.get(Agreement, job_db.target_id(job.target))
    if agreement is None or agreement.status != AgreementStatus.APPROVED or agreement.followed_up_at is not None:
        return skip("agreement not approved or already followed up")
    return _send(citizen, job, agreement_id=agreement.id)


def _questionnaire(session: Session, job: Job) -> Questionnaire | None:
    """The round a questionnaire job is about, if it is still planned or being asked."""
    questionnaire = outcome_db.get_round(session, job_db.target_id(job.target) or 0, job.citizen_id)
    unfinished = (QuestionnaireStatus.PLANNED, QuestionnaireStatus.OPEN)
    return questionnaire if questionnaire is not None and questionnaire.status in unfinished else None


def _questionnaire_prompt(session: Session, job: Job, citizen: Citizen, now: datetime,
                          settings: ProactiveSettings) -> Decision:
    questionnaire = _questionnaire(session, job)
    if questionnaire is None:
        return skip("round finished")
    return _send(citizen, job, questionnaire_id=questionnaire.id)


def _questionnaire_nudge(session: Session, job: Job, citizen: Citizen, now: datetime,
                         settings: ProactiveSettings) -> Decision:
    """One nudge for a round stopped halfway, QUESTIONNAIRE_NUDGE_HOURS after the last answer."""
    questionnaire = _questionnaire(session, job)
    if questionnaire is None:
        return skip("round finished")
    if alert_db.raised_since(session, citizen.id, (Rule.CRISIS_LANGUAGE, Rule.HOPELESSNESS),
                             questionnaire.asked_at or job.due_at):
        # After crisis language or hopelessness the next message comes from a person, not a
        # reminder about a questionnaire (docs/outcomes.md, "The conversation").
        return skip("crisis or hopelessness since the round was asked")
    due = timing.questionnaire_nudge_due(questionnaire, job.due_at, settings)
    if now < due:
        return Decision("defer", note="answered since", until=due)
    return _send(citizen, job, questionnaire_id=questionnaire.id)


def _goal_progress(session: Session, job: Job, citizen: Citizen, now: datetime,
                   settings: ProactiveSettings) -> Decision:
    """The progress question about a goal: only while the goal is this citizen's and active."""
    goal = goal_db.get_goal(session, job_db.target_id(job.target) or 0, citizen_id=citizen.id)
    if goal is None or goal.status != GoalStatus.ACTIVE:
        return skip(f"goal {goal.status if goal else 'not found'}")
    return _send(citizen, job, goal_id=goal.id)


def _network_reminder(session: Session, job: Job, citizen: Citizen, now: datetime,
                      settings: ProactiveSettings) -> Decision:
    """A network member is no citizen: no Rasa conversation. The SMS is queued in this transaction
    (bot/network/invitations.py) and the job is done."""
    why_not = network.remind(session, job, citizen, now, settings)
    return skip(why_not) if why_not else Decision("done", "sms queued to network member")


def _network_cancelled(session: Session, job: Job, citizen: Citizen, now: datetime,
                       settings: ProactiveSettings) -> Decision:
    why_not = network.tell_cancelled(session, job, citizen, now, settings)
    return skip(why_not) if why_not else Decision("done", "sms queued to network member")


PREPARE = {
    PREPARATION_INVITE: _preparation_invite,
    AGREEMENTS_APPROVAL: _agreements_approval,
    AGREEMENT_FOLLOWUP: _agreement_followup,
    REMINDER: _reminder,
    UNANSWERED: _unanswered,
    MISSED_FOLLOWUP: _missed,
    CHECKIN_PROMPT: _prompt,
    CHECKIN_NUDGE: _nudge,
    CHECKIN_OPEN_NUDGE: _checkin_open_nudge,
    CHECKIN_CLOSE: _checkin_close,
    QUESTIONNAIRE_PROMPT: _questionnaire_prompt,
    QUESTIONNAIRE_NUDGE: _questionnaire_nudge,
    NETWORK_REMINDER: _network_reminder,
    NETWORK_CANCELLED: _network_cancelled,
    GOAL_PROGRESS: _goal_progress,
}
# Jobs that do their work whatever the citizen's status: closing a check-in sends nothing.
ANY_STATUS = (CHECKIN_CLOSE,)


def sender_of(session: Session, job: Job) -> str | None:
    """The conversation a job's message goes to (the citizen's phone), for asking Rasa whether an
    earlier attempt already ran it (bot/scheduler/runner.py, "exactly once")."""
    citizen = session.get(Citizen, job.citizen_id)
    return citizen.phone if citizen is not None else None


def prepare(session: Session, job: Job, now: datetime, settings: ProactiveSettings) -> Decision:
    """Decide, and record skip/done in the same transaction as the facts it was decided on."""
    citizen = session.get(Citizen, job.citizen_id)
    handler = PREPARE.get(job.purpose)
    if handler is None:
        decision = skip(f"unknown purpose {job.purpose}")
    elif citizen.status != CitizenStatus.ACTIVE and job.purpose not in ANY_STATUS:
        decision = skip(f"citizen {citizen.status}")
    else:
        decision = handler(session, job, citizen, now, settings)
    if decision.action == "send" and job.purpose in CAN_WAIT:
        decision = _wait_for_open_question(session, job, now, settings) or decision
    if decision.action == "skip":
        job_db.mark_skipped(session, job, decision.note)
    elif decision.action == "done":
        job_db.mark_done(session, job, now)
    return decision


def _wait_for_open_question(session: Session, job: Job, now: datetime, settings: ProactiveSettings) -> Decision | None:
    """One question at a time: while another proactive question is open, this one waits until
    that has been answered or `question_wait_hours` have passed."""
    wait = timedelta(hours=settings.question_wait_hours)
    asked_at = job_db.open_question_sent_at(session, job.citizen_id, DELIVERED, since=now - wait)
    if asked_at is None:
        return None
    return Decision("defer", note="another question is open", until=asked_at + wait)


def _bad_last_checkin(session: Session, citizen_id: int) -> CheckIn | None:
    """The citizen's latest check-in with a colour, if it was red, or yellow where the one before it
    was green (the overall colour got worse). A first check-in has nothing to be worse than."""
    recent = checkin_db.recent_colours(session, [citizen_id], per_citizen=2).get(citizen_id, [])
    if not recent:
        return None
    latest = recent[0]
    if latest.overall == RED:
        return latest
    if latest.overall == YELLOW and len(recent) > 1 and recent[1].overall == GREEN:
        return latest
    return None


def _silent_after_bad_checkin(session: Session, nudge: Job, prompt: Job, now: datetime) -> bool:
    """Silence is a signal (docs/decisions.md, "Silence is a signal"): the nudge for this prompt went
    out, so the prompt has gone unanswered for CHECKIN_NUDGE_HOURS; after a bad check-in that is at
    once a high alert. True when the rule applies (the alert raised now or already open)."""
    if prompt is None or prompt.sent_at is None:
        return False
    if checkin_db.checked_in_since(session, nudge.citizen_id, prompt.sent_at):
        return False
    bad = _bad_last_checkin(session, nudge.citizen_id)
    if bad is None:
        return False
    rule = Rule.SILENT_AFTER_BAD_CHECKIN
    if alert_db.open_alert(session, nudge.citizen_id, rule) is not None:  # Dedupe.ONE_OPEN
        return True
    answer = "rød" if bad.overall == RED else "gul (grøn gangen før)"
    alert_db.add_alert(session, nudge.citizen_id, rule=rule, severity=rule.severity, created_at=now,
                       checkin_id=bad.id,
                       reason=f"Borgeren svarede {answer} ved sidste tjek-ind og har ikke svaret på den nye "
                              "opfordring eller påmindelsen.")
    return True


def _no_response(session: Session, nudge: Job, now: datetime) -> None:
    """After a bad check-in one unanswered prompt is a high alert; for everyone else two consecutive
    prompts unanswered (this one, whose nudge just went out, and the one before) are a low one."""
    prompt = session.get(Job, job_db.target_id(nudge.target))
    if _silent_after_bad_checkin(session, nudge, prompt, now):
        return  # instead of the low alert, which would only repeat it
    if prompt is None:
        return
    previous = job_db.latest_job(session, nudge.citizen_id, CHECKIN_PROMPT, (JobStatus.DONE,), before=prompt.due_at)
    if previous is None or previous.sent_at is None:
        return
    if checkin_db.checked_in_since(session, nudge.citizen_id, previous.sent_at):
        return
    if alert_db.open_alert(session, nudge.citizen_id, Rule.NO_RESPONSE) is not None:  # Dedupe.ONE_OPEN
        return
    alert_db.add_alert(session, nudge.citizen_id, rule=Rule.NO_RESPONSE, severity=Rule.NO_RESPONSE.severity, created_at=now,
                       reason="Borgeren har ikke svaret på de to seneste opfordringer til at tjekke ind.")


def after_sent(session: Session, job_id: int, now: datetime, settings: ProactiveSettings) -> None:
    """Plan what follows from a delivered job (runs after it was marked done)."""
    job = session.get(Job, job_id)
    if job.purpose == CHECKIN_PROMPT:
        planner.plan_checkin_nudge(session, job, settings)
    elif job.purpose == CHECKIN_NUDGE:
        _no_response(session, job, now)

"""Rounds of outcome questions: asked for, asked, answered a question at a time, paused, declined,
closed (docs/outcomes.md). Like a check-in, an answer counts the moment it is given: each is stored
at once, and a WHO-5 completed by its fifth answer raises its alerts in the same transaction, also
when the citizen says nothing more."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid
from bot.core.vocabulary import CitizenStatus, QuestionnaireReason, QuestionnaireStatus
from bot.db import alerts as alert_db
from bot.db import outcomes as outcome_db
from bot.db.models import Alert, Citizen, Questionnaire
from bot.jobs import planner, timing
from bot.outcomes import instruments as ins
from bot.outcomes.rules import who5_alerts

PLANNED, OPEN = QuestionnaireStatus.PLANNED, QuestionnaireStatus.OPEN
COMPLETE, PARTIAL, DECLINED = QuestionnaireStatus.COMPLETE, QuestionnaireStatus.PARTIAL, QuestionnaireStatus.DECLINED


def _counts(codes: list[str]) -> dict[str, int]:
    return {code: len(ins.instrument(code).items) for code in codes}


def plan_round(session: Session, citizen: Citizen, *, reason: str, round_no: int | None, instruments: list[str],
               due_at: datetime, now: datetime, settings: ProactiveSettings,
               requested_by: int | None = None, prompt: bool = True) -> Questionnaire | None:
    """A round and its prompt (`prompt=False`: the round is offered some other way, the goodbye SMS
    of an ended course). None when a scheduler planned the same numbered round first."""
    questionnaire = outcome_db.add_round(session, citizen_id=citizen.id, reason=reason, round_no=round_no,
                                         instruments=instruments, item_counts=_counts(instruments), due_at=due_at,
                                         now=now, requested_by=requested_by)
    if questionnaire is not None and prompt:
        planner.plan_questionnaire_prompt(session, questionnaire, now, settings)
    return questionnaire


def request(session: Session, citizen: Citizen, instrument: str, *, requested_by: int | None, now: datetime,
            settings: ProactiveSettings) -> tuple[Questionnaire, bool]:
    """A coordinator asks for `instrument` now: sent by the scheduler at the next allowed time.
    Returns (the round, whether it is new). A round already being asked is returned as it is; one
    planned for later that includes the instrument is moved to now, so the citizen is never asked
    two rounds at once."""
    ins.instrument(instrument)
    if citizen.status != CitizenStatus.ACTIVE:
        # Nothing proactive goes to a citizen who sent STOP or whose course ended: a round asked
        # for now would never be sent (docs/outcomes.md, "When").
        raise Invalid("the citizen gets no messages (STOP, or the course has ended)", "citizen")
    current = outcome_db.current_round(session, citizen.id)
    if current is not None and (current.status == OPEN or instrument in current.instruments):
        if current.status == PLANNED and current.due_at > now:
            planner.cancel_questionnaire_jobs(session, current.id, note="asked for now")
            current.due_at = now
            planner.plan_questionnaire_prompt(session, current, now, settings)
        return current, False
    return plan_round(session, citizen, reason=QuestionnaireReason.REQUESTED, round_no=None, instruments=[instrument],
                      due_at=now, now=now, settings=settings, requested_by=requested_by), True


def begin(session: Session, citizen: Citizen, questionnaire_id: int | None, *, now: datetime,
          settings: ProactiveSettings) -> Questionnaire | None:
    """The prompt (or its nudge) reached the citizen: the round is open from now, its one nudge
    planned. Without an id, the citizen's current round. None when there is nothing to ask."""
    questionnaire = (outcome_db.get_round(session, questionnaire_id, citizen.id) if questionnaire_id is not None
                     else outcome_db.current_round(session, citizen.id))
    if questionnaire is None or questionnaire.status in (COMPLETE, DECLINED):
        return None
    if questionnaire.asked_at is None:
        questionnaire.asked_at = now
        if questionnaire.reason != QuestionnaireReason.FINAL:  # an ended course gets nothing proactive
            planner.plan_questionnaire_nudge(session, questionnaire, now, settings)
    questionnaire.status = OPEN
    return questionnaire


def next_step(session: Session, questionnaire: Questionnaire) -> ins.Step | None:
    """The first question of the round not answered yet, in asking order."""
    rows = outcome_db.measures(session, questionnaire.id)
    for step in ins.steps(list(questionnaire.instruments)):
        if rows[step.instrument.code.value].items[step.item] is None:
            return step
    return None


def answer(session: Session, citizen: Citizen, questionnaire_id: int, instrument: str, item: int, value: int, *,
           now: datetime) -> tuple[Questionnaire, list[Alert]]:
    """One answer, stored now. The instrument's last item scores it and runs its alert rules; the
    round's last answer completes it. A round closed as partial still takes a late answer."""
    questionnaire = outcome_db.get_round(session, questionnaire_id, citizen.id)
    if questionnaire is None or questionnaire.status in (PLANNED, DECLINED, COMPLETE):
        raise Invalid("no round of questions is being asked", "questionnaire_id")
    row = outcome_db.measures(session, questionnaire.id).get(instrument)
    if row is None:
        raise Invalid("this round does not ask that instrument", "instrument")
    if row.answered_at is not None:
        # Scored, and its alerts raised, on the answers as they were: a late repeat changes neither.
        raise Invalid("this instrument is already answered in full", "instrument")
    spec = ins.instrument(instrument)
    if not 0 <= item < len(spec.items):
        raise Invalid("no such item", "item")
    items = list(row.items)
    items[item] = spec.check(value)
    row.items = items  # a new list: the JSON column sees the change
    questionnaire.last_answer_at = now
    alerts: list[Alert] = []
    if row.answered_at is None and all(v is not None for v in items):
        row.answered_at = now
        row.score = spec.score(items)
        session.flush()
        alerts = _raise_alerts(session, citizen, questionnaire, row)
    if next_step(session, questionnaire) is None and questionnaire.status != COMPLETE:
        questionnaire.status = COMPLETE
        questionnaire.finished_at = now
        planner.cancel_questionnaire_jobs(session, questionnaire.id, note="round complete")
    return questionnaire, alerts


def decline(session: Session, citizen: Citizen, questionnaire_id: int, *, now: datetime) -> Questionnaire | None:
    """The citizen does not want to answer this round. Nothing more is asked of it; the answers
    given so far are kept, and the next planned round comes as usual."""
    questionnaire = outcome_db.get_round(session, questionnaire_id, citizen.id)
    if questionnaire is None or questionnaire.status == COMPLETE:
        return questionnaire
    questionnaire.status = DECLINED
    questionnaire.finished_at = now
    planner.cancel_questionnaire_jobs(session, questionnaire.id, note="citizen declined")
    return questionnaire


def close_stale(session: Session, now: datetime, settings: ProactiveSettings,
                citizen_ids: list[int] | None = None) -> list[Questionnaire]:
    """Rounds not finished QUESTIONNAIRE_CLOSE_DAYS after they were due (or after the last answer)
    become partial: the answers stay and count, and the next round can be planned."""
    closed = []
    window = timedelta(days=settings.questionnaire_close_days)
    for questionnaire in outcome_db.unfinished(session, citizen_ids):
        if max(questionnaire.due_at, questionnaire.last_answer_at or questionnaire.due_at) + window <= now:
            questionnaire.status = PARTIAL
            questionnaire.finished_at = now
            planner.cancel_questionnaire_jobs(session, questionnaire.id, note="round closed as partial")
            closed.append(questionnaire)
    return closed


def plan_rounds(session: Session, now: datetime, settings: ProactiveSettings) -> list[Questionnaire]:
    """Every scheduler tick: close stale rounds, then give every active citizen without a round
    their next planned one: the baseline QUESTIONNAIRE_BASELINE_DAYS into the course, then one
    every QUESTIONNAIRE_INTERVAL_DAYS after the previous planned round was due; never sooner than
    QUESTIONNAIRE_CLOSE_DAYS after the citizen was last asked any round (one asked for, say)."""
    outcome_db.lock_round_planning(session)
    close_stale(session, now, settings)
    citizens = outcome_db.citizens_without_round(session)
    ids = [citizen.id for citizen in citizens]
    last, asked = outcome_db.last_planned_rounds(session, ids), outcome_db.last_asked(session, ids)
    gap = timedelta(days=settings.questionnaire_close_days)
    planned = []
    for citizen in citizens:
        previous = last.get(citizen.id)
        if previous is None:
            reason, round_no = QuestionnaireReason.BASELINE, 0
            due = timing.questionnaire_due(citizen.consent_at or citizen.created_at,
                                           settings.questionnaire_baseline_days, now, settings)
        else:
            reason, round_no = QuestionnaireReason.FOLLOW_UP, previous.round_no + 1
            due = timing.questionnaire_due(previous.due_at, settings.questionnaire_interval_days, now, settings)
        if citizen.id in asked and due < asked[citizen.id] + gap:
            # A round asked for by the coordinator a few days ago: not another one so soon.
            due = timing.questionnaire_due(asked[citizen.id], gap.days, now, settings)
        questionnaire = plan_round(session, citizen, reason=reason, round_no=round_no, instruments=list(ins.FULL_ROUND),
                                   due_at=due, now=now, settings=settings)
        if questionnaire is not None:
            planned.append(questionnaire)
    return planned


def _raise_alerts(session: Session, citizen: Citizen, questionnaire: Questionnaire, row) -> list[Alert]:
    if row.instrument != ins.InstrumentCode.WHO5:
        return []
    previous = outcome_db.previous_score(session, citizen.id, row.instrument, before=row)
    drafts = who5_alerts(row.score, previous.score if previous is not None else None)
    return [alert_db.add_alert(session, citizen.id, rule=draft.rule, severity=draft.rule.severity,
                               reason=draft.reason, created_at=row.answered_at, questionnaire_id=questionnaire.id,
                               threshold=draft.threshold)
            for draft in drafts]

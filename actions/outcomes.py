"""Outcome measures in the conversation (docs/outcomes.md, "The conversation"): the scheduler's
prompt or nudge asks whether the citizen has time now, then the round's questions come one per
message, each answered with a digit and stored at once (bot/outcomes/record.py). They ride on the
one proactive question mechanism (actions/questions.py): each question is a `question` of kind
"questionnaire" that expects a digit; the handlers below are in its HANDLERS.

What the citizen is told never holds a score or any health content: only how far they got."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import context
from actions.appointments import AWAITING, NOTHING
from actions.base import CitizenAction
from actions.citizen import current_citizen, language_of
from actions.external import undo_placeholder_fills
from actions.forms import REQUESTED_SLOT, latest_entity_int
from actions.questions import DIGIT, STOPPED, UNCLEAR, YES_NO, ask, reset_question
from bot.core import texts
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid
from bot.core.ids import as_id
from bot.core.text import ascii_digits
from bot.core.vocabulary import JobStatus, QuestionnaireStatus
from bot.db import jobs as job_db
from bot.db import outcomes as outcome_db
from bot.db.citizens import get_citizen
from bot.jobs import planner, timing
from bot.jobs.purposes import QUESTIONNAIRE_NUDGE
from bot.outcomes import record
from bot.outcomes.instruments import Step

log = logging.getLogger(__name__)

NUDGE_INTENT = "EXTERNAL_questionnaire_nudge"
OWN_INTENT = "start_questionnaire"  # SKEMA, the citizen's own
# The kinds of question (domain.yml: utter_ask_<kind> / utter_clarify_<kind>).
START = "questionnaire_start"  # the prompt, nothing answered yet
AGAIN = "questionnaire_again"  # the nudge, nothing answered yet
RESUME = "questionnaire_resume"  # prompt or nudge, some questions answered
ITEM = "questionnaire"  # one question of the round, answered with a digit
START_KINDS = (START, AGAIN, RESUME)


@dataclass(frozen=True)
class Round:
    """What the conversation needs to know about a round, read in the transaction."""
    id: int
    answered: int
    count: int
    step: Step | None  # the next question; None when every question is answered
    nudge_at: datetime | None  # when the round's one nudge will come, if it is still to come


def _nudge_at(session: Session, questionnaire, settings: ProactiveSettings) -> datetime | None:
    """When the scheduler will send the round's nudge (bot/jobs/timing.py, the rule its handler
    uses too). None when it has been sent, skipped or cancelled."""
    pending = [job for job in job_db.list_jobs(session, target=planner.questionnaire_target(questionnaire.id),
                                               purpose=QUESTIONNAIRE_NUDGE)
               if job.status == JobStatus.PENDING]
    return timing.questionnaire_nudge_due(questionnaire, pending[0].due_at, settings) if pending else None


def _round(session: Session, questionnaire, settings: ProactiveSettings) -> Round:
    rows = outcome_db.measures(session, questionnaire.id)
    answered = sum(value is not None for row in rows.values() for value in row.items)
    count = sum(len(row.items) for row in rows.values())
    return Round(questionnaire.id, answered, count, record.next_step(session, questionnaire),
                 _nudge_at(session, questionnaire, settings))


def _begin(session: Session, citizen_id: int, questionnaire_id: int | None, now: datetime,
           settings: ProactiveSettings) -> Round | None:
    citizen = get_citizen(session, citizen_id)
    questionnaire = citizen and record.begin(session, citizen, questionnaire_id, now=now, settings=settings)
    return _round(session, questionnaire, settings) if questionnaire else None


def _begin_own(session: Session, citizen_id: int, now: datetime, settings: ProactiveSettings) -> Round | None:
    """SKEMA: the round being asked, or a planned one that is due (the last WHO-5 of an ended
    course is due at once); a round planned for later is not started early."""
    citizen = get_citizen(session, citizen_id)
    current = citizen and outcome_db.current_round(session, citizen.id)
    if not current or (current.status == QuestionnaireStatus.PLANNED and current.due_at > now):
        return None
    return _begin(session, citizen_id, current.id, now, settings)


def _load(session: Session, citizen_id: int, questionnaire_id, settings: ProactiveSettings) -> Round | None:
    """The citizen's own round (an id from the conversation is checked against the sender), if it
    still takes answers."""
    questionnaire_id = as_id(questionnaire_id)
    questionnaire = outcome_db.get_round(session, questionnaire_id, citizen_id) if questionnaire_id else None
    if questionnaire is None or questionnaire.status in (QuestionnaireStatus.COMPLETE, QuestionnaireStatus.DECLINED,
                                                         QuestionnaireStatus.PLANNED):
        return None
    return _round(session, questionnaire, settings)


def _answer(session: Session, citizen_id: int, questionnaire_id, instrument: str, item, value: int, now: datetime,
            settings: ProactiveSettings) -> Round | None:
    citizen = get_citizen(session, citizen_id)
    if citizen is None:
        return None
    questionnaire_id = as_id(questionnaire_id)
    if questionnaire_id is None or isinstance(item, bool) or not str(item).isascii() or not str(item).isdigit() \
            or len(str(item)) > 2:
        return None  # the question's parameters are the dialogue's, untrusted: no round or item, nothing stored
    try:
        questionnaire, _alerts = record.answer(session, citizen, questionnaire_id, instrument, int(item), value,
                                               now=now)
    except (Invalid, TypeError, ValueError):
        return None
    return _round(session, questionnaire, settings)


def _decline(session: Session, citizen_id: int, questionnaire_id, now: datetime) -> None:
    citizen = get_citizen(session, citizen_id)
    if citizen is None:
        return
    questionnaire_id = as_id(questionnaire_id)
    if questionnaire_id is not None:
        record.decline(session, citizen, questionnaire_id, now=now)


def when_again(now: datetime, at: datetime, settings: ProactiveSettings, language: str | None = None) -> str:
    """"i morgen", said of the nudge's time as the citizen's calendar sees it, in their `language`."""
    days = (timing.local_date(at, settings) - timing.local_date(now, settings)).days
    if days <= 0:
        return texts.for_language("AGAIN_LATER_TODAY", language)
    if days == 1:
        return texts.for_language("AGAIN_TOMORROW", language)
    return texts.for_language("AGAIN_IN_DAYS", language).format(days=days)


def short_text(step: Step, language: str | None = None) -> str:
    """The question again after an unclear answer: the statement and the digits' labels, without
    "Spørgsmål n af m" and the instrument's question line (the clarify response says what to do)."""
    lines = step.text(language).split("\n")[1:]
    question = step.instrument.wording(language)[0].question
    return "\n".join(line for line in lines if line != question)


def ask_step(questionnaire_id: int, step: Step, language: str | None = None) -> list:
    """The question `step` in the citizen's `language` (bot/outcomes/instruments.py, translations)."""
    return ask(ITEM, DIGIT, questionnaire_id=questionnaire_id, instrument=step.instrument.code.value,
               item=step.item, low=step.instrument.low, high=step.instrument.high,
               question_text=step.text(language), question_short=short_text(step, language))


class ActionStartQuestionnaire(CitizenAction):
    """EXTERNAL_questionnaire_prompt / EXTERNAL_questionnaire_nudge {questionnaire_id}: the round is
    open from now, and the citizen is asked whether they have time (JA / NEJ)."""

    def name(self) -> str:
        return "action_start_questionnaire"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        if info is None:
            return []
        if (tracker.latest_message.get("intent") or {}).get("name") == OWN_INTENT:
            return await self._own(dispatcher, tracker, info)
        questionnaire_id = latest_entity_int(tracker, "questionnaire_id")
        if questionnaire_id is None:
            return []
        found = await context.db().run(_begin, info.citizen.id, questionnaire_id, context.clock().now(),
                                       context.proactive_settings())
        if found is None or found.step is None:
            return []
        nudge = (tracker.latest_message.get("intent") or {}).get("name") == NUDGE_INTENT
        kind = RESUME if found.answered else AGAIN if nudge else START
        # A prompt replaces whatever the citizen was last asked; the placeholder text of the trigger
        # may have filled an open form's slot, and a form left open in an earlier session may have
        # left its requested slot set: the question starts from nothing.
        return (undo_placeholder_fills(tracker) + reset_question()
                + [SlotSet(REQUESTED_SLOT, None), SlotSet(AWAITING, NOTHING)]
                + ask(kind, YES_NO, questionnaire_id=found.id, count=found.count, answered=found.answered))

    async def _own(self, dispatcher: CollectingDispatcher, tracker: Tracker, info) -> list:
        found = await context.db().run(_begin_own, info.citizen.id, context.clock().now(),
                                       context.proactive_settings())
        if found is None or found.step is None:
            dispatcher.utter_message(response="utter_questionnaire_none")
            return reset_question()
        return (reset_question() + [SlotSet(REQUESTED_SLOT, None), SlotSet(AWAITING, NOTHING)]
                + ask_step(found.id, found.step, language_of(info.citizen)))


# --- the answers (actions/question_handlers.py calls these) ---

def _not_now(dispatcher, found: Round | None, now: datetime, language: str) -> None:
    if found is not None and found.nudge_at is not None:
        dispatcher.utter_message(response="utter_questionnaire_later",
                                 again=when_again(now, found.nudge_at, context.proactive_settings(), language))
    else:
        dispatcher.utter_message(response="utter_questionnaire_declined")


async def questionnaire_start(dispatcher, tracker, info, answer, params) -> list:
    """JA: the first question not answered yet. NEJ (or a stop): not now; the nudge asks once more,
    and NEJ when no nudge is to come declines the round. Unclear twice: not now, nothing declined."""
    now = context.clock().now()
    found = await context.db().run(_load, info.citizen.id, params.get("questionnaire_id"),
                                   context.proactive_settings())
    if found is None:
        # The round closed meanwhile (the course ended, or it was answered elsewhere): never silence.
        dispatcher.utter_message(response="utter_questionnaire_none")
        return []
    language = language_of(info.citizen)
    if answer == "yes":
        if found.step is None:
            return []
        return ask_step(found.id, found.step, language)
    if answer in ("no", STOPPED) and found.nudge_at is None:
        await context.db().run(_decline, info.citizen.id, found.id, now)
    _not_now(dispatcher, found, now, language)
    return []


async def questionnaire_item(dispatcher, tracker, info, answer, params) -> list:
    """A digit: stored at once, then the next question, or the thanks after the last. A stop, or
    a second unclear answer: what was answered is kept, and the nudge asks for the rest."""
    now = context.clock().now()
    settings = context.proactive_settings()
    language = language_of(info.citizen)
    if answer in (UNCLEAR, STOPPED):
        found = await context.db().run(_load, info.citizen.id, params.get("questionnaire_id"), settings)
        if found is None:
            dispatcher.utter_message(response="utter_questionnaire_none")
            return []
        if found.nudge_at is not None:
            dispatcher.utter_message(response="utter_questionnaire_paused",
                                     again=when_again(now, found.nudge_at, settings, language))
        else:
            dispatcher.utter_message(response="utter_questionnaire_paused_final", coordinator=info.coordinator_name)
        return []
    if not ascii_digits(str(answer)):
        return []  # no digit the form accepted: nothing to store
    found = await context.db().run(_answer, info.citizen.id, params.get("questionnaire_id"),
                                   params.get("instrument"), params.get("item"), int(answer), now, settings)
    if found is None:
        log.info("an answer to a round of questions that takes none (not the sender's, or finished)")
        dispatcher.utter_message(response="utter_questionnaire_none")
        return []
    if found.step is not None:
        return ask_step(found.id, found.step, language)
    dispatcher.utter_message(response="utter_questionnaire_done", coordinator=info.coordinator_name)
    return []


HANDLERS = {START: questionnaire_start, AGAIN: questionnaire_start, RESUME: questionnaire_start,
            ITEM: questionnaire_item}

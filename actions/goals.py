"""Progress on a goal in the conversation (docs/decisions.md, "Goals and the plan"): the
scheduler's `goal_progress` job (EXTERNAL_goal_progress {goal_id}) asks "Hvordan går det med dit
mål: ...?", and the answer JA, LIDT or NEJ is stored on the goal (bot/goals/plan.py
record_progress), where the coordinator sees it. It rides on the one proactive question mechanism
(actions/questions.py): a `question` of kind "goal_progress" that expects JA_LIDT_NEJ; the handler
below is in actions/question_handlers.py HANDLERS. No alert: a NEJ is something to talk about at
the next meeting, not an emergency."""
from __future__ import annotations

import logging
from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import context
from actions.appointments import AWAITING, NOTHING
from actions.base import CitizenAction
from actions.citizen import current_citizen
from actions.external import undo_placeholder_fills
from actions.forms import REQUESTED_SLOT, latest_entity_int
from actions.questions import JA_LIDT_NEJ, UNCLEAR, ask, reset_question
from bot.core.errors import Invalid, NotFound
from bot.core.ids import as_id
from bot.db import goals as goal_db
from bot.db.citizens import get_citizen
from bot.goals import plan
from bot.sms.gsm import to_gsm7

log = logging.getLogger(__name__)

KIND = "goal_progress"  # domain.yml: utter_ask_goal_progress / utter_clarify_goal_progress
# The goal as read back in the question: with the rest of the text the SMS stays within two parts.
MAX_GOAL_CHARS = 200
ANSWERS = {"ja": "utter_goal_progress_ja", "lidt": "utter_goal_progress_lidt", "nej": "utter_goal_progress_nej"}


def goal_in_sms(text: str, limit: int = MAX_GOAL_CHARS) -> str:
    """The goal's words in GSM-7, cut at a word with "..." when too long, without a closing full stop
    or question mark (the question adds its own)."""
    text = " ".join(to_gsm7(text).split()).rstrip(" .?!")
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "..."


def _active_goal(session: Session, citizen_id: int, goal_id: int) -> tuple[int, str] | None:
    """The citizen's own active goal (id and words), or None."""
    goal = goal_db.get_goal(session, goal_id, citizen_id=citizen_id)
    if goal is None or goal.status != plan.ACTIVE:
        return None
    return goal.id, goal.text


def _record(session: Session, citizen_id: int, goal_id, answer: str, now: datetime) -> bool:
    citizen = get_citizen(session, citizen_id)
    if citizen is None:
        return False
    row_id = as_id(goal_id)
    if row_id is None:
        return False
    try:
        plan.record_progress(session, citizen, row_id, answer, now)
    except (Invalid, NotFound):
        return False
    return True


class ActionAskGoalProgress(CitizenAction):
    """EXTERNAL_goal_progress {goal_id}: "Går det fremad med dit mål: ...?" with JA, LIDT and NEJ (buttons)."""

    def name(self) -> str:
        return "action_ask_goal_progress"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        goal_id = latest_entity_int(tracker, "goal_id")
        if info is None or goal_id is None:
            return []
        found = await context.db().run(_active_goal, info.citizen.id, goal_id)
        if found is None:
            log.info("goal progress: no active goal %s of this citizen", goal_id)
            return []
        # As a round of outcome questions: the question replaces whatever the citizen was last
        # asked, and the trigger's placeholder text must not stay in a slot it filled.
        return (undo_placeholder_fills(tracker) + reset_question()
                + [SlotSet(REQUESTED_SLOT, None), SlotSet(AWAITING, NOTHING)]
                + ask(KIND, JA_LIDT_NEJ, goal_id=found[0], goal=goal_in_sms(found[1])))


async def goal_progress(dispatcher, tracker, info, answer, params) -> list:
    """JA, LIDT or NEJ: stored on the goal, and a short thanks. Unclear twice: nothing stored, the
    question comes again next time."""
    if answer == UNCLEAR:
        dispatcher.utter_message(response="utter_goal_progress_unclear")
        return []
    if answer not in ANSWERS:
        return []
    stored = await context.db().run(_record, info.citizen.id, params.get("goal_id"), answer, context.clock().now())
    if not stored:
        log.info("goal progress: an answer about a goal that is not the sender's")
        return []
    dispatcher.utter_message(response=ANSWERS[answer], coordinator=info.coordinator_name)
    return []


HANDLERS = {KIND: goal_progress}

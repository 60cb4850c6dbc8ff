"""What each answer to a proactive question does (see actions/questions.py)."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import CitizenAction
from actions.citizen import current_citizen
from actions.context import proactive_settings
from actions.goals import HANDLERS as GOAL_HANDLERS
from actions.outcomes import HANDLERS as OUTCOME_HANDLERS
from actions.preparation import start_preparation
from actions.questions import STOPPED, TEXT, UNCLEAR, ask, reset_question
from bot.meetings import agreements


async def preparation_invite(dispatcher, tracker, info, answer, params) -> list:
    if answer == "yes":
        events, started = await start_preparation(dispatcher, tracker, params.get("appointment_id"))
        return events + ([FollowupAction("preparation_form")] if started else [])
    dispatcher.utter_message(response="utter_preparation_declined")
    return []


def unclear_twice(dispatcher) -> list:
    """Unclear twice: nothing is stored as the answer (a guess would put words in the citizen's
    mouth: "ved ikke", "not approved"), the question stays unanswered on the coordinator's page,
    and the citizen is offered a person (docs/nlu.md, "Answers that are answers")."""
    dispatcher.utter_message(response="utter_question_unclear")
    return []


async def agreements_approval(dispatcher, tracker, info, answer, params) -> list:
    appointment_id = params["appointment_id"]
    if answer == "yes":
        await context.db().run(agreements.approve, info.citizen.id, appointment_id, context.clock().now(),
                               proactive_settings())
        return ask("teachback", TEXT, appointment_id=appointment_id)
    if answer == "no":
        return ask("agreements_rejection", TEXT, appointment_id=appointment_id)
    return unclear_twice(dispatcher)


async def agreements_rejection(dispatcher, tracker, info, answer, params) -> list:
    note = None if answer == UNCLEAR else answer
    await context.db().run(agreements.reject, info.citizen.id, params["appointment_id"], note, context.clock().now())
    dispatcher.utter_message(response="utter_agreements_rejected_noted", coordinator=info.coordinator_name)
    return []


async def teachback(dispatcher, tracker, info, answer, params) -> list:
    if answer == UNCLEAR:
        return unclear_twice(dispatcher)
    await context.db().run(agreements.record_next_step, info.citizen.id, params["appointment_id"], answer)
    dispatcher.utter_message(response="utter_teachback_noted", coordinator=info.coordinator_name)
    return []


async def agreement_followup(dispatcher, tracker, info, answer, params) -> list:
    if answer == UNCLEAR:
        return unclear_twice(dispatcher)
    alert = await context.db().run(agreements.record_follow_up, info.citizen.id, params["agreement_id"], answer,
                                   params["who"], context.clock().now())
    if alert is None:
        dispatcher.utter_message(response="utter_followup_good")
        return []
    dispatcher.utter_message(response="utter_followup_alerted", coordinator=info.coordinator_name)
    return []


HANDLERS = {
    "preparation_invite": preparation_invite,
    "agreements_approval": agreements_approval,
    "agreements_rejection": agreements_rejection,
    "teachback": teachback,
    "agreement_followup": agreement_followup,
    **OUTCOME_HANDLERS,
    **GOAL_HANDLERS,
}
# Kinds whose handler also runs when the citizen stops ("det er nok for i dag", PAUSE), with the
# answer STOPPED: a round of outcome questions says what happens to the rest. For the others the
# question is dropped, nothing stored, and the citizen is told so (utter_question_paused).
ON_STOP = frozenset(OUTCOME_HANDLERS)


class ActionHandleAnswer(CitizenAction):
    def name(self) -> str:
        return "action_handle_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        question = tracker.get_slot("question") or {}
        answer = tracker.get_slot("answer") or tracker.get_slot("answer_text")
        if answer is None and tracker.get_slot("question_stopped") and question.get("kind") in ON_STOP:
            answer = STOPPED
        done = reset_question()
        info = await current_citizen(tracker)
        handler = HANDLERS.get(question.get("kind"))
        if answer is None and tracker.get_slot("question_stopped") and info is not None:
            dispatcher.utter_message(response="utter_question_paused")  # not silence: say what happened
            return done
        if info is None or handler is None or answer is None:  # nothing to handle
            return done
        return done + await handler(dispatcher, tracker, info, answer, question.get("params", {}))

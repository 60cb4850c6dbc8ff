"""What each answer to a proactive question does (see actions/questions.py)."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import CitizenAction
from actions.citizen import CitizenInfo, current_citizen
from actions.context import proactive_settings
from actions.preparation import start_preparation
from actions.questions import TEXT, UNCLEAR, ask
from bot.db import agreements as agreement_db
from bot.db.alerts import add_alert
from bot.db.appointments import get_appointment
from bot.scheduler.planner import plan_agreement_followups


def approve_agreements(session, appointment_id: int, now) -> None:
    """Approved: and the follow-ups about two weeks later are planned in the same transaction."""
    agreement_db.set_approval(session, appointment_id, True, None, now)
    plan_agreement_followups(session, get_appointment(session, appointment_id), now, proactive_settings())


def _alert(info: CitizenInfo, rule: str, reason: str):
    return context.db().run(lambda s: add_alert(s, info.citizen.id, rule=rule, severity="medium", reason=reason,
                                                created_at=context.clock().now()))


async def preparation_invite(dispatcher, tracker, info, answer, params) -> list:
    if answer == "yes":
        events, started = await start_preparation(dispatcher, tracker, params.get("appointment_id"))
        return events + ([FollowupAction("preparation_form")] if started else [])
    dispatcher.utter_message(response="utter_preparation_declined")
    return []


async def agreements_approval(dispatcher, tracker, info, answer, params) -> list:
    appointment_id = params["appointment_id"]
    if answer == "yes":
        await context.db().run(approve_agreements, appointment_id, context.clock().now())
        return ask("teachback", TEXT, appointment_id=appointment_id)
    if answer == "no":
        return ask("agreements_rejection", TEXT, appointment_id=appointment_id)
    await context.db().run(agreement_db.set_approval, appointment_id, False, None, context.clock().now())
    await _alert(info, "agreement_rejected", "Borgeren har ikke godkendt aftalerne (svaret var uklart).")
    dispatcher.utter_message(response="utter_agreements_rejected_noted", coordinator=info.coordinator_name)
    return []


async def agreements_rejection(dispatcher, tracker, info, answer, params) -> list:
    note = None if answer == UNCLEAR else answer
    await context.db().run(agreement_db.set_approval, params["appointment_id"], False, note, context.clock().now())
    await _alert(info, "agreement_rejected", "Borgeren har ikke godkendt aftalerne fra mødet. Se borgerens svar.")
    dispatcher.utter_message(response="utter_agreements_rejected_noted", coordinator=info.coordinator_name)
    return []


async def teachback(dispatcher, tracker, info, answer, params) -> list:
    if answer != UNCLEAR:
        await context.db().run(agreement_db.set_next_step, params["appointment_id"], answer)
    dispatcher.utter_message(response="utter_teachback_noted", coordinator=info.coordinator_name)
    return []


async def agreement_followup(dispatcher, tracker, info, answer, params) -> list:
    answer = "unknown" if answer == UNCLEAR else answer
    await context.db().run(agreement_db.record_follow_up, params["agreement_id"], answer, context.clock().now())
    if answer == "yes":
        dispatcher.utter_message(response="utter_followup_good")
        return []
    said = "nej" if answer == "no" else "ved ikke"
    await _alert(info, "agreement_not_followed",
                 f"Borgeren svarede '{said}' til, om {params['who']} har fulgt op på en aftale.")
    dispatcher.utter_message(response="utter_followup_alerted", coordinator=info.coordinator_name)
    return []


HANDLERS = {
    "preparation_invite": preparation_invite,
    "agreements_approval": agreements_approval,
    "agreements_rejection": agreements_rejection,
    "teachback": teachback,
    "agreement_followup": agreement_followup,
}


class ActionHandleAnswer(CitizenAction):
    def name(self) -> str:
        return "action_handle_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        question = tracker.get_slot("question") or {}
        answer = tracker.get_slot("answer") or tracker.get_slot("answer_text")
        done = [SlotSet("question", None), SlotSet("answer", None), SlotSet("answer_text", None),
                SlotSet("question_stopped", None), SlotSet("clarify", False)]
        info = await current_citizen(tracker)
        handler = HANDLERS.get(question.get("kind"))
        if info is None or handler is None or answer is None:  # stopped, or nothing to handle
            return done
        return done + await handler(dispatcher, tracker, info, answer, question.get("params", {}))

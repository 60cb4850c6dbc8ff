"""STOP / START (keywords, matched before NLU by the channels): opting out of and back into
proactive messages, by the use cases in bot/citizens/course.py (START does not reopen a course the
coordinator ended). A check-in left half-way by STOP is kept as a partial check-in."""
from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import context
from actions.base import CitizenAction
from actions.checkin import reset_checkin, save_checkin
from actions.citizen import current_citizen
from bot.citizens import course
from bot.core.config import ProactiveSettings
from bot.db.citizens import get_citizen


def _opt_out(session: Session, citizen_id: int, now: datetime) -> None:
    # The citizen as this transaction sees them, not as loaded for the turn.
    course.opt_out(session, get_citizen(session, citizen_id), now)


def _opt_in(session: Session, citizen_id: int, now: datetime, settings: ProactiveSettings) -> bool:
    return course.opt_in(session, get_citizen(session, citizen_id), now, settings)


class ActionOptOut(CitizenAction):
    def name(self) -> str:
        return "action_opt_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        if info is None:
            dispatcher.utter_message(response="utter_unknown_sender")
            return []
        if tracker.get_slot("checkin_overall"):
            await save_checkin(tracker, info, stopped=True)
        await context.db().run(_opt_out, info.citizen.id, context.clock().now())
        dispatcher.utter_message(response="utter_opted_out")
        return [ActiveLoop(None)] + reset_checkin()


class ActionOptIn(CitizenAction):
    def name(self) -> str:
        return "action_opt_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        if info is None:
            dispatcher.utter_message(response="utter_unknown_sender")
            return []
        messages_on = await context.db().run(_opt_in, info.citizen.id, context.clock().now(),
                                             context.proactive_settings())
        if messages_on:
            dispatcher.utter_message(response="utter_opted_in")
        else:
            dispatcher.utter_message(response="utter_opted_in_course_ended", coordinator=info.coordinator_name)
        return []

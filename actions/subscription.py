"""STOP / START (keywords, matched before NLU by the channels): opting out of and back into
proactive messages. A check-in left half-way by STOP is kept as a partial check-in."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import CitizenAction
from actions.checkin import reset_checkin, save_checkin
from actions.citizen import current_citizen
from bot.db.citizens import set_status


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
        await context.db().run(set_status, info.citizen.id, "opted_out")
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
        await context.db().run(set_status, info.citizen.id, "active")
        dispatcher.utter_message(response="utter_opted_in")
        return []

"""A new conversation session (Rasa starts one 24 hours after the last message; domain.yml
session_config): what the citizen set up is carried over, but an answer awaited in the old session
has expired. Otherwise a "ja" written days later, about something else, would confirm a meeting or
ask for a call."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointments import APPOINTMENT_SLOT, AWAITING
from actions.base import CitizenAction

EXPIRING = {AWAITING, APPOINTMENT_SLOT}


class ActionSessionStart(CitizenAction):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        carried = [SlotSet(name, value) for name, value in tracker.current_slot_values().items()
                   if value is not None and name not in EXPIRING]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]

"""HJÆLP: what this service is, who the coordinator is and how to reach them."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import CitizenAction
from actions.citizen import current_citizen


class ActionHelp(CitizenAction):
    def name(self) -> str:
        return "action_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        if info is None:
            dispatcher.utter_message(response="utter_unknown_sender")
            return []
        if info.coordinator_phone:
            dispatcher.utter_message(response="utter_help", coordinator=info.coordinator_name,
                                     coordinator_phone=info.coordinator_phone)
        else:
            dispatcher.utter_message(response="utter_help_no_phone", coordinator=info.coordinator_name)
        return []

"""'Ring til mig' at any time: a contact_request alert and a confirmation naming the coordinator."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import CitizenAction
from actions.citizen import current_citizen
from actions.forms import citizen_language, latest_text
from bot.checkins.answers import understood
from bot.citizens.contact import request_contact


class ActionRequestContact(CitizenAction):
    def name(self) -> str:
        return "action_request_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        if info is None:
            dispatcher.utter_message(response="utter_unknown_sender")
            return []
        if not understood(latest_text(tracker), citizen_language(tracker)):
            # NLU reads emoji and other languages as request_contact too (two rainbow flags: 1.00,
            # "I feel terrible today" from a Danish citizen: 0.55): no call is arranged by accident.
            # Text in Danish or the citizen's language counts. The fallback says what to write, RING
            # included (docs/nlu.md, "Answers that are answers").
            dispatcher.utter_message(response="utter_default")
            return []
        await context.db().run(request_contact, info.citizen, context.clock().now())
        dispatcher.utter_message(response="utter_contact_confirmed", coordinator=info.coordinator_name)
        return []

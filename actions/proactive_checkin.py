"""The scheduler's check-in prompt and its nudge lead straight into the lyskurve's first question
(the check-in form), worded as an invitation (domain.yml: utter_ask_checkin_overall variants)."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointments import APPOINTMENT_SLOT, AWAITING, NOTHING
from actions.base import CitizenAction
from actions.checkin import ActionStartCheckin

KINDS = {"EXTERNAL_checkin_prompt": "prompt", "EXTERNAL_checkin_nudge": "nudge"}


class ActionStartProactiveCheckin(CitizenAction):
    def name(self) -> str:
        return "action_start_proactive_checkin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        events = await ActionStartCheckin().run(dispatcher, tracker, domain)
        kind = KINDS.get((tracker.latest_message.get("intent") or {}).get("name"), "prompt")
        # A prompt replaces whatever the citizen was last asked.
        return events + [SlotSet("checkin_prompt", kind), SlotSet(AWAITING, NOTHING), SlotSet(APPOINTMENT_SLOT, None)]

"""After the crisis or the hopelessness reply (sent by the channels' gate before the turn): the
open form pauses without another word, and what was answered is kept (docs/nlu.md, "After the
safety reply"). The coordinator already has the alert; the citizen can pick up again with TJEK IND
or FORBERED when they want to."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.appointments import APPOINTMENT_SLOT, AWAITING
from actions.base import CitizenAction
from actions.checkin import reset_checkin, save_checkin
from actions.citizen import current_citizen
from actions.preparation import reset_preparation
from actions.questions import reset_question


class ActionSafetyPause(CitizenAction):
    def name(self) -> str:
        return "action_safety_pause"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        if info is not None and tracker.get_slot("checkin_overall"):
            await save_checkin(tracker, info, stopped=True)  # partial: every answer so far is stored
        # Preparation answers are stored one by one as they come (actions/preparation.py).
        # The meeting question waiting for its answer is dropped too: a "1" or "JA" after the safety
        # reply must not record that the citizen comes to a meeting (actions/appointments.py).
        return (reset_checkin() + reset_preparation() + reset_question()
                + [SlotSet("requested_slot", None), SlotSet(AWAITING, None), SlotSet(APPOINTMENT_SLOT, None)])

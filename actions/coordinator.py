""""Hvem er min koordinator?": the name and how to reach them."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import context
from actions.base import CitizenAction
from bot.db.citizens import citizen_by_phone


def _coordinator(session: Session, phone: str) -> tuple[str, str | None] | None:
    citizen = citizen_by_phone(session, phone, with_coordinator=True)
    return (citizen.coordinator.name, citizen.coordinator.phone) if citizen else None


def spoken_phone(e164: str) -> str:
    """+4511223344 -> "11 22 33 44", the way Danish numbers are written."""
    digits = e164[3:] if e164.startswith("+45") and len(e164) == 11 else e164
    return " ".join(digits[i:i + 2] for i in range(0, len(digits), 2)) if digits.isdigit() else e164


class ActionTellCoordinator(CitizenAction):
    def name(self) -> str:
        return "action_tell_coordinator"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        found = await context.db().run(_coordinator, tracker.sender_id)
        if found is None:
            dispatcher.utter_message(response="utter_unknown_sender")
            return []
        name, phone = found
        if phone:
            dispatcher.utter_message(response="utter_coordinator", coordinator=name,
                                     coordinator_phone=spoken_phone(phone))
        else:
            dispatcher.utter_message(response="utter_coordinator_no_phone", coordinator=name)
        return []

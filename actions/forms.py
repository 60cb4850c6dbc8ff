"""Base class for robust form validation: every citizen-facing form can be stopped at any question
("det er nok for i dag"), and an unclear answer sets `clarify` so the question is asked again with
its options spelled out (conditional response variations in domain.yml) instead of guessing."""
from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import ActionExecutionRejection
from rasa_sdk.types import DomainDict

from actions.base import AnswersWhenDatabaseDown
from actions.external import is_external
from bot.checkins.answers import NLU_CONFIDENT, STOP_CONFIDENT, is_stop

REQUESTED_SLOT = "requested_slot"
CLARIFY = "clarify"


def latest_intent_scored(tracker: Tracker) -> tuple[str | None, float]:
    """The NLU intent of the latest message and its confidence, untrusted."""
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def latest_intent(tracker: Tracker, minimum: float = NLU_CONFIDENT) -> str | None:
    name, confidence = latest_intent_scored(tracker)
    return name if confidence >= minimum else None


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


MAX_ID = 2 ** 31 - 1  # a row id; larger numbers overflow SQLite's driver (OverflowError, not a database error)


def as_id(value: Any) -> int | None:
    """A row id from the dialogue (an entity, a slot's parameter): untrusted, so anything that is
    not a whole number in 1..MAX_ID is no id."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 1 <= number <= MAX_ID else None


def latest_entity_int(tracker: Tracker, name: str) -> int | None:
    """An id passed as an entity with trigger_intent (e.g. appointment_id)."""
    value = next(tracker.get_latest_entity_values(name), None)
    return as_id(value) if value is not None else None


def unclear(slot: str) -> dict[str, Any]:
    return {slot: None, CLARIFY: True}


def accepted(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, CLARIFY: False}


class CitizenFormValidation(AnswersWhenDatabaseDown, FormValidationAction):
    """Subclasses set `stopped_slot` and `stop_intent`."""

    stopped_slot: str = ""
    stop_intent: str = ""

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract so the action server does not register this base class itself."""

    def events_when_database_down(self, tracker: Tracker) -> list:
        # Rasa has already put the raw reply in the asked slot: undo that, so the form asks the
        # question again (after the apology) instead of keeping an answer nobody checked or saved.
        requested = tracker.get_slot(REQUESTED_SLOT)
        return [SlotSet(requested, None)] if requested else []

    def wants_to_stop(self, tracker: Tracker) -> bool:
        return is_stop(latest_text(tracker)) or latest_intent(tracker, STOP_CONFIDENT) == self.stop_intent

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested is None:
            # The form is starting: slots filled before it (a resumed preparation) are valid
            # already, and the message that started it is no answer to anything.
            next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
            return [next_slot] if next_slot else []
        if is_external(tracker):
            # A proactive message (reminder, check-in prompt) arriving mid-form is not an answer:
            # rejecting hands the turn to the rules for EXTERNAL_* intents (data/rules/*.yml).
            raise ActionExecutionRejection(self.name(), "a proactive message is not an answer")
        if self.wants_to_stop(tracker):
            # Undo the from_text fill of the stop words and end the form; answers so far are kept.
            return [SlotSet(requested, None), SlotSet(self.stopped_slot, True), SlotSet(CLARIFY, False),
                    SlotSet(REQUESTED_SLOT, None)]
        return await super().run(dispatcher, tracker, domain)

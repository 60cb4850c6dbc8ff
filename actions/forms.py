"""Base class for robust form validation: every citizen-facing form can be stopped at any question
("det er nok for i dag", PAUSE), and an unclear answer sets `clarify` so the question is asked again
with its options spelled out (conditional response variations in domain.yml) instead of guessing.
A second unclear answer in a row gets the way out first (RING / PAUSE, `utter_way_out`), then the
question as first asked; RING instead of an answer asks the coordinator to call and pauses the form
(docs/nlu.md, "Answers that are answers")."""
from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import ActionExecutionRejection
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import AnswersWhenDatabaseDown
from actions.citizen import current_citizen
from actions.external import is_external
from bot.checkins.answers import NLU_CONFIDENT, STOP_CONFIDENT, is_call_request, is_stop
from bot.citizens.contact import request_contact
from bot.core.ids import as_id

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


def latest_entity_int(tracker: Tracker, name: str) -> int | None:
    """An id passed as an entity with trigger_intent (e.g. appointment_id)."""
    value = next(tracker.get_latest_entity_values(name), None)
    return as_id(value) if value is not None else None


def unclear(slot: str) -> dict[str, Any]:
    return {slot: None, CLARIFY: True}


def accepted(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, CLARIFY: False}


WAY_OUT = "utter_way_out"


async def request_call(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The coordinator is asked to call (one open request at a time) and the citizen told so."""
    info = await current_citizen(tracker)
    if info is not None:
        await context.db().run(request_contact, info.citizen, context.clock().now())
        dispatcher.utter_message(response="utter_contact_confirmed", coordinator=info.coordinator_name)


def _slot_event(events: list, name: str) -> dict | None:
    return next((e for e in reversed(events) if e.get("event") == "slot" and e.get("name") == name), None)


class CitizenFormValidation(AnswersWhenDatabaseDown, FormValidationAction):
    """Subclasses set `stopped_slot` and `stop_intent`; `way_out` False for a form whose second
    unclear answer ends the question instead (answer_form hands `unclear` to its handler)."""

    stopped_slot: str = ""
    stop_intent: str = ""
    way_out: bool = True
    call_is_an_answer: frozenset[str] = frozenset()  # questions RING answers ("Skal ... ringe til dig?")

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

    def stop_events(self, requested: str) -> list:
        """Undo the from_text fill of this message and end the form; answers so far are kept."""
        return [SlotSet(requested, None), SlotSet(self.stopped_slot, True), SlotSet(CLARIFY, False),
                SlotSet(REQUESTED_SLOT, None)]

    async def call_instead(self, dispatcher: CollectingDispatcher, tracker: Tracker, requested: str) -> list:
        """RING instead of an answer: the coordinator is asked to call, the citizen is told so, and
        the form pauses as with PAUSE. Nothing of this message is stored as an answer."""
        await request_call(dispatcher, tracker)
        return self.stop_events(requested)

    def way_out_events(self) -> list:
        """Slots to set with the way out, for the question to come again as first asked."""
        return []

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
            return self.stop_events(requested)
        # Only when this message was taken for the question (from_text): where a call request is no
        # answer at all (answer_form's not_intent), a rule answers it and the question comes again.
        taken = requested in tracker.slots_to_validate()
        if taken and is_call_request(latest_text(tracker)) and requested not in self.call_is_an_answer:
            return await self.call_instead(dispatcher, tracker, requested)
        missed_before = bool(tracker.get_slot(CLARIFY))  # read first: the SDK's run adds the new slots
        events = await super().run(dispatcher, tracker, domain)
        clarify = _slot_event(events, CLARIFY)
        if self.way_out and clarify is not None and clarify["value"] and missed_before:
            # The second unclear answer in a row to this question (an accepted answer resets
            # `clarify`): the way out, then the question as first asked. The next miss gets the
            # options spelled out again, the one after it the way out again.
            dispatcher.utter_message(response=WAY_OUT)
            clarify["value"] = False
            events += self.way_out_events()
        return events

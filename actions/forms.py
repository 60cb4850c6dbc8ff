"""Base class for robust form validation: every citizen-facing form can be stopped at any question
("det er nok for i dag", PAUSE), and an unclear answer sets `clarify` so the question is asked again
with its options spelled out (conditional response variations in domain.yml) instead of guessing.
A second unclear answer in a row gets the way out first (RING / PAUSE, `utter_way_out`), then the
question as first asked; RING instead of an answer asks the coordinator to call and pauses the form
(docs/nlu.md, "Answers that are answers"). A digit alone after a question with buttons is that
button's word (`latest_text`), and every unclear answer can be counted (`missed_events`)."""
from __future__ import annotations

import abc
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import ActionExecutionRejection
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import AnswersWhenDatabaseDown, message_language
from actions.citizen import current_citizen
from actions.external import is_external
from bot.checkins.answers import NLU_CONFIDENT, STOP_CONFIDENT, is_call_request, is_stop, understood
from bot.checkins.language import DANISH
from bot.citizens.contact import request_contact
from bot.core.ids import as_id
from bot.core.language_detection import UNDERSTOOD

REQUESTED_SLOT = "requested_slot"
CLARIFY = "clarify"


def latest_intent_scored(tracker: Tracker) -> tuple[str | None, float]:
    """The NLU intent of the latest message and its confidence, untrusted. None for a digit that
    answered by its button (`button_answer`): NLU read the digit, not the word it stands for, and
    a "2" it took for stop_checkin must stay GUL."""
    raw = tracker.latest_message.get("text") or ""
    if button_answer(tracker, raw) != raw:
        return None, 0.0
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def latest_intent(tracker: Tracker, minimum: float = NLU_CONFIDENT) -> str | None:
    name, confidence = latest_intent_scored(tracker)
    return name if confidence >= minimum else None


def latest_text(tracker: Tracker) -> str:
    """The citizen's latest message; a digit alone ("2", "2.") after a question with buttons is the
    button of that number (`button_answer`)."""
    return button_answer(tracker, tracker.latest_message.get("text") or "")


# A digit as the whole answer ("2", " 2. ", "2)"): ASCII only, so "٣" is no number here.
_WHOLE_DIGIT = re.compile(r"\s*([0-9])\s*[.)!]?\s*")


# Events that end a question's turn: a digit after one of them answers no earlier question.
_TURN_ENDS = frozenset({"user", "session_started", "restart"})


def last_buttons(tracker: Tracker) -> list[dict]:
    """The buttons of the bot message just before the citizen's latest message, in the same turn:
    the question they answer. None when that message had none, or when another message of the
    citizen (a crisis message the gate answered, say), a new session or a restart came between:
    a "1" after the safety reply answers no meeting reminder of the day before."""
    before_latest = reversed(tracker.events or [])
    if not any(event.get("event") == "user" for event in before_latest):
        return []  # no message of the citizen at all
    for event in before_latest:  # the events before that latest message, newest first
        kind = event.get("event")
        if kind in _TURN_ENDS:
            return []
        if kind == "bot":
            buttons = (event.get("data") or {}).get("buttons")
            return list(buttons) if isinstance(buttons, list) else []
    return []


def button_answer(tracker: Tracker, text: str) -> str:
    """A digit N as the whole answer to a question with buttons is the payload of its button N, in
    the order the SMS numbers them (bot/channels/sms.py, render_buttons): "2" after GRØN/GUL/RØD is
    "GUL", "1" after JA/NEJ is "JA". Anything else, a digit out of range ("7": asked again) and a
    digit after a message without buttons (a questionnaire item, the life areas) stay as written."""
    digit = _WHOLE_DIGIT.fullmatch(text)
    if digit is None:
        return text
    buttons = last_buttons(tracker)
    number = int(digit.group(1))
    if not 1 <= number <= len(buttons):
        return text
    payload = buttons[number - 1].get("payload") if isinstance(buttons[number - 1], dict) else None
    return payload if isinstance(payload, str) and payload and not payload.startswith("/") else text


def latest_entity_int(tracker: Tracker, name: str) -> int | None:
    """An id passed as an entity with trigger_intent (e.g. appointment_id)."""
    value = next(tracker.get_latest_entity_values(name), None)
    return as_id(value) if value is not None else None


def citizen_language(tracker: Tracker) -> str:
    """The language the citizen's answers are read in: what the gate put in the message's metadata
    (bot/channels/gate.py, Admitted.metadata; a client's own "language" never gets through), if the
    NLU understands it; Danish otherwise (a proactive turn, an Arabic setting, an old tracker)."""
    language = message_language(tracker)
    return language if language in UNDERSTOOD else DANISH


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
        """STOP-like words, or NLU's stop intent for text in words it knows: the model read
        "%s%s%s%n" as stop_checkin with 0.87, and a garbage message must be asked again, not end
        the check-in."""
        text, language = latest_text(tracker), citizen_language(tracker)
        return is_stop(text, language) or (latest_intent(tracker, STOP_CONFIDENT) == self.stop_intent
                                           and understood(text, language))

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

    def missed_events(self, tracker: Tracker) -> list:
        """Slots to set when an answer was unclear and the question is asked again (with its
        options, or after the way out): the check-in counts them (issue 15 §4)."""
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
        if taken and is_call_request(latest_text(tracker), citizen_language(tracker)) \
                and requested not in self.call_is_an_answer:
            return await self.call_instead(dispatcher, tracker, requested)
        missed_before = bool(tracker.get_slot(CLARIFY))  # read first: the SDK's run adds the new slots
        events = await super().run(dispatcher, tracker, domain)
        clarify = _slot_event(events, CLARIFY)
        missed = clarify is not None and bool(clarify["value"])  # the question is asked again
        if self.way_out and missed and missed_before:
            # The second unclear answer in a row to this question (an accepted answer resets
            # `clarify`): the way out, then the question as first asked. The next miss gets the
            # options spelled out again, the one after it the way out again.
            dispatcher.utter_message(response=WAY_OUT)
            clarify["value"] = False
            events += self.way_out_events()
        if missed:
            events += self.missed_events(tracker)
        return events

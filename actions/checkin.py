"""The lyskurve check-in (docs/architecture.md, "Check-ins and alerts"): start, validate each answer, ask, and store with alerts."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import CitizenAction
from actions.citizen import CitizenInfo, channel_of, current_citizen
from actions.forms import (
    CitizenFormValidation,
    accepted,
    latest_intent,
    latest_intent_scored,
    latest_text,
    unclear,
)
from bot.checkins.answers import (
    MOOD_COLOURS,
    NLU_CONFIDENT,
    RED,
    YELLOW,
    decide_colour,
    is_no_more,
    is_skip,
    parse_areas,
    parse_colour,
    parse_colour_sequence,
    parse_yes_no,
)
from bot.checkins.programmes import get_programme
from bot.checkins.record import record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.core.text import words

CHECKIN_SLOTS = (
    "checkin_overall",
    "checkin_focus",
    "checkin_area_answer",
    "checkin_areas",
    "checkin_note",
    "checkin_wants_contact",
    "checkin_stopped",
    "checkin_prompt",  # set when the scheduler started the check-in (actions/proactive_checkin.py)
)
NOTE_MAX = 2000
DONE = "done"


def reset_checkin() -> list[SlotSet]:
    return [SlotSet(slot, None) for slot in CHECKIN_SLOTS] + [SlotSet("clarify", False)]


def _mentions_calling(text: str) -> bool:
    return "ring" in words(text) or "ringe" in words(text)


def _asks_for_call(text: str, intent: str | None, confidence: float) -> bool:
    return _mentions_calling(text) or (intent == "request_contact" and confidence >= NLU_CONFIDENT)


def colour_answer(text: str, intent: str | None, confidence: float, programme) -> dict[str, Any] | None:
    """The slots one answer to "Hvordan går det?" fills, or None when it names no colour. One
    message may carry more than the colour ("rød, pengene. ring til mig"): use it all."""
    colour = decide_colour(text, intent, confidence)
    if colour is None:
        return None
    result: dict[str, Any] = {"checkin_overall": colour}
    if colour in (YELLOW, RED) and programme.shape == "short" and len(words(text)) > 1:
        focus = parse_areas(text, programme)
        if focus:
            result["checkin_focus"] = focus
    if _asks_for_call(text, intent, confidence):
        result["checkin_wants_contact"] = True
    return result


class ActionStartCheckin(CitizenAction):
    def name(self) -> str:
        return "action_start_checkin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        programme = get_programme(info.citizen.programme if info else None)
        events = reset_checkin() + [SlotSet("checkin_programme", programme.name)]
        intent, confidence = latest_intent_scored(tracker)
        if intent in MOOD_COLOURS:
            # "Det går ad h til" started it: that is the answer, so the citizen is not asked again.
            answer = colour_answer(latest_text(tracker), intent, confidence, programme) or {}
            events += [SlotSet(slot, value) for slot, value in answer.items()]
        return events


class ValidateCheckinForm(CitizenFormValidation):
    stopped_slot = "checkin_stopped"
    stop_intent = "stop_checkin"

    def name(self) -> str:
        return "validate_checkin_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("checkin_stopped"):
            return []
        overall = tracker.get_slot("checkin_overall")
        if overall is None:
            return ["checkin_overall"]
        programme = get_programme(tracker.get_slot("checkin_programme"))
        slots = ["checkin_overall"]
        if programme.shape == "full":
            slots.append("checkin_area_answer")
        elif overall in (YELLOW, RED):
            slots.append("checkin_focus")
        slots.append("checkin_note")
        areas = tracker.get_slot("checkin_areas") or {}
        if overall in (YELLOW, RED) or RED in areas.values():
            slots.append("checkin_wants_contact")
        return slots

    def validate_checkin_overall(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        programme = get_programme(tracker.get_slot("checkin_programme"))
        answer = colour_answer(text, *latest_intent_scored(tracker), programme)
        if answer is not None:
            return accepted(answer)
        result = unclear("checkin_overall")
        if _asks_for_call(text, *latest_intent_scored(tracker)):
            result["checkin_wants_contact"] = True
        return result

    def validate_checkin_focus(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        if is_skip(text):
            return accepted({"checkin_focus": []})
        focus = parse_areas(text, get_programme(tracker.get_slot("checkin_programme")))
        return accepted({"checkin_focus": focus}) if focus else unclear("checkin_focus")

    def validate_checkin_area_answer(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        programme = get_programme(tracker.get_slot("checkin_programme"))
        areas: dict[str, str] = dict(tracker.get_slot("checkin_areas") or {})
        pending = [a.key for a in programme.areas if a.key not in areas]
        sequence = parse_colour_sequence(text, len(pending)) if len(pending) > 1 else None
        if sequence:
            areas.update(zip(pending, sequence))
        else:
            colour = parse_colour(text)
            if colour is None:
                return unclear("checkin_area_answer")
            areas[pending[0]] = colour
        done = len(areas) == len(programme.areas)
        return accepted({"checkin_areas": areas, "checkin_area_answer": DONE if done else None})

    def validate_checkin_note(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker).strip()
        if is_no_more(text) or is_skip(text):
            return accepted({"checkin_note": False})
        result: dict[str, Any] = {"checkin_note": text[:NOTE_MAX]}
        if _mentions_calling(text) and tracker.get_slot("checkin_wants_contact") is None:
            result["checkin_wants_contact"] = True
        return accepted(result)

    def validate_checkin_wants_contact(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        answer = parse_yes_no(text)
        if answer is None:
            answer = {"affirm": True, "request_contact": True, "deny": False}.get(latest_intent(tracker) or "")
        if answer is None:
            return unclear("checkin_wants_contact")
        return accepted({"checkin_wants_contact": answer})


class ActionSetAsideCheckin(CitizenAction):
    """Something else starts in the middle of a check-in, maybe one left hours ago (the citizen's
    TJEK IND or FORBERED, a reminder, a new prompt): what they answered is kept as a partial
    check-in, without a word, and the new flow starts."""

    def name(self) -> str:
        return "action_set_aside_checkin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        if info is not None and tracker.get_slot("checkin_overall"):
            await save_checkin(tracker, info, stopped=True)
        return reset_checkin()


class ActionAskCheckinFocus(CitizenAction):
    def name(self) -> str:
        return "action_ask_checkin_focus"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        programme = get_programme(tracker.get_slot("checkin_programme"))
        area_list = ", ".join(f"{i} {a.label}" for i, a in enumerate(programme.areas, start=1))
        dispatcher.utter_message(response="utter_ask_checkin_focus", area_list=area_list)
        return []


class ActionAskCheckinAreaAnswer(CitizenAction):
    def name(self) -> str:
        return "action_ask_checkin_area_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        programme = get_programme(tracker.get_slot("checkin_programme"))
        areas = tracker.get_slot("checkin_areas") or {}
        pending = [a for a in programme.areas if a.key not in areas]
        response = "utter_ask_first_area" if not areas and not tracker.get_slot("clarify") else "utter_ask_checkin_area_answer"
        dispatcher.utter_message(response=response, area=pending[0].label, count=len(programme.areas))
        return []


class ActionSubmitCheckin(CitizenAction):
    def name(self) -> str:
        return "action_submit_checkin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        overall = tracker.get_slot("checkin_overall")
        if info is None:
            dispatcher.utter_message(response="utter_unknown_sender")
            return reset_checkin()
        if overall is None:
            dispatcher.utter_message(response="utter_checkin_cancelled")
            return reset_checkin()
        wants_contact = tracker.get_slot("checkin_wants_contact")
        stopped = bool(tracker.get_slot("checkin_stopped"))
        await save_checkin(tracker, info, stopped=stopped)
        dispatcher.utter_message(response=_closing_response(overall, wants_contact, stopped),
                                 coordinator=info.coordinator_name)
        return reset_checkin()


async def save_checkin(tracker: Tracker, info: CitizenInfo, *, stopped: bool) -> None:
    answers = CheckinAnswers(
        overall=tracker.get_slot("checkin_overall"),
        areas=dict(tracker.get_slot("checkin_areas") or {}),
        focus_areas=list(tracker.get_slot("checkin_focus") or []),
        wants_contact=tracker.get_slot("checkin_wants_contact"),
    )
    note = tracker.get_slot("checkin_note") or None
    await context.db().run(
        lambda s: record_checkin(s, info.citizen, answers, note=note, complete=not stopped,
                                 channel=channel_of(tracker), now=context.clock().now())
    )


def _closing_response(overall: str, wants_contact: bool | None, stopped: bool) -> str:
    if wants_contact:
        return "utter_checkin_done_call"
    if stopped:
        return "utter_checkin_done_partial"
    if overall == RED:
        return "utter_checkin_done_red"
    return "utter_checkin_done"

"""The lyskurve check-in (docs/architecture.md, "Check-ins and alerts"): start, validate each answer,
ask, and store. Each accepted answer is stored at once (bot/checkins/record.py, record_answer), so a
red answer reaches the coordinator even if the citizen says nothing more; the end of the form
finishes the same check-in (docs/decisions.md, "An answer counts the moment it is given")."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import CitizenAction, message_language
from actions.citizen import CitizenInfo, channel_of, current_citizen, language_of
from actions.external import undo_placeholder_fills
from actions.forms import (
    CitizenFormValidation,
    accepted,
    citizen_language,
    latest_intent,
    latest_intent_scored,
    latest_text,
    unclear,
)
from bot.checkins.answers import (
    ENGLISH,
    MOOD_COLOURS,
    NLU_CONFIDENT,
    RED,
    YELLOW,
    decide_colour,
    free_text,
    is_call_request,
    is_no_more,
    is_skip,
    parse_areas,
    parse_colour,
    parse_colour_sequence,
    parse_yes_no,
    understood,
    yes_no_of_intent,
)
from bot.checkins.language import DANISH
from bot.checkins.programmes import get_programme
from bot.checkins.record import finish, open_checkin, record_answer
from bot.checkins.rules import CheckinAnswers
from bot.citizens.contact import request_contact
from bot.core.text import words
from bot.db.citizens import citizen_by_phone
from bot.db.models import CheckIn

CHECKIN_SLOTS = (
    "checkin_overall",
    "checkin_focus",
    "checkin_area_answer",
    "checkin_areas",
    "checkin_note",
    "checkin_wants_contact",
    "checkin_stopped",
    "checkin_prompt",  # set when the scheduler started the check-in (actions/proactive_checkin.py)
    "checkin_id",  # the stored check-in (set by the validation at the first answer)
    "checkin_clarifications",  # how many times a question was asked again (stored with the check-in)
)
# What the citizen has answered: a new value in one of these is stored at once.
ANSWER_SLOTS = ("checkin_overall", "checkin_focus", "checkin_areas", "checkin_note", "checkin_wants_contact")
NOTE_MAX = 2000
DONE = "done"


def reset_checkin() -> list[SlotSet]:
    return [SlotSet(slot, None) for slot in CHECKIN_SLOTS] + [SlotSet("clarify", False)]


def _mentions_calling(text: str, language: str = DANISH) -> bool:
    said = set(words(text))
    return bool(said & {"ring", "ringe"} or language == ENGLISH and "call" in said)


def _asks_for_call(text: str, intent: str | None, confidence: float, language: str = DANISH) -> bool:
    """"ring"/"ringe" (an English citizen's "call") in the words, or NLU's request_contact for text
    in Danish or the citizen's language (NLU reads two rainbow flags or "❤️" as request_contact with 1.00)."""
    return _mentions_calling(text, language) or (intent == "request_contact" and confidence >= NLU_CONFIDENT
                                                 and understood(text, language))


def colour_answer(text: str, intent: str | None, confidence: float, programme,
                  language: str = DANISH) -> dict[str, Any] | None:
    """The slots one answer to "Hvordan går det?" fills, or None when it names no colour. One
    message may carry more than the colour ("rød, pengene. ring til mig"): use it all."""
    colour = decide_colour(text, intent, confidence, language)
    if colour is None:
        return None
    result: dict[str, Any] = {"checkin_overall": colour}
    if colour in (YELLOW, RED) and programme.shape == "short" and len(words(text)) > 1:
        focus = parse_areas(text, programme, language)
        if focus:
            result["checkin_focus"] = focus
    if _asks_for_call(text, intent, confidence, language):
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
            answer = colour_answer(latest_text(tracker), intent, confidence, programme, citizen_language(tracker)) or {}
            events += [SlotSet(slot, value) for slot, value in answer.items()]
        return events


class ValidateCheckinForm(CitizenFormValidation):
    stopped_slot = "checkin_stopped"
    stop_intent = "stop_checkin"
    # RING answers "Skal din koordinator ringe til dig?" and is a note that asks for the call.
    call_is_an_answer = frozenset({"checkin_note", "checkin_wants_contact"})

    def name(self) -> str:
        return "validate_checkin_form"

    async def call_instead(self, dispatcher, tracker: Tracker, requested: str) -> list:
        """RING at a question: the check-in pauses with the call wanted. With a colour stored the
        end of the form stores the wish (and its alert) and says "... ringer til dig"; before the
        colour there is no check-in to store it in, so the call is asked for here, and the end of
        the form says so (action_submit_checkin)."""
        # At the colour question the slot holds this message (Rasa's from_text fill), not a colour.
        before_colour = requested == "checkin_overall" or tracker.get_slot("checkin_overall") is None
        calling = await self._call_wanted(tracker, before_colour)
        return self.stop_events(requested) + [SlotSet(slot, value) for slot, value in calling.items()]

    async def _call_wanted(self, tracker: Tracker, before_colour: bool) -> dict[str, Any]:
        if before_colour:
            info = await current_citizen(tracker)
            if info is not None:
                await context.db().run(request_contact, info.citizen, context.clock().now())
        return {"checkin_wants_contact": True}

    def way_out_events(self) -> list:
        return [SlotSet("checkin_prompt", None)]  # "Hej. Det er tid til dit tjek ind" only the first time

    def missed_events(self, tracker: Tracker) -> list:
        """Counted per check-in (issue 15 §4): stored with the next answer, or at the end."""
        return [SlotSet("checkin_clarifications", int(tracker.get_slot("checkin_clarifications") or 0) + 1)]

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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        events = await super().run(dispatcher, tracker, domain)
        return events + await _store_answers(tracker, events)

    async def validate_checkin_overall(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        language = citizen_language(tracker)
        programme = get_programme(tracker.get_slot("checkin_programme"))
        intent, confidence = latest_intent_scored(tracker)
        answer = colour_answer(text, intent, confidence, programme, language)
        if answer is not None:
            return accepted(answer)
        if _asks_for_call(text, intent, confidence, language):
            # "kan min koordinator ringe?" instead of a colour: the call now, and the check-in pauses.
            return {"checkin_overall": None, "checkin_stopped": True, "clarify": False,
                    **await self._call_wanted(tracker, before_colour=True)}
        return unclear("checkin_overall")

    def validate_checkin_focus(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        language = citizen_language(tracker)
        if is_skip(text, language):
            return accepted({"checkin_focus": []})
        focus = parse_areas(text, get_programme(tracker.get_slot("checkin_programme")), language)
        return accepted({"checkin_focus": focus}) if focus else unclear("checkin_focus")

    def validate_checkin_area_answer(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        programme = get_programme(tracker.get_slot("checkin_programme"))
        areas: dict[str, str] = dict(tracker.get_slot("checkin_areas") or {})
        pending = [a.key for a in programme.areas if a.key not in areas]
        sequence = parse_colour_sequence(text, len(pending), citizen_language(tracker)) if len(pending) > 1 else None
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
        language = citizen_language(tracker)
        if is_no_more(text, language) or is_skip(text, language):
            return accepted({"checkin_note": False})
        note = free_text(text, NOTE_MAX)  # text with letters, cut at NOTE_MAX; emoji or garbage is asked again
        if note is None:
            return unclear("checkin_note")
        result: dict[str, Any] = {"checkin_note": note}
        if _mentions_calling(text, language) and tracker.get_slot("checkin_wants_contact") is None:
            result["checkin_wants_contact"] = True
        return accepted(result)

    def validate_checkin_wants_contact(self, value: Any, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        text = latest_text(tracker)
        language = citizen_language(tracker)
        answer = True if is_call_request(text, language) else parse_yes_no(text, language)  # "ring" says JA here
        if answer is None:
            intent = latest_intent(tracker)
            answer = (True if intent == "request_contact" and understood(text, language)
                      else yes_no_of_intent(text, intent, language))
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


async def _reply_language(tracker: Tracker) -> str:
    """The language the question goes out in, for the areas' labels in it: the citizen's, as the gate
    put it in the message; the database only in a proactive turn (the open check-in's nudge), which
    has no message metadata."""
    language = message_language(tracker)
    if language is not None:
        return language
    info = await current_citizen(tracker)
    return language_of(info.citizen if info else None)


class ActionAskCheckinAreaAnswer(CitizenAction):
    def name(self) -> str:
        return "action_ask_checkin_area_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        programme = get_programme(tracker.get_slot("checkin_programme"))
        areas = tracker.get_slot("checkin_areas") or {}
        pending = [a for a in programme.areas if a.key not in areas]
        response = "utter_ask_first_area" if not areas and not tracker.get_slot("clarify") else "utter_ask_checkin_area_answer"
        dispatcher.utter_message(response=response, area=pending[0].label_in(await _reply_language(tracker)),
                                 count=len(programme.areas))
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
            # RING before the colour: the call was asked for then (ValidateCheckinForm.call_instead).
            called = tracker.get_slot("checkin_wants_contact") is True
            dispatcher.utter_message(response="utter_contact_confirmed" if called else "utter_checkin_cancelled",
                                     coordinator=info.coordinator_name)
            return reset_checkin()
        wants_contact = tracker.get_slot("checkin_wants_contact")
        stopped = bool(tracker.get_slot("checkin_stopped"))
        await save_checkin(tracker, info, stopped=stopped)
        dispatcher.utter_message(response=_closing_response(overall, wants_contact, stopped),
                                 coordinator=info.coordinator_name)
        return reset_checkin()


def _answers(slots: dict[str, Any]) -> tuple[CheckinAnswers, str | None]:
    answers = CheckinAnswers(
        overall=slots.get("checkin_overall"),
        areas=dict(slots.get("checkin_areas") or {}),
        focus_areas=list(slots.get("checkin_focus") or []),
        wants_contact=slots.get("checkin_wants_contact"),
    )
    note = slots.get("checkin_note")
    return answers, note if isinstance(note, str) and note else None  # False: "no more to say"


async def _record(tracker: Tracker, info: CitizenInfo | None, slots: dict[str, Any],
                  finished: bool | None = None) -> int | None:
    """Store what the slots hold now in the citizen's check-in (opened at the first answer); with
    `finished`, also finish it (True complete, False partial). Returns the check-in's id. Without
    `info` the citizen is read in the same transaction (an answer's turn: one transaction, not two;
    docs/performance.md); None when the sender is no citizen."""
    answers, note = _answers(slots)
    checkin_id, channel = slots.get("checkin_id"), channel_of(tracker)
    now, settings = context.clock().now(), context.proactive_settings()

    def store(session) -> int | None:
        citizen = info.citizen if info is not None else citizen_by_phone(session, tracker.sender_id)
        if citizen is None:
            return None
        checkin, _ = record_answer(session, citizen, checkin_id, answers, note=note, channel=channel,
                                   now=now, settings=settings,
                                   clarifications=int(slots.get("checkin_clarifications") or 0))
        if finished is not None:
            finish(session, citizen, checkin.id, complete=finished, now=now)
        return checkin.id

    return await context.db().run(store)


async def _store_answers(tracker: Tracker, events: list[dict]) -> list[SlotSet]:
    """After validation: an accepted answer (or a colour given in the message that started the
    check-in) is stored now, with the alerts it calls for, not when the form ends."""
    changed = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    slots = {**tracker.current_slot_values(), **changed}
    if slots.get("checkin_overall") is None or slots.get("checkin_stopped"):
        return []  # nothing before the colour; a stop is finished by action_submit_checkin
    answered = any(changed.get(name) is not None for name in ANSWER_SLOTS)
    if not answered and slots.get("checkin_id") is not None:
        return []
    checkin_id = await _record(tracker, None, slots)
    return [] if checkin_id is None else [SlotSet("checkin_id", checkin_id)]


async def save_checkin(tracker: Tracker, info: CitizenInfo, *, stopped: bool) -> None:
    """The end of the check-in (the form is done, the citizen stopped, or something else started):
    whatever the slots hold is stored (normally it is already, answer by answer) and the same
    check-in is finished, complete or partial."""
    await _record(tracker, info, tracker.current_slot_values(), finished=not stopped)


def _slots_of(checkin: CheckIn, programme) -> list[SlotSet]:
    """A stored check-in as the form's slots, for the form to carry on from where it stopped."""
    areas_done = programme.shape == "full" and all(a.key in (checkin.areas or {}) for a in programme.areas)
    return [
        SlotSet("checkin_id", checkin.id),
        SlotSet("checkin_area_answer", DONE if areas_done else None),
        SlotSet("checkin_overall", checkin.overall),
        SlotSet("checkin_focus", list(checkin.focus_areas) if checkin.focus_areas else None),
        SlotSet("checkin_areas", dict(checkin.areas) if checkin.areas else None),
        SlotSet("checkin_note", checkin.note),
        SlotSet("checkin_wants_contact", checkin.wants_contact),
        SlotSet("checkin_clarifications", checkin.clarifications),
    ]


class ActionResumeCheckin(CitizenAction):
    """The scheduler's one nudge about a check-in left open (EXTERNAL_checkin_open_nudge): a kind
    word, then the form asks the question where the citizen stopped (data/rules/proactive_checkin.yml).
    The check-in is the sender's own open one in the database; the conversation's slots are kept
    when they are about it (they know a declined note), else they are read from the database."""

    def name(self) -> str:
        return "action_resume_checkin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        checkin = await context.db().run(open_checkin, info.citizen) if info is not None else None
        if checkin is None:
            # Finished between the scheduler's check and now: nothing to resume. The form ends at
            # once, and action_submit_checkin, without a colour, only says that is fine.
            return reset_checkin() + [SlotSet("checkin_stopped", True)]
        dispatcher.utter_message(response="utter_checkin_open_nudge")
        programme = get_programme(tracker.get_slot("checkin_programme") or info.citizen.programme)
        events = undo_placeholder_fills(tracker)
        if tracker.get_slot("checkin_id") != checkin.id:
            events += _slots_of(checkin, programme)
        return events + [SlotSet("checkin_programme", programme.name),
                         SlotSet("checkin_stopped", None), SlotSet("checkin_prompt", None), SlotSet("clarify", False)]


def _closing_response(overall: str, wants_contact: bool | None, stopped: bool) -> str:
    if wants_contact:
        return "utter_checkin_done_call"
    if stopped:
        return "utter_checkin_done_partial"
    if overall == RED:
        return "utter_checkin_done_red"
    return "utter_checkin_done"

"""Preparing a meeting with the citizen: seven skippable questions, each answer saved to
the database at once so the citizen can stop and carry on hours or days later, then a short summary
the citizen confirms or corrects. The coordinator gets it as the meeting's draft agenda."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import CitizenAction
from actions.citizen import current_citizen, language_of, when_text
from actions.forms import CitizenFormValidation, accepted, citizen_language, latest_entity_int, latest_text, unclear
from actions.questions import YES_NO, ask
from bot.checkins.answers import free_text, is_dont_know, is_skip, parse_yes_no
from bot.core.vocabulary import AppointmentStatus, PreparationStatus
from bot.db import preparations as prep_db
from bot.db.appointments import get_appointment, next_preparable_appointment
from bot.meetings.preparation import KEY_OF, MAX_ANSWER, QUESTIONS, SKIPPED, split_topics, summary_text

PREP_SLOTS = [slot for _, slot in QUESTIONS] + ["prep_confirm", "prep_stopped", "prep_appointment_id"]


def reset_preparation() -> list[SlotSet]:
    return [SlotSet(slot, None) for slot in PREP_SLOTS] + [SlotSet("clarify", False)]


def _slots_from_answers(answers: dict) -> list[SlotSet]:
    """Resume: questions already answered (or skipped) are not asked again."""
    events = []
    for key, slot in QUESTIONS:
        if key in answers:
            events.append(SlotSet(slot, answers[key] if answers[key] is not None else SKIPPED))
    return events


def _own_appointment_id(session, appointment_id, citizen_id: int | None) -> int | None:
    """The id if it names the citizen's own appointment, else None. `prep_appointment_id` is a slot
    the dialogue carries, so it is checked against the sender like every id an action loads (issue 12,
    point 2; tests/security/test_foreign_ids.py): someone else's preparation is never read or written."""
    try:
        appointment_id = int(appointment_id)
    except (TypeError, ValueError):
        return None
    if citizen_id is None or get_appointment(session, appointment_id, citizen_id=citizen_id) is None:
        return None
    return appointment_id


def _open_preparation(session, citizen_id: int, appointment_id: int | None, now):
    appointment = (
        get_appointment(session, appointment_id, citizen_id=citizen_id)
        if appointment_id
        else next_preparable_appointment(session, citizen_id, now)
    )
    if appointment is None:
        return None, None, False
    preparation = prep_db.get_preparation(session, appointment.id)
    resumed = (preparation is not None and preparation.status == PreparationStatus.IN_PROGRESS
               and bool(preparation.answers))
    if preparation is not None and preparation.status == PreparationStatus.COMPLETED:
        prep_db.restart(session, preparation, now)
    preparation = prep_db.get_or_start(session, appointment.id, citizen_id, now)
    return appointment, dict(preparation.answers), resumed


async def start_preparation(dispatcher: CollectingDispatcher, tracker: Tracker,
                            appointment_id: int | None = None) -> tuple[list, bool]:
    """Shared by 'forbered mit møde' and a yes to the invitation: (events, whether it started)."""
    info = await current_citizen(tracker)
    if info is None:
        dispatcher.utter_message(response="utter_unknown_sender")
        return reset_preparation() + [SlotSet("prep_stopped", True)], False
    appointment, answers, resumed = await context.db().run(
        _open_preparation, info.citizen.id, appointment_id, context.clock().now())
    if appointment is None:
        dispatcher.utter_message(response="utter_no_meeting_to_prepare")
        return reset_preparation() + [SlotSet("prep_stopped", True)], False
    dispatcher.utter_message(response="utter_preparation_resumed" if resumed else "utter_preparation_intro",
                             when=when_text(appointment.starts_at, language_of(info.citizen)))
    events = reset_preparation() + [SlotSet("prep_appointment_id", appointment.id)] + _slots_from_answers(answers)
    return events, True


class ActionStartPreparation(CitizenAction):
    def name(self) -> str:
        return "action_start_preparation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        events, _ = await start_preparation(dispatcher, tracker)
        return events


class ActionInvitePreparation(CitizenAction):
    """EXTERNAL_preparation_invite (sent by the scheduler a few days before the meeting)."""

    def name(self) -> str:
        return "action_invite_preparation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        appointment_id = latest_entity_int(tracker, "appointment_id")
        appointment = info and appointment_id and await context.db().run(
            lambda s: get_appointment(s, appointment_id, citizen_id=info.citizen.id))
        if not appointment or appointment.status != AppointmentStatus.PLANNED:
            return []  # cancelled or moved away since the invitation was planned: say nothing
        days = max(1, (appointment.starts_at.date() - context.clock().now().date()).days)
        return ask("preparation_invite", YES_NO, appointment_id=appointment.id, days=str(days),
                   when=when_text(appointment.starts_at, language_of(info.citizen)))



class ValidatePreparationForm(CitizenFormValidation):
    stopped_slot = "prep_stopped"
    stop_intent = "stop_checkin"

    def name(self) -> str:
        return "validate_preparation_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("prep_stopped"):
            return []
        return [slot for _, slot in QUESTIONS] + ["prep_confirm"]

    async def _answer(self, slot: str, tracker: Tracker, *, dont_know_is_answer: bool = False) -> dict[str, Any]:
        """Saved to the database at once, so a pause of days loses nothing. Only text with letters
        is an answer (bot/checkins/answers.py free_text, cut at MAX_ANSWER); emoji, garbage or
        another script get the question again."""
        raw = latest_text(tracker).strip()
        key = KEY_OF[slot]
        language = citizen_language(tracker)
        skipped = is_skip(raw, language) and not (dont_know_is_answer and is_dont_know(raw, language))
        text = None if skipped else free_text(raw, MAX_ANSWER)
        if not skipped and text is None:
            return unclear(slot)
        value = None if skipped else (split_topics(text) if key == "topics" else text)
        info = await current_citizen(tracker)
        citizen_id = info.citizen.id if info else None
        now = context.clock().now()

        def save(session) -> bool:
            appointment_id = _own_appointment_id(session, tracker.get_slot("prep_appointment_id"), citizen_id)
            if appointment_id is not None:
                prep_db.save_answer(session, appointment_id, citizen_id, key, value, now)
            return appointment_id is not None

        if not await context.db().run(save):
            # Not the sender's meeting (or none): nothing is saved and the form ends, paused.
            return {slot: None, "prep_stopped": True, "clarify": False}
        return accepted({slot: SKIPPED if value is None else value})

    async def validate_prep_topics(self, value, dispatcher, tracker, domain):
        return await self._answer("prep_topics", tracker)

    async def validate_prep_avoid(self, value, dispatcher, tracker, domain):
        return await self._answer("prep_avoid", tracker)

    async def validate_prep_went_well(self, value, dispatcher, tracker, domain):
        return await self._answer("prep_went_well", tracker)

    async def validate_prep_hard(self, value, dispatcher, tracker, domain):
        return await self._answer("prep_hard", tracker)

    async def validate_prep_attendees(self, value, dispatcher, tracker, domain):
        # "ved ikke" is an answer here: the coordinator will suggest who comes.
        return await self._answer("prep_attendees", tracker, dont_know_is_answer=True)

    async def validate_prep_practical(self, value, dispatcher, tracker, domain):
        return await self._answer("prep_practical", tracker)

    async def validate_prep_questions(self, value, dispatcher, tracker, domain):
        return await self._answer("prep_questions", tracker)

    def validate_prep_confirm(self, value, dispatcher, tracker, domain):
        text = latest_text(tracker).strip()
        answer = parse_yes_no(text, citizen_language(tracker))
        if answer is True:
            return accepted({"prep_confirm": "ok"})
        if answer is False and len(text.split()) <= 2:
            return unclear("prep_confirm")  # "nej" alone: ask what is wrong
        correction = free_text(text, MAX_ANSWER)
        return unclear("prep_confirm") if correction is None else accepted({"prep_confirm": correction})


class ActionAskPrepConfirm(CitizenAction):
    def name(self) -> str:
        return "action_ask_prep_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        if tracker.get_slot("clarify") and parse_yes_no(latest_text(tracker), citizen_language(tracker)) is False:
            dispatcher.utter_message(response="utter_ask_prep_correction")  # "nej": what is wrong?
            return []
        info = await current_citizen(tracker)

        def own_answers(session) -> dict | None:
            appointment_id = _own_appointment_id(session, tracker.get_slot("prep_appointment_id"),
                                                  info.citizen.id if info else None)
            preparation = prep_db.get_preparation(session, appointment_id) if appointment_id else None
            return dict(preparation.answers or {}) if preparation else None

        answers = await context.db().run(own_answers)
        if answers is None:
            dispatcher.utter_message(response="utter_no_meeting_to_prepare")
            return [SlotSet("prep_stopped", True)]
        dispatcher.utter_message(response="utter_ask_prep_confirm",
                                 summary=summary_text(answers, language_of(info.citizen if info else None)))
        return []


class ActionSubmitPreparation(CitizenAction):
    def name(self) -> str:
        return "action_submit_preparation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        appointment_id = tracker.get_slot("prep_appointment_id")
        if appointment_id is None:
            return reset_preparation()
        if tracker.get_slot("prep_stopped"):
            dispatcher.utter_message(response="utter_preparation_paused")
            return reset_preparation()
        confirm = tracker.get_slot("prep_confirm")
        correction = None if confirm == "ok" else confirm
        info = await current_citizen(tracker)
        now = context.clock().now()

        def complete_own(session) -> bool:
            own = _own_appointment_id(session, appointment_id, info.citizen.id if info else None)
            if own is None or prep_db.get_preparation(session, own) is None:
                return False
            prep_db.complete(session, own, correction, now)
            return True

        if not await context.db().run(complete_own):
            dispatcher.utter_message(response="utter_no_meeting_to_prepare")
            return reset_preparation()
        dispatcher.utter_message(
            response="utter_preparation_done_corrected" if correction else "utter_preparation_done",
            coordinator=info.coordinator_name if info else "din koordinator")
        return reset_preparation()

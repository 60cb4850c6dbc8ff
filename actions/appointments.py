"""Appointments in the conversation: the reminder and the citizen's JA / KAN IKKE, the
kind message after a missed appointment, and "hvornår er mit næste møde?"."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import context
from actions.base import CitizenAction
from actions.citizen import current_citizen, language_of, when_text
from actions.external import entity, undo_placeholder_fills
from actions.forms import citizen_language, latest_intent, latest_text
from bot.appointments.attendance import parse_attendance_answer, record_citizen_reply
from bot.checkins.answers import parse_yes_no
from bot.citizens.contact import request_contact
from bot.core import texts
from bot.core.vocabulary import AppointmentReply, AppointmentStatus
from bot.db import appointments as appointment_db
from bot.db.citizens import citizen_by_phone
from bot.db.models import Appointment, Citizen
from bot.db.preparations import get_preparation

AWAITING = "awaiting_reply"
# Not None: a rule can only match "the slot was cleared" on a value (data/rules/appointments.yml).
NOTHING = "nothing"
APPOINTMENT_SLOT = "reminder_appointment_id"
INTENT_ANSWERS = {"affirm": AppointmentReply.CONFIRMED, "confirm_attendance": AppointmentReply.CONFIRMED,
                  "deny": AppointmentReply.CANNOT_COME, "cannot_come": AppointmentReply.CANNOT_COME}


def _own(session: Session, citizen: Citizen | None, appointment_id) -> Appointment | None:
    """The appointment with this id if it is the citizen's own (the sender's); else None. An id in a
    message is never trusted to name someone else's meeting."""
    try:
        appointment_id = int(appointment_id)
    except (TypeError, ValueError):
        return None
    if citizen is None:
        return None
    return appointment_db.get_appointment(session, appointment_id, citizen_id=citizen.id)


def _load(session: Session, phone: str, appointment_id) -> tuple[Appointment | None, str]:
    """The sender's own appointment with this id (see _own), and the sender's language for the
    values put into the response."""
    citizen = citizen_by_phone(session, phone)
    return _own(session, citizen, appointment_id), language_of(citizen)


class ActionSendAppointmentReminder(CitizenAction):
    """EXTERNAL_appointment_reminder {appointment_id}: time and place, and JA / KAN IKKE."""

    def name(self) -> str:
        return "action_send_appointment_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        appointment_id = entity(tracker, "appointment_id")
        appointment, language = await context.db().run(_load, tracker.sender_id, appointment_id)
        events = undo_placeholder_fills(tracker)
        if appointment is None or appointment.status != AppointmentStatus.PLANNED:
            return events  # the scheduler checked; if it changed since, saying nothing is right
        confirmed = appointment.citizen_reply == AppointmentReply.CONFIRMED
        response = "utter_appointment_reminder_confirmed" if confirmed else "utter_appointment_reminder"
        if not appointment.location:
            response += "_no_place"
        recap = await context.db().run(topic_recap, appointment.id, language)
        if appointment.interpreter:
            # After the citizen's topic, before the question: the booked interpreter (migration 0021).
            recap += interpreter_line(language)
        dispatcher.utter_message(response=response, when=when_text(appointment.starts_at, language),
                                 location=appointment.location or "", recap=recap)
        if confirmed:
            return events
        return events + [SlotSet(AWAITING, "appointment_answer"), SlotSet(APPOINTMENT_SLOT, str(appointment.id))]


def topic_recap(session: Session, appointment_id: int, language: str | None = None) -> str:
    """The citizen's own most important topic from their preparation, as a reminder line in the
    citizen's `language` (the topic in their own words)."""
    preparation = get_preparation(session, appointment_id)
    topics = (preparation.answers or {}).get("topics") if preparation else None
    if not topics:
        return ""
    topic = topics[0] if len(topics[0]) <= 50 else topics[0][:47].rstrip() + "..."
    return texts.for_language("TOPIC_RECAP", language).format(topic=topic) + " "


def interpreter_line(language: str | None) -> str:
    """The reminder's line when an interpreter comes, in the citizen's language, as a recap part."""
    return texts.for_language("INTERPRETER_COMING", language) + " "


def _answerable(session: Session, phone: str, reminded_id,
                now) -> tuple[Appointment | None, str | None, str]:
    """The appointment the citizen answers about: the one last reminded of if still ahead, else the
    next planned one; with the coordinator's name and the citizen's language."""
    citizen = citizen_by_phone(session, phone)
    if citizen is None:
        return None, None, language_of(None)
    reminded = _own(session, citizen, reminded_id)
    if reminded is not None and reminded.status == AppointmentStatus.PLANNED \
            and reminded.starts_at > now:
        return reminded, citizen.coordinator.name, language_of(citizen)
    upcoming = appointment_db.upcoming_appointments(session, citizen.id, now, limit=1)
    return (upcoming[0] if upcoming else None), citizen.coordinator.name, language_of(citizen)


class ActionAppointmentAnswer(CitizenAction):
    """JA / KAN IKKE (and typos), after a reminder or on the citizen's own initiative."""

    def name(self) -> str:
        return "action_appointment_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        now = context.clock().now()
        appointment, coordinator, language = await context.db().run(
            _answerable, tracker.sender_id, tracker.get_slot(APPOINTMENT_SLOT), now)
        if appointment is None:
            dispatcher.utter_message(response="utter_no_appointment_to_answer")
            return [SlotSet(AWAITING, NOTHING), SlotSet(APPOINTMENT_SLOT, None)]
        answer = parse_attendance_answer(latest_text(tracker)) or INTENT_ANSWERS.get(latest_intent(tracker) or "")
        if answer is None:
            dispatcher.utter_message(response="utter_ask_appointment_answer",
                                     when=when_text(appointment.starts_at, language))
            return [SlotSet(AWAITING, "appointment_answer"), SlotSet(APPOINTMENT_SLOT, str(appointment.id))]
        settings = context.proactive_settings()
        await context.db().run(
            lambda s: record_citizen_reply(s, s.get(Appointment, appointment.id), answer, now, settings))
        if answer == AppointmentReply.CONFIRMED:
            dispatcher.utter_message(response="utter_appointment_confirmed",
                                     when=when_text(appointment.starts_at, language))
        else:
            dispatcher.utter_message(response="utter_appointment_cannot_come", coordinator=coordinator)
        return [SlotSet(AWAITING, NOTHING), SlotSet(APPOINTMENT_SLOT, None)]


class ActionMissedFollowup(CitizenAction):
    """EXTERNAL_missed_followup {appointment_id}: concern, never control, and an easy new time."""

    def name(self) -> str:
        return "action_missed_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        appointment, language = await context.db().run(_load, tracker.sender_id, entity(tracker, "appointment_id"))
        info = await current_citizen(tracker)
        events = undo_placeholder_fills(tracker)
        if appointment is None or info is None:
            return events
        dispatcher.utter_message(response="utter_missed_followup", when=when_text(appointment.starts_at, language),
                                 coordinator=info.coordinator_name)
        return events + [SlotSet(AWAITING, "new_time"), SlotSet(APPOINTMENT_SLOT, None)]


class ActionNewTimeAnswer(CitizenAction):
    """The answer to "Vil du have en ny tid?": yes asks the coordinator to call."""

    def name(self) -> str:
        return "action_new_time_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        answer = parse_yes_no(latest_text(tracker), citizen_language(tracker))
        if answer is None:
            answer = {"affirm": True, "request_contact": True, "deny": False}.get(latest_intent(tracker) or "")
        if answer is None:
            dispatcher.utter_message(response="utter_ask_new_time")
            return [SlotSet(AWAITING, "new_time")]
        if not answer:
            dispatcher.utter_message(response="utter_new_time_declined")
            return [SlotSet(AWAITING, NOTHING)]
        info = await current_citizen(tracker)
        if info is None:
            dispatcher.utter_message(response="utter_unknown_sender")
            return [SlotSet(AWAITING, NOTHING)]
        await context.db().run(request_contact, info.citizen, context.clock().now())
        dispatcher.utter_message(response="utter_contact_confirmed", coordinator=info.coordinator_name)
        return [SlotSet(AWAITING, NOTHING)]


def _next_appointments(session: Session, phone: str, now) -> tuple[bool, list[Appointment], str, str]:
    """(whether the sender is a citizen, the next two appointments, the coordinator's name, the
    citizen's language)."""
    citizen = citizen_by_phone(session, phone)
    if citizen is None:
        return False, [], "", language_of(None)
    return (True, appointment_db.upcoming_appointments(session, citizen.id, now, limit=2), citizen.coordinator.name,
            language_of(citizen))


def _describe(appointment: Appointment, language: str) -> str:
    when = when_text(appointment.starts_at, language)
    return f"{when} ({appointment.location})" if appointment.location else when


class ActionTellNextAppointment(CitizenAction):
    """"Hvornår er mit næste møde?": the next one or two, in Copenhagen time, or that there is none."""

    def name(self) -> str:
        return "action_tell_next_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        known, upcoming, coordinator, language = await context.db().run(_next_appointments, tracker.sender_id,
                                                                        context.clock().now())
        if not known:
            dispatcher.utter_message(response="utter_unknown_sender")
        elif not upcoming:
            dispatcher.utter_message(response="utter_no_next_appointment", coordinator=coordinator)
        elif len(upcoming) == 1:
            [only] = upcoming
            response = "utter_next_appointment" if only.location else "utter_next_appointment_no_place"
            dispatcher.utter_message(response=response, when=when_text(only.starts_at, language),
                                     location=only.location or "")
        else:
            dispatcher.utter_message(response="utter_next_appointments", first=_describe(upcoming[0], language),
                                     second=_describe(upcoming[1], language))
        return []

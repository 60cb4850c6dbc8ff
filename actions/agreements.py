"""After the meeting: the agreements for the citizen to approve, the follow-up about two weeks
later, and "hvad sker der i min sag?" at any time."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import context
from actions.base import CitizenAction
from actions.citizen import current_citizen, language_of, when_text
from actions.forms import latest_entity_int
from actions.questions import YES_NO, YES_NO_UNKNOWN, ask
from bot.core.vocabulary import AgreementStatus
from bot.db import agreements as agreement_db
from bot.db.appointments import get_appointment
from bot.meetings.agreements import LIST_IN_APPROVAL, LIST_IN_STATUS, agreement_list


class ActionPresentAgreements(CitizenAction):
    """EXTERNAL_agreements_approval: the list in plain words, then one yes/no question."""

    def name(self) -> str:
        return "action_present_agreements"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        appointment_id = latest_entity_int(tracker, "appointment_id")
        if info is None or appointment_id is None:
            return []

        def load(session):
            appointment = get_appointment(session, appointment_id, citizen_id=info.citizen.id)
            return appointment, agreement_db.for_appointment(session, appointment_id)

        appointment, agreements = await context.db().run(load)
        if appointment is None or not agreements:
            return []
        language = language_of(info.citizen)
        dispatcher.utter_message(response="utter_agreements_list", when=when_text(appointment.starts_at, language),
                                 agreements=agreement_list(agreements, LIST_IN_APPROVAL, language))
        return ask("agreements_approval", YES_NO, appointment_id=appointment_id)


class ActionAgreementFollowup(CitizenAction):
    """EXTERNAL_agreement_followup: 'Har du hørt fra <who> om <what>?'"""

    def name(self) -> str:
        return "action_agreement_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        agreement_id = latest_entity_int(tracker, "agreement_id")
        agreement = info and agreement_id and await context.db().run(agreement_db.get_agreement, agreement_id)
        if not agreement or agreement.citizen_id != info.citizen.id or agreement.followed_up_at:
            return []
        return ask("agreement_followup", YES_NO_UNKNOWN, agreement_id=agreement.id, who=agreement.who,
                   what=agreement.what[:120])


class ActionCaseStatus(CitizenAction):
    """'Hvad sker der i min sag?': the open agreements and where they stand."""

    def name(self) -> str:
        return "action_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        info = await current_citizen(tracker)
        if info is None:
            dispatcher.utter_message(response="utter_unknown_sender")
            return []
        agreements = await context.db().run(agreement_db.for_citizen, info.citizen.id)
        open_ones = [a for a in agreements if a.status != AgreementStatus.REJECTED and a.follow_up_answer != "yes"]
        if not open_ones:
            dispatcher.utter_message(response="utter_case_status_none", coordinator=info.coordinator_name)
            return []
        dispatcher.utter_message(response="utter_case_status",
                                 agreements=agreement_list(open_ones, LIST_IN_STATUS, language_of(info.citizen)),
                                 coordinator=info.coordinator_name)
        return []

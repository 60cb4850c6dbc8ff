"""Who is talking: the Rasa sender id is the citizen's E.164 phone number."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions import context
from bot.core import i18n
from bot.core.phone import format_phone
from bot.db.citizens import citizen_by_phone
from bot.db.models import Citizen


@dataclass(frozen=True)
class CitizenInfo:
    citizen: Citizen
    coordinator_name: str
    coordinator_phone: str | None


def _load(session: Session, phone: str) -> CitizenInfo | None:
    citizen = citizen_by_phone(session, phone, with_coordinator=True)
    if citizen is None:
        return None
    return CitizenInfo(citizen, citizen.coordinator.name, format_phone(citizen.coordinator.phone))


async def current_citizen(tracker: Tracker) -> CitizenInfo | None:
    return await context.db().run(_load, tracker.sender_id)


def language_of(citizen: Citizen | None) -> str:
    """The citizen's language, for the values an action puts into a response (the response itself
    is chosen by Rasa's NLG, bot/channels/nlg.py); Danish for a stranger. Read from the citizen the
    action has loaded anyway, so no action asks the database for the language on its own."""
    return citizen.language if citizen is not None and citizen.language else i18n.DANISH


def when_text(instant: datetime, language: str | None) -> str:
    """A meeting's time as the citizen's language says it ("onsdag d. 2. december kl. 13.30")."""
    return i18n.format_when(instant, language, context.proactive_settings().timezone)


def channel_of(tracker: Tracker) -> str:
    return (tracker.get_latest_input_channel() or "rest")[:20]

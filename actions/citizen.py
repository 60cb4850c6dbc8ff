"""Who is talking: the Rasa sender id is the citizen's E.164 phone number."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions import context
from bot.core import i18n
from bot.core.phone import format_phone
from bot.db.citizens import citizen_by_phone, language_by_phone
from bot.db.models import Citizen


@dataclass(frozen=True)
class CitizenInfo:
    citizen: Citizen
    coordinator_name: str
    coordinator_phone: str | None


def _load(session: Session, phone: str) -> CitizenInfo | None:
    citizen = citizen_by_phone(session, phone)
    if citizen is None:
        return None
    return CitizenInfo(citizen, citizen.coordinator.name, format_phone(citizen.coordinator.phone))


async def current_citizen(tracker: Tracker) -> CitizenInfo | None:
    return await context.db().run(_load, tracker.sender_id)


async def language_of(tracker: Tracker) -> str:
    """The citizen's language, for the values an action puts into a response (the response itself
    is chosen by Rasa's NLG, bot/channels/nlg.py); Danish for a stranger."""
    return await context.db().run(language_by_phone, tracker.sender_id) or i18n.DANISH


async def when_text(tracker: Tracker, instant: datetime) -> str:
    """A meeting's time as the citizen's language says it ("onsdag d. 2. december kl. 13.30")."""
    return i18n.format_when(instant, await language_of(tracker), context.proactive_settings().timezone)


def channel_of(tracker: Tracker) -> str:
    return (tracker.get_latest_input_channel() or "rest")[:20]

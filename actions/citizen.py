"""Who is talking: the Rasa sender id is the citizen's E.164 phone number."""
from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from actions import context
from bot.core.phone import format_phone
from bot.db.citizens import citizen_by_phone
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


def channel_of(tracker: Tracker) -> str:
    return (tracker.get_latest_input_channel() or "rest")[:20]

"""A citizen's erasure across both stores: the coordination database and Rasa's tracker store.
One use case for the JSON API and the dashboard; the export (a read) is bot/service/export.py."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.phone import try_normalize_phone
from bot.db.models import Citizen
from bot.db.privacy import erase_citizen
from bot.db.tracker_events import TrackerEvents


class NotConfirmed(ValueError):
    """The phone number typed as confirmation is not the citizen's: nothing is erased."""


def erase(session: Session, citizen: Citizen, confirm_phone: str, tracker: TrackerEvents, erased_by: int | None,
          now: datetime) -> dict:
    """Erasure cannot be undone, so it needs the citizen's phone number typed as confirmation. Call
    inside the coordination transaction. The tracker store is erased before that commits: if it
    fails, nothing is erased and the request can simply be repeated; if the commit fails after it,
    repeating the request finishes the job."""
    if try_normalize_phone(confirm_phone) != citizen.phone:
        raise NotConfirmed(citizen.id)
    erasure = erase_citizen(session, citizen, erased_by, now)
    events = tracker.delete_sender(citizen.phone)
    return {"erased": True, "citizen_id": citizen.id, "erased_at": erasure.erased_at.isoformat(),
            "rows": {**erasure.rows, "conversation_events": events}}

"""A citizen's data export: every row about them in the coordination database plus their
conversation in Rasa's tracker store, as one JSON document (docs/privacy.md). Shared by the JSON
API and the dashboard."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.models import Citizen
from bot.db.privacy import citizen_records
from bot.db.tracker_events import TrackerEvents
from bot.service.serializers import citizen_json, iso, row_json


def export_document(session: Session, citizen: Citizen, tracker: TrackerEvents, now: datetime) -> dict:
    sections = {name: [row_json(r) for r in rows] for name, rows in citizen_records(session, citizen).items()}
    return {"exported_at": iso(now), "citizen": citizen_json(citizen), **sections,
            "conversation_events": tracker.for_sender(citizen.phone)}

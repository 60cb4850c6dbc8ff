"""Proactive turns: the coordination service's scheduler triggers EXTERNAL_<purpose> intents.
Rasa's slot extraction treats their placeholder text ("EXTERNAL: ...") like a user's words, so
an open form's from_text slot may have been filled with it; these helpers undo that."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

EXTERNAL_PREFIX = "EXTERNAL"


def is_external(tracker: Tracker) -> bool:
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    return intent.startswith(f"{EXTERNAL_PREFIX}_") or (tracker.latest_message.get("text") or "").startswith(
        f"{EXTERNAL_PREFIX}: ")


def entity(tracker: Tracker, name: str):
    return next((e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == name),
                None)


def undo_placeholder_fills(tracker: Tracker) -> list[SlotSet]:
    """Clear every slot that holds the external placeholder text."""
    return [SlotSet(name, None) for name, value in tracker.slots.items()
            if isinstance(value, str) and value.startswith(f"{EXTERNAL_PREFIX}: ")]

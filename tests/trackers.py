"""Tracker fixtures for action tests, in the shape the Rasa server sends to the action server."""
from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
PHONE = "+4512345678"


def tracker(
    text: str = "",
    *,
    intent: str | None = None,
    confidence: float = 0.95,
    slots: dict | None = None,
    requested_slot: str | None = None,
    active_loop: str | None = None,
    sender: str = PHONE,
    channel: str = "rest",
    asked: str | None = None,
) -> Tracker:
    """The tracker as it looks when a form's validation action runs: the user's message was just
    extracted into the requested slot (from_text), so that SlotSet is the last event. `asked`: the
    response (its last variation, buttons and all) the bot sent just before the message (`bot_event`)."""
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested_slot
    events = [bot_event(asked)] if asked else []
    events.append({"event": "user", "text": text, "input_channel": channel,
                   "parse_data": {"intent": {"name": intent, "confidence": confidence}}})
    if requested_slot:
        all_slots[requested_slot] = text
        events.append({"event": "slot", "name": requested_slot, "value": text})
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def bot_event(response: str, variation: int = -1) -> dict:
    """A bot message as Rasa sends it to the action server: the domain response's text and its
    buttons under `data` (as rasa.shared.core.events.BotUttered serialises them)."""
    chosen = DOMAIN["responses"][response][variation]
    return {"event": "bot", "text": chosen["text"], "metadata": {"utter_action": response},
            "data": {"elements": None, "quick_replies": None, "buttons": chosen.get("buttons"),
                     "attachment": None, "image": None, "custom": None}}


def slot_values(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}

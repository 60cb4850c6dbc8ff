"""The kinds of job. A job whose purpose has an intent is delivered as Rasa's EXTERNAL_<purpose>."""
from __future__ import annotations

REMINDER = "appointment_reminder"
UNANSWERED = "appointment_unanswered"  # internal: alerts the coordinator, sends nothing
MISSED_FOLLOWUP = "missed_followup"
CHECKIN_PROMPT = "checkin_prompt"
CHECKIN_NUDGE = "checkin_nudge"

APPOINTMENT_PURPOSES = (REMINDER, UNANSWERED, MISSED_FOLLOWUP)
DELIVERED = (REMINDER, MISSED_FOLLOWUP, CHECKIN_PROMPT, CHECKIN_NUDGE)


def external_intent(purpose: str) -> str:
    return f"EXTERNAL_{purpose}"

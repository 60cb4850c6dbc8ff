"""The kinds of job. A job whose purpose has an intent is delivered as Rasa's EXTERNAL_<purpose>."""
from __future__ import annotations

REMINDER = "appointment_reminder"
UNANSWERED = "appointment_unanswered"  # internal: alerts the coordinator, sends nothing
MISSED_FOLLOWUP = "missed_followup"
CHECKIN_PROMPT = "checkin_prompt"
CHECKIN_NUDGE = "checkin_nudge"
PREPARATION_INVITE = "preparation_invite"
AGREEMENTS_APPROVAL = "agreements_approval"
AGREEMENT_FOLLOWUP = "agreement_followup"

# Jobs that lose their point once the appointment is attended, missed or cancelled.
APPOINTMENT_PURPOSES = (REMINDER, UNANSWERED, MISSED_FOLLOWUP, PREPARATION_INVITE)
# Questions that can wait a few hours while another one is open. Reminders and the message after a
# missed appointment are about a time, so they go when due (and are claimed first).
CAN_WAIT = (CHECKIN_PROMPT, CHECKIN_NUDGE, PREPARATION_INVITE, AGREEMENTS_APPROVAL, AGREEMENT_FOLLOWUP)
DELIVERED = (REMINDER, MISSED_FOLLOWUP, CHECKIN_PROMPT, CHECKIN_NUDGE, PREPARATION_INVITE, AGREEMENTS_APPROVAL,
             AGREEMENT_FOLLOWUP)


def external_intent(purpose: str) -> str:
    return f"EXTERNAL_{purpose}"

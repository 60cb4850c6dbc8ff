"""The kinds of job. A job whose purpose has an intent is delivered as Rasa's EXTERNAL_<purpose>."""
from __future__ import annotations

from bot.core.vocabulary import Purpose

REMINDER = Purpose.REMINDER
UNANSWERED = Purpose.UNANSWERED
MISSED_FOLLOWUP = Purpose.MISSED_FOLLOWUP
CHECKIN_PROMPT = Purpose.CHECKIN_PROMPT
CHECKIN_NUDGE = Purpose.CHECKIN_NUDGE
PREPARATION_INVITE = Purpose.PREPARATION_INVITE
AGREEMENTS_APPROVAL = Purpose.AGREEMENTS_APPROVAL
AGREEMENT_FOLLOWUP = Purpose.AGREEMENT_FOLLOWUP
CHECKIN_OPEN_NUDGE = Purpose.CHECKIN_OPEN_NUDGE
CHECKIN_CLOSE = Purpose.CHECKIN_CLOSE  # internal: sends nothing
QUESTIONNAIRE_PROMPT = Purpose.QUESTIONNAIRE_PROMPT
QUESTIONNAIRE_NUDGE = Purpose.QUESTIONNAIRE_NUDGE
# To a network member (target "invitation:<id>"): queued as SMS by the handler, never through Rasa.
NETWORK_REMINDER = Purpose.NETWORK_REMINDER
NETWORK_CANCELLED = Purpose.NETWORK_CANCELLED
NETWORK_PURPOSES = (NETWORK_REMINDER, NETWORK_CANCELLED)
GOAL_PROGRESS = Purpose.GOAL_PROGRESS

# Jobs that lose their point once the appointment is attended, missed or cancelled.
APPOINTMENT_PURPOSES = (REMINDER, UNANSWERED, MISSED_FOLLOWUP, PREPARATION_INVITE)
# Questions that can wait a few hours while another one is open. Reminders and the message after a
# missed appointment are about a time, so they go when due (and are claimed first).
CAN_WAIT = (CHECKIN_PROMPT, CHECKIN_NUDGE, PREPARATION_INVITE, AGREEMENTS_APPROVAL, AGREEMENT_FOLLOWUP,
            CHECKIN_OPEN_NUDGE, QUESTIONNAIRE_PROMPT, QUESTIONNAIRE_NUDGE, GOAL_PROGRESS)
DELIVERED = (REMINDER, MISSED_FOLLOWUP, CHECKIN_PROMPT, CHECKIN_NUDGE, PREPARATION_INVITE, AGREEMENTS_APPROVAL,
             AGREEMENT_FOLLOWUP, CHECKIN_OPEN_NUDGE, QUESTIONNAIRE_PROMPT, QUESTIONNAIRE_NUDGE, GOAL_PROGRESS)
# A check-in's own jobs (target "checkin:<id>"): they lose their point once it is finished.
OPEN_CHECKIN_PURPOSES = (CHECKIN_OPEN_NUDGE, CHECKIN_CLOSE)


def external_intent(purpose: str) -> str:
    return f"EXTERNAL_{purpose}"

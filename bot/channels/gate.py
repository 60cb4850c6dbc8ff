"""The door to Rasa: only registered citizens get a conversation. What they write is logged
(idempotently per provider message id) before it is processed. An unknown number gets a polite
answer and leaves no trace (no tracker, no log row): the least-data rule for strangers."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from rasa.core.channels.channel import UserMessage
from sqlalchemy.orm import Session

from bot.channels import action_validation, rasa_events, rasa_sqlite
from bot.channels.keywords import as_rasa_text
from bot.core.clock import Clock, process_clock
from bot.core.config import Settings
from bot.core.phone import try_normalize_phone
from bot.core.texts import CRISIS_REPLY, DATABASE_DOWN, HOPELESSNESS_REPLY, UNKNOWN_SENDER
from bot.db import citizens as citizen_db
from bot.db.database import DATABASE_ERRORS, Database, shared_database
from bot.db.messages import log_inbound, mark_answered, was_seen
from bot.safety.alerting import crisis_alert, hopelessness_alert
from bot.safety.crisis import assess as assess_safety
from bot.safety.crisis import warm as warm_crisis_detector

log = logging.getLogger(__name__)
# Every channel imports this module, so Rasa has these before it creates its tracker store and
# runs its first turn (docs/performance.md).
action_validation.install()
rasa_sqlite.install()
rasa_events.install()
SAFETY_PAUSE = "/safety_pause"  # an intent only the gate sends: citizens' leading slashes are taken off
MAX_TEXT = 1600  # ten SMS; longer input is cut rather than refused so nothing the citizen said is lost


class DuplicateMessage(Exception):
    """The provider delivered this message before (gateways retry)."""


class DatabaseUnavailable(Exception):
    """The coordination database could not be reached: nothing was stored, the message was not taken."""


@dataclass(frozen=True)
class Admitted:
    citizen_id: int
    phone: str
    text: str  # what Rasa gets: keywords as intents, long texts cut, SAFETY_PAUSE after a safety reply
    crisis: bool = False  # crisis language: the safety reply goes out before anything else
    hopelessness: bool = False  # giving up, not able to go on (and no crisis language): the kind reply
    inbound_id: int | None = None  # the stored message (inbound_messages), marked answered after its turn

    @property
    def safety_reply(self) -> str | None:
        """Sent before the turn, whatever the dialogue then does (a form may still pause)."""
        return safety_reply(self.crisis, self.hopelessness)


def safety_reply(crisis: bool, hopelessness: bool) -> str | None:
    return CRISIS_REPLY if crisis else HOPELESSNESS_REPLY if hopelessness else None


class CitizenGate:
    def __init__(self, db: Database | None = None, clock: Clock | None = None):
        self._db = db
        self.clock = clock or process_clock()
        warm_crisis_detector()  # a few seconds once, at start-up rather than on a citizen's message

    @property
    def db(self) -> Database:
        # Created lazily: Rasa builds channels before the event loop and env are final.
        if self._db is None:
            self._db = shared_database(Settings.from_env().database_url)
        return self._db

    async def admit(self, sender: str, text: str, channel: str, provider_id: str | None = None,
                    on_safety_reply: Callable[[Session, str, str, datetime], None] | None = None,
                    ) -> Admitted | None:
        """None for an unknown sender; raises DuplicateMessage for a provider id seen before and
        DatabaseUnavailable when the message could not be stored (then no turn may run).
        `on_safety_reply(session, phone, reply, now)` runs in the transaction that stores a message
        with crisis language or hopelessness (docs/nlu.md, "Hopelessness")."""
        phone = try_normalize_phone(sender or "")
        text = (text or "")[:MAX_TEXT]

        rasa_text = as_rasa_text(text)
        # Every free text is checked, whatever the dialogue is doing (a check-in note, a preparation
        # answer, anything): a miss is worse than a false alarm.
        # The citizen's own words are checked, never what Rasa gets: no first character or keyword
        # form skips the check. Crisis language wins over hopelessness, its lower level.
        match = await asyncio.get_running_loop().run_in_executor(None, assess_safety, text)
        crisis = match is not None and match.is_crisis
        hopelessness = match is not None and not match.is_crisis

        def admit_in_db(session):
            # An operator id taken before is a duplicate, also when its message or its citizen was
            # erased since and the sender would now be a stranger: the seen ids outlive the messages
            # (docs/decisions.md, "SMS integrity"). log_inbound's insert of the id catches a race
            # between two deliveries.
            if provider_id is not None and was_seen(session, channel, provider_id):
                raise DuplicateMessage(provider_id)
            citizen = citizen_db.citizen_by_phone(session, phone) if phone else None
            if citizen is None:
                return None
            now = self.clock.now()
            inbound = log_inbound(session, citizen.id, channel=channel, text=text, received_at=now,
                                  provider_id=provider_id)
            if crisis:
                crisis_alert(session, citizen.id, match.category, now)
            elif hopelessness:
                hopelessness_alert(session, citizen.id, now)
            reply = safety_reply(crisis, hopelessness)
            if reply is not None and on_safety_reply is not None:
                on_safety_reply(session, phone, reply, now)
            # After the safety reply the dialogue only pauses (data/rules/safety.yml): the words are
            # stored above, and a second answer ("Det forstod jeg ikke", the next check-in question)
            # would bury the way out the reply names (docs/nlu.md, "After the safety reply").
            return Admitted(citizen.id, phone, SAFETY_PAUSE if reply is not None else rasa_text,
                            crisis=crisis, hopelessness=hopelessness, inbound_id=inbound.id)

        try:
            admitted = await self.db.run(admit_in_db)
        except sa.exc.IntegrityError:
            raise DuplicateMessage(provider_id)
        except DATABASE_ERRORS as exc:
            # Only the error's class travels on: the driver's message can quote the statement's
            # parameters, which are the citizen's phone number and words.
            raise DatabaseUnavailable(type(getattr(exc, "orig", None) or exc).__name__) from None
        if admitted is None:
            log.info("message from an unregistered sender on %s refused", channel)
        return admitted

    async def mark_answered(self, admitted: Admitted) -> None:
        """The turn of this message finished: it needs no apology (bot/sms/unanswered.py). A failure
        here costs the citizen at most a needless apology, so it is logged, not raised."""
        try:
            await self.db.run(mark_answered, admitted.inbound_id, self.clock.now())
        except DATABASE_ERRORS as exc:
            log.warning("could not mark message %s answered (%s)", admitted.inbound_id, type(exc).__name__)

    def wrap(self, on_new_message: Callable[[UserMessage], Awaitable[None]]):
        """For channels that answer in the HTTP response (REST): gate each message."""

        async def gated(message: UserMessage) -> None:
            channel = message.input_channel or "rest"
            try:
                admitted = await self.admit(message.sender_id, message.text, channel)
            except DatabaseUnavailable as exc:
                # No gateway retries here: the citizen is the one who can send it again, so say so.
                log.warning("%s message not taken: coordination database unavailable (%s)", channel, exc)
                await message.output_channel.send_text_message(message.sender_id, DATABASE_DOWN)
                return
            if admitted is None:
                await message.output_channel.send_text_message(message.sender_id, UNKNOWN_SENDER)
                return
            if admitted.safety_reply is not None:
                await message.output_channel.send_text_message(admitted.phone, admitted.safety_reply)
            await on_new_message(
                UserMessage(admitted.text, message.output_channel, admitted.phone,
                            input_channel=message.input_channel, metadata=message.metadata,
                            message_id=message.message_id)
            )

        return gated

"""The door to Rasa: only registered citizens get a conversation. What they write is logged
(idempotently per provider message id) before it is processed. An unknown number gets a polite
answer and leaves no trace (no tracker, no log row): the least-data rule for strangers.

In this order, for a registered citizen's message (docs/decisions.md, "Messages in other languages"):
1. crisis language or hopelessness (any language the phrase lists know): the safety reply, an alert,
   and the dialogue pauses; nothing below runs;
2. a keyword (STOP, HJÆLP, ...): to Rasa as its intent;
3. a language's switch word (DANSK, ENGLISH): the citizen's language is set and confirmed here;
4. a message in a language the assistant does not understand (bot/core/language_detection.py): the
   multilingual reply and a low alert here, never parsed as an answer;
5. anything else: to Rasa.
Steps 3 and 4 answer at the gate (`Admitted.replies`) and no turn runs; the message is stored like
every other."""
from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from rasa.core.channels.channel import UserMessage
from sqlalchemy.orm import Session

from bot.channels import action_validation, rasa_events, rasa_model_load, rasa_sqlite
from bot.channels.keywords import as_rasa_text
from bot.channels.nlg import remember_language
from bot.citizens import language as citizen_language
from bot.core import texts
from bot.core.clock import Clock, process_clock
from bot.core.config import Settings
from bot.core.i18n import DANISH, language_for_switch_word
from bot.core.language_detection import other_language
from bot.core.language_detection import warm as warm_language_detector
from bot.core.phone import try_normalize_phone
from bot.core.texts import DATABASE_DOWN, UNKNOWN_SENDER
from bot.db import citizens as citizen_db
from bot.db.database import DATABASE_ERRORS, Database, shared_database
from bot.db.messages import log_inbound, mark_answered, was_seen
from bot.safety.alerting import crisis_alert, hopelessness_alert
from bot.safety.crisis import assess as assess_safety
from bot.safety.crisis import warm as warm_crisis_detector

log = logging.getLogger(__name__)
# Every channel imports this module, so Rasa has these before it loads the model, creates its
# tracker store and runs its first turn (docs/performance.md).
action_validation.install()
rasa_sqlite.install()
rasa_events.install()
rasa_model_load.install()
SAFETY_PAUSE = "/safety_pause"  # an intent only the gate sends: citizens' leading slashes are taken off
MAX_TEXT = 1600  # ten SMS; longer input is cut rather than refused so nothing the citizen said is lost
LANGUAGE_KEY = "language"  # in each message's metadata: the citizen's language, set here only


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
    # The gate's own answer (a language switch's confirmation, the other-language reply), in order:
    # when there is one, no turn runs and Rasa never sees the message.
    replies: tuple[str, ...] = ()
    language: str = DANISH  # the citizen's, after a switch in this message: for this turn's replies
    # In the citizen's language, sent before the turn, whatever the dialogue then does (a form may
    # still pause); None without crisis language or hopelessness.
    safety_reply: str | None = None

    @property
    def turn(self) -> bool:
        """Whether the message goes on to Rasa."""
        return not self.replies

    def metadata(self, client: dict | None = None) -> dict:
        """The metadata Rasa gets with the message: the client's keys as sent, and the citizen's
        language from the database under LANGUAGE_KEY, whatever the client sent there. The actions
        read answers in it (actions/forms.py citizen_language; docs/nlu.md, "Answers that are
        answers")."""
        return {**(client or {}), LANGUAGE_KEY: self.language}


def safety_reply(crisis: bool, hopelessness: bool, language: str | None = DANISH) -> str | None:
    """In the citizen's language: the numbers (112, Livslinien) are the same in every catalogue
    (tests/unit/test_i18n_catalogues.py)."""
    name = "CRISIS_REPLY" if crisis else "HOPELESSNESS_REPLY" if hopelessness else None
    return texts.for_language(name, language) if name else None


class CitizenGate:
    def __init__(self, db: Database | None = None, clock: Clock | None = None):
        self._db = db
        self.clock = clock or process_clock()
        warm_crisis_detector()  # a few seconds once, at start-up rather than on a citizen's message
        # The language detector's few seconds go beside Rasa's own start-up; a message that comes
        # before it is ready waits for it (bot/core/language_detection.py).
        threading.Thread(target=warm_language_detector, name="warm-language-detector", daemon=True).start()

    @property
    def db(self) -> Database:
        # Created lazily: Rasa builds channels before the event loop and env are final.
        if self._db is None:
            self._db = shared_database(Settings.from_env().database_url)
        return self._db

    async def admit(self, sender: str, text: str, channel: str, provider_id: str | None = None,
                    on_safety_reply: Callable[[Session, str, str, datetime], None] | None = None,
                    on_reply: Callable[[Session, str, str, datetime], None] | None = None,
                    ) -> Admitted | None:
        """None for an unknown sender; raises DuplicateMessage for a provider id seen before and
        DatabaseUnavailable when the message could not be stored (then no turn may run).
        `on_safety_reply(session, phone, reply, now)` runs in the transaction that stores a message
        with crisis language or hopelessness (docs/nlu.md, "Hopelessness"); `on_reply` likewise for
        each of the gate's own replies (`Admitted.replies`), and the message is then marked answered
        in that transaction (no turn will)."""
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
        keyword = rasa_text.startswith("/")  # citizens' own leading slashes are gone (as_rasa_text)
        # After the safety check and never instead of it; a keyword is never another language.
        detected = None if crisis or hopelessness or keyword else await self._detect_language(text)

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
            reply = safety_reply(crisis, hopelessness, citizen.language)
            if reply is not None and on_safety_reply is not None:
                on_safety_reply(session, phone, reply, now)
            # After the safety reply the dialogue only pauses (data/rules/safety.yml): the words are
            # stored above, and a second answer ("Det forstod jeg ikke", the next check-in question)
            # would bury the way out the reply names (docs/nlu.md, "After the safety reply").
            if reply is not None:
                return Admitted(citizen.id, phone, SAFETY_PAUSE, crisis=crisis, hopelessness=hopelessness,
                                inbound_id=inbound.id, language=citizen.language or DANISH, safety_reply=reply)
            replies = self._own_replies(session, citizen, text, keyword, detected, inbound.id, now)
            if replies and on_reply is not None:
                for own in replies:
                    on_reply(session, phone, own, now)
                mark_answered(session, inbound.id, now)
            return Admitted(citizen.id, phone, rasa_text, inbound_id=inbound.id, replies=replies,
                            language=citizen.language or DANISH)

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
        else:
            # This turn's replies need the language; the NLG then asks no query (bot/channels/nlg.py).
            remember_language(self.db, admitted.phone, admitted.language, self.clock.now())
        return admitted

    @staticmethod
    async def _detect_language(text: str):
        """The language check may fail open, never shut: on an error the message goes on to Rasa."""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, other_language, text)
        except Exception:
            log.exception("language detection failed; the message goes on to Rasa")
            return None

    @staticmethod
    def _own_replies(session: Session, citizen, text: str, keyword: bool, detected, inbound_id: int,
                     now: datetime) -> tuple[str, ...]:
        """Steps 3 and 4 of the module docstring: the language switch, or the other-language reply
        and its alert. Empty: the message goes to Rasa."""
        if keyword:
            return ()
        switch_to = language_for_switch_word(text)
        if switch_to is not None:
            log.info("citizen %s switched language to %s", citizen.id, switch_to)
            return (citizen_language.switch(session, citizen, switch_to),)
        # other_language() never names a language the NLU understands (UNDERSTOOD), whatever the
        # citizen's setting: a citizen written to in Arabic is still read only in Danish and English.
        if detected is not None:
            citizen_language.other_language_alert(session, citizen.id, detected, inbound_id, now)
            log.info("message %s from citizen %s in another language (%s): answered at the gate",
                     inbound_id, citizen.id, detected.code)
            return tuple(citizen_language.not_understood_replies())
        return ()

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
            if not admitted.turn:
                for reply in admitted.replies:
                    await message.output_channel.send_text_message(admitted.phone, reply)
                return
            await on_new_message(
                UserMessage(admitted.text, message.output_channel, admitted.phone,
                            input_channel=message.input_channel, metadata=admitted.metadata(message.metadata),
                            message_id=message.message_id)
            )

        return gated

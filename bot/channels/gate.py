"""The door to Rasa: only registered citizens get a conversation. An unknown number gets a polite
answer and leaves no trace (no tracker, no log row), which is the least-data rule for strangers."""
from __future__ import annotations

import logging
from typing import Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from bot.clock import Clock
from bot.config import Settings
from bot.db import citizens as citizen_db
from bot.db.database import Database
from bot.db.messages import log_inbound
from bot.phone import try_normalize_phone
from bot.texts import UNKNOWN_SENDER

log = logging.getLogger(__name__)
MAX_TEXT = 1600  # ten SMS; longer input is cut rather than refused so nothing the citizen said is lost


class CitizenGate:
    def __init__(self, db: Database | None = None, clock: Clock | None = None):
        self._db = db
        self.clock = clock or Clock()

    @property
    def db(self) -> Database:
        # Created lazily: Rasa builds channels before the event loop and env are final.
        if self._db is None:
            self._db = Database(Settings.from_env().database_url)
        return self._db

    def wrap(self, on_new_message: Callable[[UserMessage], Awaitable[None]]):
        async def gated(message: UserMessage) -> None:
            phone = try_normalize_phone(message.sender_id or "")
            citizen = await self.db.run(citizen_db.citizen_by_phone, phone) if phone else None
            if citizen is None:
                log.info("message from an unregistered sender on %s refused", message.input_channel)
                await message.output_channel.send_text_message(message.sender_id, UNKNOWN_SENDER)
                return
            text = (message.text or "")[:MAX_TEXT]
            await self.db.run(
                log_inbound, citizen.id, channel=message.input_channel or "rest", text=text,
                received_at=self.clock.now(),
            )
            await on_new_message(
                UserMessage(
                    text,
                    message.output_channel,
                    phone,
                    input_channel=message.input_channel,
                    metadata=message.metadata,
                    message_id=message.message_id,
                )
            )

        return gated

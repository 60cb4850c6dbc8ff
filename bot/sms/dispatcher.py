"""Sends the outbox: claims due messages, sends each through the gateway, records the outcome.
Retries with exponential backoff; runs as a background task in the coordination service. Right
before each attempt the message is checked again (bot.sms.outbox.may_send): a proactive SMS to a
citizen who sent STOP meanwhile is held, never sent (docs/decisions.md, "SMS integrity")."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import aiohttp

from bot.core.clock import Clock
from bot.core.retry import backoff
from bot.db import outbox as outbox_db
from bot.db.database import Database
from bot.sms.gateway import GatewayApiClient, GatewayError
from bot.sms.outbox import claim_due, may_send, record_send_failure

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(
        self,
        db: Database,
        gateway: GatewayApiClient,
        clock: Clock,
        *,
        max_attempts: int = 12,
        base_delay: timedelta = timedelta(seconds=2),
        max_delay: timedelta = timedelta(minutes=30),
    ):
        self.db = db
        self.gateway = gateway
        self.clock = clock
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay

    def backoff(self, attempts: int) -> timedelta:
        return backoff(attempts, self.base_delay, self.max_delay)

    async def dispatch_once(self, http: aiohttp.ClientSession) -> dict[str, int]:
        """Send everything due now; repeat claims until nothing is due (later messages of a
        recipient become due once the earlier one is out)."""
        counts = {"sent": 0, "retry": 0, "failed": 0}
        await self.db.run(outbox_db.release_stale, self.clock.now())
        while True:
            batch = await self.db.run(claim_due, self.clock.now())
            if not batch:
                return counts
            for message in batch:
                outcome = await self._send(http, message)
                if outcome in counts:  # "held": never sent, and not an attempt either
                    counts[outcome] += 1
            if counts["retry"] or counts["failed"]:
                return counts  # do not spin on a gateway that is failing right now

    async def _send(self, http: aiohttp.ClientSession, message) -> str:
        # Its own transaction, the last one before the network call (none is open during it).
        if not await self.db.run(may_send, message.id, self.clock.now()):
            log.info("outbox %s held before sending (bot.sms.outbox.may_send)", message.id)
            return "held"
        try:
            provider_id = await self.gateway.send(http, message.msisdn, message.text, userref=str(message.id))
        except GatewayError as exc:
            now = self.clock.now()
            give_up = message.attempts >= self.max_attempts
            retry_at = None if give_up else now + self.backoff(message.attempts)
            # Giving up raises the unreachable alert in the same transaction (bot.sms.outbox).
            await self.db.run(record_send_failure, message.id, str(exc), retry_at, now)
            log.warning("outbox %s attempt %s failed: %s", message.id, message.attempts, exc)
            return "failed" if give_up else "retry"
        await self.db.run(outbox_db.mark_sent, message.id, provider_id, self.clock.now())
        return "sent"

    async def run_forever(self, interval: float) -> None:
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    await self.dispatch_once(http)
                except Exception:  # the loop must survive a database hiccup; the next round retries
                    log.exception("outbox dispatch round failed")
                await asyncio.sleep(interval)

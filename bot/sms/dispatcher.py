"""Sends the outbox: claims due messages, sends them through the gateway, records the outcome.
Retries with exponential backoff; runs as a background task in the coordination service. Right
before each attempt the messages are checked again (bot.sms.outbox.sendable): a proactive SMS to a
citizen who sent STOP meanwhile is held, never sent (docs/decisions.md, "SMS integrity").

Concurrent with a bound: a round claims at most `concurrency` messages (SMS_DISPATCH_CONCURRENCY),
at most one per recipient (bot.db.outbox.claim_due: a recipient's next message is claimable only
once the one before it is out), checks them in one query and hands them to the gateway at once. So
one phone's messages still go strictly in order, different phones' go side by side, and a message is
claimed by one dispatcher only."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import aiohttp

from bot.core.clock import Clock
from bot.core.retry import backoff
from bot.db.database import Database
from bot.sms.gateway import GatewayApiClient, GatewayError
from bot.sms.outbox import claim_due, record_send_failure, record_sent, sendable

log = logging.getLogger(__name__)
# Messages handed to the gateway at once (SMS_DISPATCH_CONCURRENCY); docs/deployment.md.
DEFAULT_CONCURRENCY = 8
# Within one round the holds (bot.sms.outbox.claim_due) run again at the first claim after this
# much time: a round that drains a long queue does not leave a STOP's confirmation waiting behind a
# held message until the round ends.
HOLD_EVERY = timedelta(seconds=1)


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
        concurrency: int = DEFAULT_CONCURRENCY,
        sending_lease: timedelta = timedelta(minutes=2),
    ):
        self.db = db
        self.gateway = gateway
        self.clock = clock
        self.max_attempts = max_attempts
        self.sending_lease = sending_lease
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.concurrency = max(1, concurrency)

    def backoff(self, attempts: int) -> timedelta:
        return backoff(attempts, self.base_delay, self.max_delay)

    async def dispatch_once(self, http: aiohttp.ClientSession) -> dict[str, int]:
        """Send everything due now; repeat claims until nothing is due (later messages of a
        recipient become due once the earlier one is out)."""
        counts = {"sent": 0, "retry": 0, "failed": 0}
        # In a round's first claim's transaction: the release of a dead dispatcher's messages and
        # the holds; the holds again once HOLD_EVERY has passed (bot.sms.outbox.claim_due).
        held_at = None
        while True:
            now = self.clock.now()
            hold = held_at is None or now - held_at >= HOLD_EVERY
            batch = await self.db.run(claim_due, now, self.concurrency,
                                      release_older_than=self.sending_lease if held_at is None else None, hold=hold)
            if hold:
                held_at = now
            if not batch:
                return counts
            # One transaction for the batch, the last one before the network calls (none is open
            # during them); every send starts right after it.
            allowed = await self.db.run(sendable, [m.id for m in batch], self.clock.now())
            for message in batch:
                if message.id not in allowed:
                    log.info("outbox %s held before sending (bot.sms.outbox.sendable)", message.id)
            going = [m for m in batch if m.id in allowed]
            outcomes = await asyncio.gather(*(self._send(http, m) for m in going))
            sent = [(m.id, provider_id) for m, (outcome, provider_id) in zip(going, outcomes) if outcome == "sent"]
            if sent:
                # What the operator took, recorded once the batch's sends are back. A process that
                # dies before this leaves them 'sending': released after the lease and sent again
                # unless their delivery report came first (bot.db.outbox.release_stale).
                await self.db.run(record_sent, sent, self.clock.now())
            for outcome, _ in outcomes:
                counts[outcome] += 1
            if counts["retry"] or counts["failed"]:
                return counts  # do not spin on a gateway that is failing right now

    async def _send(self, http: aiohttp.ClientSession, message) -> tuple[str, str | None]:
        """(outcome, the operator's id when it took the message)."""
        try:
            provider_id = await self.gateway.send(http, message.msisdn, message.text, userref=str(message.id))
        except GatewayError as exc:
            now = self.clock.now()
            give_up = message.attempts >= self.max_attempts
            retry_at = None if give_up else now + self.backoff(message.attempts)
            # Giving up raises the unreachable alert in the same transaction (bot.sms.outbox).
            await self.db.run(record_send_failure, message.id, str(exc), retry_at, now)
            log.warning("outbox %s attempt %s failed: %s", message.id, message.attempts, exc)
            return ("failed" if give_up else "retry"), None
        return "sent", provider_id

    async def run_forever(self, interval: float) -> None:
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    await self.dispatch_once(http)
                except Exception:  # the loop must survive a database hiccup; the next round retries
                    log.exception("outbox dispatch round failed")
                await asyncio.sleep(interval)

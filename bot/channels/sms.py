"""The `sms` Rasa input channel: POST /webhooks/sms/webhook receives the gateway's signed MO webhook.
It checks the signature (401, nothing processed), stores the message idempotently on the provider
id, answers 200 at once (the gateway gives up after 5 s) and runs the turn in the background.
If the message cannot be stored (database down) it answers 503: the gateway retries for 24 h.
Its output channel never calls the gateway: every bot message goes to the outbox, which the
coordination service sends."""
from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response

from bot.channels.gate import CitizenGate, DatabaseUnavailable, DuplicateMessage
from bot.core.config import Settings
from bot.core.texts import UNKNOWN_SENDER, answer_with
from bot.db.database import DATABASE_ERRORS
from bot.sms.gateway import GatewayApiClient, GatewayError, InvalidSignature, parse_inbound, verify_webhook
from bot.sms.outbox import queue_sms, queue_turn_replies

log = logging.getLogger(__name__)
UNKNOWN_REPLY_INTERVAL = 24 * 3600  # one polite answer per unknown number a day: no SMS loops
RETRY_AFTER_SECONDS = 60  # a hint only: GatewayAPI retries a 5xx on its own backoff schedule


def render_buttons(text: str, buttons: list[dict], language: str | None = None) -> str:
    """SMS has no buttons: the options numbered, a line each, then how to answer in the language the
    response is in ("Svar 1, 2 eller 3.", "Reply 1, 2 or 3."). The NLG names that language in the
    message (bot/channels/nlg.py); without it (a response from elsewhere) the ending is Danish. A
    digit answers by this order (actions/forms.py, `latest_text`)."""
    options = [f"{i} {b.get('title', '')}".strip() for i, b in enumerate(buttons, start=1)]
    numbers = [str(i) for i in range(1, len(buttons) + 1)]
    return f"{text}\n" + "\n".join(options) + "\n" + answer_with(numbers, language)


def _queue_gate_reply(session, phone: str, reply: str, now) -> None:
    """The gate's answers (the safety reply, a language switch's confirmation, the other-language
    reply), queued in the transaction that stores the MO: a stored crisis (or hopelessness) message
    always has its safety reply in the outbox, and one that could not be stored is retried by the
    gateway with both. The outbox keeps an Arabic text in its script (UCS-2)."""
    queue_sms(session, phone, reply, purpose="reply", now=now)


class SmsOutput(OutputChannel):
    """Puts what Rasa says in the outbox. `collect=True` (the answer to a citizen's SMS): kept until
    the turn ends and queued then, in one transaction with the mark that the message was answered
    (`finish`); otherwise (trigger_intent's proactive messages) each is queued as it is said."""

    def __init__(self, gate: CitizenGate, purpose: str, *, collect: bool = False):
        self.gate = gate
        self.purpose = purpose
        self.pending: list[tuple[str, str]] | None = [] if collect else None

    @classmethod
    def name(cls) -> str:
        return "sms"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs) -> None:
        if self.pending is not None:
            self.pending.append((recipient_id, text))
            return
        await self.gate.db.run(
            lambda s: queue_sms(s, recipient_id, text, purpose=self.purpose, now=self.gate.clock.now()))

    async def finish(self, answered_inbound_id: int | None) -> None:
        """The turn ended: its replies queued and, when it finished (`answered_inbound_id`), the
        message marked answered. If the database refuses, neither is stored and the scheduler's
        apology asks the citizen to send it again (bot/sms/unanswered.py): logged, not raised."""
        replies, self.pending = self.pending or [], []
        if not replies and answered_inbound_id is None:
            return  # a failed turn that said nothing: nothing to write
        try:
            await self.gate.db.run(queue_turn_replies, replies, self.gate.clock.now(), answered_inbound_id,
                                   purpose=self.purpose)
        except DATABASE_ERRORS as exc:
            log.warning("sms: a turn's %d replies not queued (%s); the apology follows", len(replies),
                        type(exc).__name__)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons, **kwargs) -> None:
        await self.send_text_message(recipient_id, render_buttons(text, buttons, kwargs.get("language")))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs) -> None:
        log.debug("sms: image not sent")

    async def send_custom_json(self, recipient_id: str, json_message, **kwargs) -> None:
        log.debug("sms: custom json not sent")


class SmsInput(InputChannel):
    def __init__(self, gate: CitizenGate | None = None, settings: Settings | None = None):
        self.gate = gate or CitizenGate()
        self._settings = settings
        self._unknown_replied: dict[str, float] = {}
        self._tasks: set[asyncio.Task] = set()

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials) -> SmsInput:
        # Read at Rasa's start-up: weak production settings stop Rasa there, with every reason
        # (Settings.problems; docs/deployment.md, "Production checks"), not at the first SMS.
        return cls(settings=Settings.from_env())

    def get_output_channel(self) -> OutputChannel:
        """Used by trigger_intent: messages Rasa starts itself are proactive."""
        return SmsOutput(self.gate, purpose="proactive")

    def blueprint(self, on_new_message) -> Blueprint:
        hook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request):
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request):
            try:
                claims = verify_webhook(request.headers, self.settings.sms_webhook_secret)
                sms = parse_inbound(claims, self.gate.clock.now())
            except InvalidSignature:
                return response.json({"error": "invalid signature"}, status=401)
            except ValueError as exc:
                return response.json({"error": str(exc)}, status=400)
            try:
                admitted = await self.gate.admit(sms.msisdn, sms.text, "sms", provider_id=sms.provider_id,
                                                 on_safety_reply=_queue_gate_reply, on_reply=_queue_gate_reply)
            except DuplicateMessage:
                return response.json({"status": "duplicate"})
            except DatabaseUnavailable as exc:
                # Not 200: an accepted MO that was never stored would be lost. Nothing was stored,
                # so the gateway's retry is processed as the first delivery. No text, no number here.
                log.warning("sms: MO %s refused with 503, coordination database unavailable (%s); "
                            "the gateway will retry", sms.provider_id, exc)
                return response.json({"error": "temporarily unavailable"}, status=503,
                                     headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
            if admitted is None:
                self._background(self._answer_unknown(sms.msisdn))
                return response.json({"status": "unknown sender"})
            if not admitted.turn:
                return response.json({"status": "accepted"})  # answered (and marked so) at the gate
            output = SmsOutput(self.gate, purpose="reply", collect=True)
            message = UserMessage(admitted.text, output, admitted.phone, input_channel=self.name(),
                                  metadata=admitted.metadata(), message_id=sms.provider_id)
            self._background(self._turn(on_new_message, message, admitted))
            return response.json({"status": "accepted"})

        return hook

    async def _turn(self, on_new_message, message: UserMessage, admitted) -> None:
        # Marked answered only when the turn finished: a turn lost with this process gets an
        # apology from the scheduler instead of silence (bot/sms/unanswered.py). What a turn that
        # raised had said is still queued, unmarked.
        finished = False
        try:
            await on_new_message(message)
            finished = True
        finally:
            await message.output_channel.finish(admitted.inbound_id if finished else None)

    def _background(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception():
            log.error("sms turn failed", exc_info=task.exception())

    async def _answer_unknown(self, phone: str) -> None:
        """Sent straight through the gateway and not stored: we keep nothing about strangers."""
        last = self._unknown_replied.get(phone)
        if last is not None and time.monotonic() - last < UNKNOWN_REPLY_INTERVAL:
            return
        self._unknown_replied[phone] = time.monotonic()
        client = GatewayApiClient.from_settings(self.settings)
        client.callback_url = None
        try:
            async with aiohttp.ClientSession() as http:
                await client.send(http, phone, UNKNOWN_SENDER, userref="unknown")
        except GatewayError as exc:
            log.warning("could not answer an unknown sender: %s", exc)

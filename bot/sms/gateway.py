"""The SMS gateway seen from here: send one SMS, and read the gateway's signed webhooks.
One implementation speaks GatewayAPI's wire format (the common Danish provider); the fake gateway
(bot/service/fake_operator.py) speaks the same format, so development and tests exercise the real client."""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timezone

import aiohttp
import jwt

from bot.core.text import ascii_digits
from bot.sms.gsm import is_gsm7

SIGNATURE_HEADER = "X-Gwapi-Signature"


class GatewayError(Exception):
    """The gateway did not accept the message; the dispatcher retries."""


class InvalidSignature(Exception):
    pass


@dataclass(frozen=True)
class InboundSms:
    provider_id: str
    msisdn: str  # E.164 with "+"
    text: str
    received_at: datetime


@dataclass(frozen=True)
class DeliveryReport:
    provider_id: str
    status: str
    userref: str | None


def e164_from_msisdn(msisdn) -> str:
    digits = str(msisdn).strip().lstrip("+")
    if not ascii_digits(digits):
        raise ValueError(f"msisdn must be digits: {msisdn!r}")
    return f"+{digits}"


def msisdn_from_e164(phone: str) -> int:
    return int(phone.lstrip("+"))


def verify_webhook(headers, secret: str) -> dict:
    """The signature header is a JWT (HS256, shared secret) whose claims are the webhook's fields;
    only the verified claims are used, never the unsigned body."""
    token = headers.get(SIGNATURE_HEADER)
    if not token:
        raise InvalidSignature("missing signature")
    try:
        return jwt.decode(token, secret, algorithms=["HS256"], options={"require": [], "verify_aud": False})
    except jwt.PyJWTError as exc:
        raise InvalidSignature(str(exc)) from exc


def sign_webhook(payload: dict, secret: str) -> dict[str, str]:
    """Headers for a signed webhook (used by the fake gateway and tests, as GatewayAPI does)."""
    return {SIGNATURE_HEADER: jwt.encode(payload, secret, algorithm="HS256"), "Content-Type": "application/json"}


def _storable(text: str) -> str:
    """No SMS carries NUL or a lone UTF-16 surrogate, but signed JSON can, and neither can be stored
    (a 500, so the gateway retried for ever; a plain case in tests/security/test_fuzz.py). The message is
    kept, with NUL left out and a surrogate shown as U+FFFD: losing a citizen's words is worse."""
    return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text.replace("\x00", ""))


def parse_inbound(claims: dict, now: datetime) -> InboundSms:
    """The MO in a webhook's claims; `now` stands in for a missing `senttime`."""
    try:
        senttime = claims.get("senttime")
        received = datetime.fromtimestamp(int(senttime), timezone.utc) if senttime else now
        return InboundSms(_storable(str(claims["id"])), e164_from_msisdn(claims["msisdn"]),
                          _storable(str(claims["message"])), received)
    except (KeyError, ValueError, TypeError, OverflowError, OSError) as exc:
        # OverflowError / OSError: a `senttime` beyond what the platform's time_t holds was a 500
        # (found by tests/security/test_fuzz.py); a 400 tells the gateway not to retry it.
        raise ValueError(f"not an inbound SMS: {exc}") from exc


def parse_delivery_report(claims: dict) -> DeliveryReport:
    try:
        return DeliveryReport(str(claims["id"]), str(claims["status"]), claims.get("userref"))
    except KeyError as exc:
        raise ValueError(f"not a delivery report: missing {exc}") from exc


class GatewayApiClient:
    """POST {base_url}/rest/mtsms with token auth; the answer's ids[0] is the provider id."""

    @classmethod
    def from_settings(cls, settings) -> GatewayApiClient:
        return cls(settings.sms_gateway_url, settings.sms_gateway_token, settings.sms_sender,
                   callback_url=f"{settings.public_url}/sms/delivery-report")

    def __init__(self, base_url: str, token: str, sender: str, callback_url: str | None, timeout: float = 10):
        self.url = base_url.rstrip("/") + "/rest/mtsms"
        self.token = token
        self.sender = sender
        self.callback_url = callback_url
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, http: aiohttp.ClientSession, phone: str, text: str, userref: str) -> str:
        payload = {
            "sender": self.sender,
            "message": text,
            "recipients": [{"msisdn": msisdn_from_e164(phone)}],
            "userref": userref,
        }
        if self.callback_url:
            payload["callback_url"] = self.callback_url
        if not is_gsm7(text):
            # GatewayAPI's default encoding is GSM 03.38; a text in another script (kept as written
            # by queue_sms, bot/sms/outbox.py) must say UCS2 or its letters are lost.
            payload["encoding"] = "UCS2"
        try:
            async with http.post(self.url, json=payload, timeout=self.timeout,
                                 headers={"Authorization": f"Token {self.token}"}) as resp:
                body = await resp.text()
                if resp.status != 200:
                    raise GatewayError(f"gateway answered {resp.status}: {body[:200]}")
                ids = json.loads(body).get("ids") or []
        except (aiohttp.ClientError, asyncio.TimeoutError, json.JSONDecodeError) as exc:
            raise GatewayError(f"{type(exc).__name__}: {exc}") from exc
        if not ids:
            raise GatewayError("gateway answered without a message id")
        return str(ids[0])

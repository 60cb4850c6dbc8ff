"""Rasa's REST channel behind the citizen gate. Same URL: POST /webhooks/rest/webhook.

The REST channel trusts the `sender` in the body, so it is a door for a trusted frontend, never for
the public (issue 12, point 1; docs/deployment.md, "Network boundary"):
- with `REST_CHANNEL_TOKEN` set, every call must carry `Authorization: Bearer <token>` (401 otherwise);
- without it, development accepts only clients on this machine (the README's curl examples), and
  production refuses every call (403): citizens reach the bot by SMS and the signed web-chat link.
A refused call is answered before the body is read: nothing is stored, no turn runs, and the answer
is the same whatever the sender, so it never tells whether a number is enrolled."""
from __future__ import annotations

import logging

from rasa.core.channels.rest import RestInput
from sanic import response

from bot.channels.gate import CitizenGate
from bot.core.config import Settings
from bot.core.shared_secret import bearer_matches, is_loopback

log = logging.getLogger(__name__)


class CitizenRestInput(RestInput):
    def __init__(self, gate: CitizenGate | None = None, *, token: str = "", production: bool = True):
        # Closed unless told otherwise: a channel built without settings behaves as in production.
        self.gate = gate or CitizenGate()
        self.token = token
        self.production = production

    @classmethod
    def from_credentials(cls, credentials):
        # Read once at start-up: a production Rasa without its other secrets fails here, loudly.
        settings = Settings.from_env()
        return cls(token=settings.rest_channel_token, production=settings.production)

    def _extract_input_channel(self, req) -> str:
        # The body may not name another channel ("sms"): the log row and tracker say where it came from.
        return self.name()

    def refusal(self, request):
        """None when the call may pass; else the response, the same for every sender and body."""
        if self.token:
            if bearer_matches(request.headers.get("Authorization"), self.token):
                return None
            return response.json({"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})
        if not self.production and is_loopback(request.ip):
            return None
        log.info("rest: call from %s refused (no REST_CHANNEL_TOKEN: %s)", request.ip,
                 "closed in production" if self.production else "loopback only in development")
        return response.json({"error": "forbidden"}, status=403)

    def blueprint(self, on_new_message):
        hook = super().blueprint(self.gate.wrap(on_new_message))

        @hook.middleware("request")
        async def authenticate(request):
            # A blueprint middleware runs for this channel's routes only, before the handler parses
            # the body (the SMS and web-chat channels have their own checks).
            return self.refusal(request)

        return hook

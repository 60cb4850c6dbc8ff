"""Rasa's REST channel behind the citizen gate. Same URL: POST /webhooks/rest/webhook."""
from __future__ import annotations

from rasa.core.channels.rest import RestInput

from bot.channels.gate import CitizenGate


class CitizenRestInput(RestInput):
    def __init__(self, gate: CitizenGate | None = None):
        self.gate = gate or CitizenGate()

    @classmethod
    def from_credentials(cls, credentials):
        return cls()

    def blueprint(self, on_new_message):
        return super().blueprint(self.gate.wrap(on_new_message))

"""Asks Rasa itself whether a citizen's conversation is gone. An erasure deletes the events from the
tracker store named by TRACKER_STORE_URL (bot/db/tracker_events.py); if that is not the store Rasa
uses (endpoints.yml), the conversation stays and the erasure must not say it is done (issue 12,
point 8). Rasa's HTTP API shows the tracker from the store it really reads, so it is the judge
(docs/privacy.md, "The citizen's rights: export and erasure")."""
from __future__ import annotations

import asyncio
from urllib.parse import quote

import aiohttp

# What Rasa shows for a sender it has no stored events of: GET .../tracker builds a new tracker in
# memory and runs a session start on it (not saved: rasa/core/processor.py,
# fetch_full_tracker_with_initial_session). Any other event is a conversation still stored.
FRESH_ACTIONS = frozenset({"action_session_start", "action_listen"})
FRESH_EVENTS = frozenset({"session_started", "slot"})


class RasaNotAsked(Exception):
    """Rasa's HTTP API did not answer usably: the conversation's erasure cannot be confirmed."""


def leftover(events: list[dict]) -> list[dict]:
    """The stored events among those Rasa showed: empty when only a fresh session is left."""
    return [e for e in events
            if not (e.get("event") in FRESH_EVENTS or (e.get("event") == "action" and e.get("name") in FRESH_ACTIONS))]


class RasaConversations:
    """GET /conversations/{sender}/tracker on the Rasa the service knows (RASA_URL, RASA_TOKEN)."""

    def __init__(self, url: str, token: str, timeout: float = 30):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def events(self, sender: str) -> list[dict]:
        # Rasa does not unquote the conversation id: "+" must stay "+" (bot/scheduler/rasa_client.py).
        # include_events=ALL: the default hides events before a restart, which are stored all the same.
        url = f"{self.url}/conversations/{quote(sender, safe='+')}/tracker"
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as http:
                async with http.get(url, params={"token": self.token, "include_events": "ALL"}) as resp:
                    if resp.status != 200:
                        raise RasaNotAsked(f"Rasa answered {resp.status} for the tracker")
                    body = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise RasaNotAsked(f"Rasa unreachable: {type(exc).__name__}") from exc
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise RasaNotAsked("Rasa's tracker had no list of events")
        return events

    async def remaining(self, sender: str) -> list[dict]:
        return leftover(await self.events(sender))

"""The coordination service's one way into Rasa: trigger_intent with an explicit output channel."""
from __future__ import annotations

import asyncio
from urllib.parse import quote

import aiohttp

# The entity every scheduler trigger carries: the job's id, so Rasa's tracker says which jobs it ran.
JOB_ENTITY = "job_id"


class RasaUnavailable(Exception):
    """Rasa did not accept the request; the caller keeps the job and retries later."""


class RasaClient:
    def __init__(self, url: str, token: str, output_channel: str, timeout: float = 60):
        self.url = url.rstrip("/")
        self.token = token
        self.output_channel = output_channel
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def trigger_intent(self, sender: str, intent: str, entities: dict) -> list[dict]:
        """Returns the bot messages when the output channel collects them (`collector`), else [].
        Raises RasaUnavailable unless Rasa ran the intent and the bot said something."""
        # Rasa does not unquote the conversation id: "+" must stay "+" (it is literal in a path).
        url = f"{self.url}/conversations/{quote(sender, safe='+')}/trigger_intent"
        params = {"output_channel": self.output_channel, "token": self.token}
        try:
            async with self._http().post(url, params=params, json={"name": intent, "entities": entities}) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa answered {resp.status}: {(await resp.text())[:300]}")
                body = await resp.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RasaUnavailable(f"Rasa unreachable: {type(exc).__name__}: {exc}") from exc
        if not _bot_spoke(body.get("tracker") or {}, intent):
            # Rasa took the intent but no message came of it (e.g. the action server was down).
            raise RasaUnavailable(f"Rasa ran {intent} but the bot sent no message")
        return list(body.get("messages") or [])

    async def ran_job(self, sender: str, intent: str, job_id: int) -> bool:
        """Whether this conversation already holds the trigger of job `job_id` followed by a bot
        message: an earlier attempt was delivered although its caller never heard (it died, or the
        answer was lost). Raises RasaUnavailable when Rasa cannot tell."""
        url = f"{self.url}/conversations/{quote(sender, safe='+')}/tracker"
        params = {"token": self.token, "include_events": "ALL"}
        try:
            async with self._http().get(url, params=params) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa answered {resp.status}: {(await resp.text())[:300]}")
                tracker = await resp.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RasaUnavailable(f"Rasa unreachable: {type(exc).__name__}: {exc}") from exc
        return _job_delivered(tracker.get("events") or [], intent, str(job_id))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _bot_spoke(tracker: dict, intent: str) -> bool:
    events = tracker.get("events") or []
    for event in reversed(events):
        if event.get("event") == "bot":
            return True
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") == intent:
            return False
    return False


def _job_delivered(events: list[dict], intent: str, job_id: str) -> bool:
    triggered = False
    for event in events:
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            triggered = (parse.get("intent") or {}).get("name") == intent and any(
                e.get("entity") == JOB_ENTITY and str(e.get("value")) == job_id for e in parse.get("entities") or [])
        elif event.get("event") == "bot" and triggered:
            return True
    return False

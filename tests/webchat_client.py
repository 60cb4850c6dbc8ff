"""A citizen's web chat at the socket level, for end-to-end tests: what the rasa-webchat widget does
on the chat page (bot/channels/webchat.py), without a browser. It connects to the real Rasa server's
socket.io endpoint with the token of a personal chat link (bot/citizens/chat_links.py), says
something and collects the bot's answers.

Polling only: python-socketio's websocket client needs a newer aiohttp than Rasa allows (the same
choice as tests/browser/test_browser_webchat.py)."""
from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs, urlsplit

import socketio


def handshake(rasa_url: str, token: str) -> tuple[str, dict]:
    """How the chat token travels in the Socket.IO handshake: the URL to connect to and the extra
    arguments for `socketio.Client.connect`. The one place to change when the channel changes how it
    takes the token: today the socket.io `auth` payload (bot/channels/webchat.py, `_handshake_token`);
    before, the query string: `return f"{rasa_url}?{urlencode({'token': token})}", {}`."""
    return rasa_url, {"auth": {"token": token}}


def chat_token(stack, citizen: dict, token: str | None = None) -> str:
    """The token of a fresh personal chat link for `citizen`, minted by the service as a coordinator
    does (POST /api/citizens/{id}/chat-link); `token` is the API bearer token (default: admin)."""
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/chat-link", token)
    assert resp.status_code == 201, resp.text
    url = urlsplit(resp.json()["url"])
    # In the link's query string; read the fragment too, should the link ever carry it there.
    return (parse_qs(url.query).get("token") or parse_qs(url.fragment)["token"])[0]


class WebchatClient:
    """One open chat window. Use as a context manager; `say()` returns the bot's new answers."""

    def __init__(self, rasa_url: str, token: str, *, origin: str | None = None, timeout: float = 30):
        self.rasa_url = rasa_url
        self.token = token
        self.origin = origin  # the chat page's origin, as a browser would send it (CORS on the socket)
        self.timeout = timeout
        self.messages: list[dict] = []  # every bot_uttered payload, oldest first
        self.session_id: str | None = None
        self._changed = threading.Condition()
        self._client = socketio.Client(reconnection=False)
        self._client.on("bot_uttered", self._on_bot_uttered)
        self._client.on("session_confirm", self._on_session_confirm)

    # --- events, on the client's reader thread ---
    def _on_bot_uttered(self, data) -> None:
        with self._changed:
            self.messages.append(data if isinstance(data, dict) else {"text": data})
            self._changed.notify_all()

    def _on_session_confirm(self, data) -> None:
        with self._changed:
            self.session_id = data.get("session_id") if isinstance(data, dict) else data
            self._changed.notify_all()

    def _wait(self, done, timeout: float | None, what: str) -> None:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._changed:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"web chat: {what} did not arrive; bot said {self.texts}")
                self._changed.wait(left)

    # --- what the widget does ---
    def connect(self) -> WebchatClient:
        """Opens the socket (raises socketio.exceptions.ConnectionError when the token is refused) and
        asks for the session, as the widget does when the page opens."""
        url, extra = handshake(self.rasa_url, self.token)
        headers = {"Origin": self.origin} if self.origin else {}
        self._client.connect(url, headers=headers, transports=["polling"], socketio_path="/socket.io",
                             wait_timeout=self.timeout, **extra)
        self._client.emit("session_request", {"session_id": None})
        self._wait(lambda: self.session_id is not None, None, "session_confirm")
        return self

    def close(self) -> None:
        # abort: a polite Engine.IO close waits out the server's 25 s long-poll.
        if self._client.connected:
            self._client.eio.disconnect(abort=True)

    def __enter__(self) -> WebchatClient:
        return self.connect()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def texts(self) -> list[str]:
        return [m.get("text", "") for m in self.messages]

    def say(self, text: str, replies: int = 1, timeout: float | None = None, settle: float = 0.0) -> list[str]:
        """The citizen writes `text`; returns the bot's new texts once `replies` of them have arrived
        and then `settle` seconds passed without another (to see everything a turn said)."""
        before = len(self.messages)
        self._client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        self._wait(lambda: len(self.messages) >= before + replies, timeout, f"{replies} answer(s) to {text!r}")
        with self._changed:
            seen = len(self.messages)
            while settle > 0 and self._changed.wait_for(lambda n=seen: len(self.messages) > n, settle):
                seen = len(self.messages)
        return self.texts[before:]

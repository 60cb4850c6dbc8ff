"""The citizen web chat: Rasa's socket.io channel, bound to the citizen named by a signed link.

Differences from the stock SocketIOInput (notes/anchors-and-pitfalls.md §8):
- the connection must carry a valid web-chat token (bot/citizens/chat_links.py) in the handshake (`auth.token`
  or the `token` query parameter, which is how rasa-webchat passes it); otherwise it is refused;
- the sender id is the phone number from the token, never the client's `session_id`, so nobody can
  chat as someone else; the client gets an opaque, stable session id instead of the number;
- the socket joins the citizen's room with an awaited `enter_room` (the stock channel forgets the
  await with python-socketio 5, and every reply is lost);
- messages pass the same citizen gate as the REST channel (bot/channels/gate.py);
- an expired token ends the chat with a message; CORS is limited to the pages that serve the widget.
Proactive messages do not use this channel: a closed browser cannot receive them, they go by SMS."""
from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import response
from socketio import AsyncServer

from bot.channels.gate import CitizenGate
from bot.citizens.chat_links import ChatTokenError, ExpiredChatToken, verify_token
from bot.core.clock import Clock, process_clock
from bot.core.config import Settings
from bot.core.texts import WEBCHAT_LINK_EXPIRED

log = logging.getLogger(__name__)


def _handshake_token(environ: dict, auth: Any) -> str | None:
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return auth["token"]
    return parse_qs(environ.get("QUERY_STRING", "")).get("token", [None])[0]


class CitizenWebchatInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> CitizenWebchatInput:
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(self, *, gate: CitizenGate | None = None, settings: Settings | None = None,
                 clock: Clock | None = None, **kwargs):
        super().__init__(session_persistence=True, **kwargs)
        self.gate = gate or CitizenGate()
        self._settings = settings
        self.clock = clock or process_clock()

    @property
    def settings(self) -> Settings:
        # Read lazily, like the gate's database: Rasa builds channels before the environment is final.
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings

    def _session_id(self, sender: str) -> str:
        """Stable per citizen (the widget keeps its history), but does not reveal the number."""
        key = self.settings.webchat_jwt_secret.encode()
        return hmac.new(key, f"webchat-session:{sender}".encode(), hashlib.sha256).hexdigest()[:32]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        gated = self.gate.wrap(on_new_message)
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=list(self.settings.webchat_allowed_origins))
        blueprint = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        self.sio = sio

        @blueprint.route("/", methods=["GET"])
        async def health(_request):
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            try:
                sender, expires_at = verify_token(
                    self.settings.webchat_jwt_secret, _handshake_token(environ, auth), self.clock.now()
                )
            except ChatTokenError as exc:
                log.info("web chat connection refused: %s", "expired token" if isinstance(exc, ExpiredChatToken)
                         else "invalid token")
                return False
            await sio.save_session(sid, {"sender": sender, "expires_at": expires_at})
            await sio.enter_room(sid, sender)
            return True

        @sio.on("session_request")
        async def session_request(sid: str, _data: Any = None) -> None:
            session = await sio.get_session(sid)
            await sio.enter_room(sid, session["sender"])
            await sio.emit("session_confirm", self._session_id(session["sender"]), room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            session = await sio.get_session(sid)
            if session["expires_at"] <= self.clock.now():
                await sio.emit(self.bot_message_evt, {"text": WEBCHAT_LINK_EXPIRED}, room=sid)
                await sio.disconnect(sid)
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            # Client-sent metadata and session ids are ignored: the token alone says who this is.
            await gated(UserMessage(text, output, session["sender"], input_channel=self.name()))

        return blueprint

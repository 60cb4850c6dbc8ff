"""The citizen web chat: Rasa's socket.io channel, bound to the citizen named by a signed link.

Differences from the stock SocketIOInput (notes/anchors-and-pitfalls.md §8):
- the connection must carry a valid web-chat token (bot/citizens/chat_links.py) in the socket.io
  handshake's auth payload (`auth: {token}`), never in the query string, where every long-poll
  request would write it into proxy logs (docs/privacy.md, "Access that can be taken back");
- the token must still be the citizen's link (not revoked by erasure, STOP, a new number or the
  coordinator): checked in the database on connecting and again on every message, so a link closed
  while the chat is open stops at the next message;
- the sender id is the phone number of the citizen who holds the link now, never the client's
  `session_id`, so nobody can chat as someone else; the client gets an opaque, stable session id;
- the socket joins the citizen's room with an awaited `enter_room` (the stock channel forgets the
  await with python-socketio 5, and every reply is lost);
- messages pass the same citizen gate as the REST channel (bot/channels/gate.py);
- an expired or closed link ends the chat with a message; CORS is limited to the pages that serve the widget;
- a question's buttons are quick replies, and its text ends with how to answer in words ("Svar JA
  eller NEJ.", in the citizen's language): the SMS numbers the same options (bot/channels/sms.py).
Proactive messages do not use this channel: a closed browser cannot receive them, they go by SMS."""
from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import response
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from bot.channels.gate import CitizenGate
from bot.citizens.chat_links import ChatTokenError, ExpiredChatToken, citizen_for_token
from bot.core.clock import Clock, process_clock
from bot.core.config import Settings
from bot.core.texts import DATABASE_DOWN, WEBCHAT_LINK_CLOSED, WEBCHAT_LINK_EXPIRED, answer_with
from bot.db.database import DATABASE_ERRORS

log = logging.getLogger(__name__)


def render_button_words(text: str, buttons: list[dict], language: str | None = None) -> str:
    """The text of a question with buttons in the web chat: the widget shows the buttons (quick
    replies), and the text says them in words, in the language the response is in ("Svar GRØN, GUL
    eller RØD.", "Reply YES or NO."). On one line: the widget joins single line breaks anyway."""
    titles = [str(b.get("title", "")).strip() for b in buttons]
    return f"{text} {answer_with([t for t in titles if t], language)}"


class CitizenSocketOutput(SocketIOOutput):
    """Rasa's socket.io output; buttons go as quick replies under the text that states them."""

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any) -> None:
        await super().send_text_with_buttons(
            recipient_id, render_button_words(text, buttons, kwargs.get("language")), buttons, **kwargs)


def _handshake_token(auth: Any) -> str | None:
    """Only the auth payload: a token in the query string is ignored (and the connection refused)."""
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return auth["token"]
    return None


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

        async def holder(token: str | None) -> str:
            """The phone (sender id) of the citizen who holds this link now; raises ChatTokenError."""
            citizen, _ = await self.gate.db.run(
                citizen_for_token, self.settings.webchat_jwt_secret, token, self.clock.now())
            return citizen.phone

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            token = _handshake_token(auth)
            if token is None:
                # The page's first try (rasa-webchat cannot pass `auth`): it sets the token and
                # connects again on the same socket when told so (bot/service/static/webchat.js).
                raise SocketRefused("no token")
            try:
                sender = await holder(token)
            except ChatTokenError as exc:
                reason = "expired" if isinstance(exc, ExpiredChatToken) else "invalid"
                log.info("web chat connection refused: %s link", reason)
                raise SocketRefused(reason)
            except DATABASE_ERRORS as exc:
                log.warning("web chat connection refused: database unavailable (%s)", type(exc).__name__)
                raise SocketRefused("unavailable")
            await sio.save_session(sid, {"sender": sender, "token": token})
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
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                return
            # Again for every message: a link revoked or expired while the chat is open stops here.
            refusal = None
            try:
                if await holder(session["token"]) != session["sender"]:
                    refusal = WEBCHAT_LINK_CLOSED
            except ExpiredChatToken:
                refusal = WEBCHAT_LINK_EXPIRED
            except ChatTokenError:
                refusal = WEBCHAT_LINK_CLOSED
            except DATABASE_ERRORS:
                await sio.emit(self.bot_message_evt, {"text": DATABASE_DOWN}, room=sid)
                return
            if refusal is not None:
                await sio.emit(self.bot_message_evt, {"text": refusal}, room=sid)
                await sio.disconnect(sid)
                return
            output = CitizenSocketOutput(sio, self.bot_message_evt)
            # Client-sent metadata and session ids are ignored: the token alone says who this is.
            await gated(UserMessage(text, output, session["sender"], input_channel=self.name()))

        return blueprint

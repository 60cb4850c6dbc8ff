"""Personal web-chat links: a signed, expiring token (JWT, HS256) that carries the random link id
stored on the citizen (`citizens.chat_link_id`), never the phone number. The coordination service
mints links (sent to the citizen by SMS) and checks them on the chat page; the Rasa socket.io
channel checks them again, on connecting and on every message, and binds the conversation to the
citizen who holds that link id now, so nobody can chat as someone else.

A link works while it is unexpired and its id is still the citizen's. Revoking (`revoke`) clears the
id: every link given out before stops working at once. That happens on erasure (the row is gone),
on STOP, on a new phone number and when the coordinator closes the links (dashboard or API); the
next link minted gets a fresh id. A phone number given to someone else later never reopens an old
link: links name a link id, not a number (docs/privacy.md, "Access that can be taken back").

The token functions have no dependency on Rasa or the database; the use cases below take a session."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import jwt
from sqlalchemy.orm import Session

from bot.core.errors import NotFound
from bot.core.texts import for_language
from bot.db import citizens as citizen_db
from bot.db.models import Citizen

ALGORITHM = "HS256"
AUDIENCE = "chat"
# A link lives at most this long, however it is minted (docs/privacy.md): a link on a lost phone
# dies by itself even if nobody revokes it.
MAX_DAYS = 30
_LINK_ID = re.compile(r"[A-Za-z0-9_-]{16}")


class ChatTokenError(ValueError):
    pass


class ExpiredChatToken(ChatTokenError):
    """Genuine but too old: the citizen should ask for a new link (401)."""


class InvalidChatToken(ChatTokenError):
    """Not ours, altered, or malformed (403)."""


class RevokedChatToken(InvalidChatToken):
    """Genuine and unexpired, but no longer the citizen's link: revoked, or the citizen was erased (403)."""


# Why a citizen's links were revoked (citizens.chat_links_revoked_because).
BY_COORDINATOR, BY_ADMIN, OPT_OUT, PHONE_CHANGE = "coordinator", "admin", "opt_out", "phone_change"


@dataclass(frozen=True)
class ChatLink:
    url: str
    token: str
    expires_at: datetime


def new_link_id() -> str:
    return secrets.token_urlsafe(12)  # 16 characters


def mint_token(secret: str, link_id: str, now: datetime, valid_for: timedelta) -> str:
    # Few claims: the link goes out by SMS, where every character counts.
    claims = {"sub": link_id, "aud": AUDIENCE, "exp": int((now + valid_for).timestamp())}
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"typ": None})


def verify_token(secret: str, token: str | None, now: datetime) -> tuple[str, datetime]:
    """The link id and expiry of a genuine, unexpired token (whether the id is still the citizen's is
    `citizen_for_token`'s question). Expiry is checked against the injected `now`, not the wall
    clock, so it is testable; the signature is checked first, so an altered token is never reported
    as merely expired. Tokens from before links could be revoked (a phone number as subject) are invalid."""
    if not token or not isinstance(token, str):
        raise InvalidChatToken("no token")
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
            options={"require": ["sub", "aud", "exp"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidChatToken(str(exc)) from None
    if not isinstance(claims["sub"], str) or not _LINK_ID.fullmatch(claims["sub"]):
        raise InvalidChatToken("subject is not a link id")
    if not isinstance(claims["exp"], int):
        raise InvalidChatToken("expiry is not a number")
    expires_at = datetime.fromtimestamp(claims["exp"], tz=timezone.utc)
    if expires_at <= now:
        raise ExpiredChatToken("token expired")
    return claims["sub"], expires_at


def chat_link(public_url: str, secret: str, link_id: str, now: datetime, valid_for: timedelta) -> ChatLink:
    """The personal link to send by SMS. The token is in the query only for the first request: the
    page takes it out of the address bar and sends it in the socket.io handshake's auth payload."""
    token = mint_token(secret, link_id, now, valid_for)
    return ChatLink(f"{public_url}/chat?{urlencode({'token': token})}", token, now + valid_for)


# --- use cases ---

def citizen_for_token(session: Session, secret: str, token: str | None, now: datetime) -> tuple[Citizen, datetime]:
    """The citizen whose link this is now, and the link's expiry. Raises ExpiredChatToken,
    InvalidChatToken, or RevokedChatToken (revoked, erased, or an old link of a reused number)."""
    link_id, expires_at = verify_token(secret, token, now)
    citizen = citizen_db.citizen_by_chat_link(session, link_id)
    if citizen is None:
        raise RevokedChatToken("link revoked")
    return citizen, expires_at


def link_for_citizen(session: Session, citizen: Citizen, public_url: str, secret: str, now: datetime,
                     valid_for: timedelta) -> ChatLink:
    """A link with the citizen's current link id (a fresh one after a revocation): links minted
    since the last revocation all work until one of them is revoked, which revokes them all."""
    if valid_for > timedelta(days=MAX_DAYS):
        raise ValueError(f"a web-chat link lives at most {MAX_DAYS} days")
    if citizen.chat_link_id is None:
        citizen_db.set_chat_link_id(session, citizen, new_link_id())
    return chat_link(public_url, secret, citizen.chat_link_id, now, valid_for)


def link_message(citizen: Citizen, link: ChatLink) -> str:
    """The SMS that brings the citizen their link, in their language (docs/languages.md)."""
    return for_language("CHAT_LINK_SMS", citizen.language).format(url=link.url)


def revoke(session: Session, citizen: Citizen, now: datetime, because: str) -> bool:
    """Every link of the citizen stops working, at once and for good. False when none had been given
    out (nothing is recorded then)."""
    revoked = citizen_db.clear_chat_link_id(session, citizen.id, now, because)
    if revoked:
        citizen.chat_link_id = None
    return revoked


def close_links(session: Session, citizen_id: int, scope: int | None, actor: int | None, now: datetime) -> Citizen:
    """The coordinator (`actor`) or the admin (`actor` None) closes the citizen's links: "Luk links
    til webchatten" on the citizen's page, or the API, whose routes write the access log for both
    (bot/service/access_log.py). NotFound for another coordinator's citizen."""
    citizen = citizen_db.get_citizen(session, citizen_id, scope)
    if citizen is None:
        raise NotFound("citizen not found")
    revoke(session, citizen, now, BY_COORDINATOR if actor is not None else BY_ADMIN)
    return citizen

"""Personal web-chat links: a signed, expiring token (JWT, HS256) that names the citizen by the phone
number Rasa uses as sender id. The coordination service mints links (sent to the citizen by SMS) and
checks them on the chat page; the Rasa socket.io channel checks them again and binds the
conversation to the token's citizen, so nobody can chat as someone else.

No dependency on Rasa here: both processes import this module."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import jwt

ALGORITHM = "HS256"
AUDIENCE = "chat"


class ChatTokenError(ValueError):
    pass


class ExpiredChatToken(ChatTokenError):
    """Genuine but too old: the citizen should ask for a new link (401)."""


class InvalidChatToken(ChatTokenError):
    """Not ours, altered, or malformed (403)."""


@dataclass(frozen=True)
class ChatLink:
    url: str
    token: str
    expires_at: datetime


def mint_token(secret: str, phone: str, now: datetime, valid_for: timedelta) -> str:
    # Few claims: the link goes out by SMS, where every character counts.
    claims = {"sub": phone, "aud": AUDIENCE, "exp": int((now + valid_for).timestamp())}
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"typ": None})


def verify_token(secret: str, token: str | None, now: datetime) -> tuple[str, datetime]:
    """The phone (sender id) and expiry of a valid token. Expiry is checked against the injected `now`,
    not the wall clock, so it is testable; the signature is checked first, so an altered token is
    never reported as merely expired."""
    if not token:
        raise InvalidChatToken("no token")
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], audience=AUDIENCE,
            options={"require": ["sub", "aud", "exp"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidChatToken(str(exc)) from None
    expires_at = datetime.fromtimestamp(claims["exp"], tz=timezone.utc)
    if not isinstance(claims["sub"], str) or not claims["sub"].startswith("+"):
        raise InvalidChatToken("subject is not a phone number")
    if expires_at <= now:
        raise ExpiredChatToken("token expired")
    return claims["sub"], expires_at


def chat_link(public_url: str, secret: str, phone: str, now: datetime, valid_for: timedelta) -> ChatLink:
    """The personal link to send by SMS."""
    token = mint_token(secret, phone, now, valid_for)
    return ChatLink(f"{public_url}/chat?{urlencode({'token': token})}", token, now + valid_for)

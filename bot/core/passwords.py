"""Coordinator passwords: argon2id (argon2-cffi's defaults), never stored in clear."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 200
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong address costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class WeakPassword(ValueError):
    pass


def hash_password(password: str) -> str:
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise WeakPassword(f"the password must be {MIN_LENGTH} to {MAX_LENGTH} characters long")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False

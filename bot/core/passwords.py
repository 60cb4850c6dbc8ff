"""Coordinator passwords: argon2id (argon2-cffi's defaults), never stored in clear.

argon2 is slow and memory-hard on purpose (tens of milliseconds, 64 MiB per call), so the service
never runs it on the event loop nor inside a database transaction: `hash_in_thread` and
`verify_in_thread` run it on a small pool of its own, which also bounds how much memory a burst of
logins can take."""
from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 200
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong address costs as much time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
_POOL = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="argon2")


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


async def hash_in_thread(password: str) -> str:
    """hash_password off the event loop; raises WeakPassword like it."""
    return await asyncio.get_running_loop().run_in_executor(_POOL, hash_password, password)


async def verify_in_thread(password_hash: str | None, password: str) -> bool:
    """verify_password off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_POOL, verify_password, password_hash, password)

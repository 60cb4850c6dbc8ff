"""Row ids from outside (an entity or slot in the dialogue, a field of a JSON body): untrusted."""
from __future__ import annotations

from typing import Any

# Ids are 32-bit integers in the database; a larger number overflows SQLite's driver (OverflowError,
# not a database error), so it is no row's id. bot/service/validation.py MAX_ID_DIGITS follows from it.
MAX_ID = 2 ** 31 - 1


def as_id(value: Any) -> int | None:
    """A row id, or None: anything that is not a whole number in 1..MAX_ID is no id (a bool is not a
    number here, though Python says True == 1)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 1 <= number <= MAX_ID else None

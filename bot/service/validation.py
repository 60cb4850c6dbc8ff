"""Request-body checks that answer 422 with a message a person can act on."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from aiohttp import web

from bot.core import errors
from bot.core.ids import MAX_ID


class Invalid(web.HTTPUnprocessableEntity, errors.Invalid):
    """422 with {"error": message}. Also a bot.core.errors.Invalid, so a dashboard page that catches
    that one catches both what its own parsing and what a use case refused; `field` names the input
    that was wrong, so HTML forms can word their own message."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(text=json.dumps({"error": message}), content_type="application/json")
        self.message = message
        self.field = field


# No request of this API nests deeper than a few levels (agreements: a list of objects). Deeper is
# refused before it reaches a view; json.loads itself raises RecursionError (was a 500) at about
# a thousand levels, which a 256 KiB body easily reaches (issue 12, point 5; docs/api.md).
MAX_JSON_DEPTH = 20


class BadRequest(web.HTTPBadRequest):
    """400 with {"error": message}: the body is not JSON this API can read."""

    def __init__(self, message: str):
        super().__init__(text=json.dumps({"error": message}), content_type="application/json")
        self.message = message


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _text_problem(text: str) -> str | None:
    """JSON can carry text no database stores: NUL (PostgreSQL refuses it) and a lone UTF-16
    surrogate such as "\\ud800" (not Unicode; UTF-8 cannot encode it). Both were a 500 when stored
    (found by tests/security/test_fuzz.py)."""
    if "\x00" in text:
        return "text must not contain NUL characters (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text must be valid Unicode (a lone surrogate such as \\ud800 is not)"
    return None


def _depth(value) -> tuple[int, str | None]:
    """Nesting depth of parsed JSON, and the first text (key or value) no database can store;
    without recursion."""
    deepest, problem, pending = 0, None, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            problem = problem or _text_problem(item)
        elif isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if isinstance(item, dict):
                pending.extend((key, depth + 1) for key in item)
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest, problem


async def json_value(request: web.Request):
    """The body as JSON of any type. Never a 500: 422 for what is not JSON (also NaN, Infinity and
    numbers of more than 4300 digits, which json.loads refuses with a plain ValueError) and for text
    with NUL or a lone surrogate, 400 for nesting deeper than MAX_JSON_DEPTH (docs/api.md)."""
    try:
        body = json.loads(await request.text(), parse_constant=_refuse_constant)
    except RecursionError:
        raise BadRequest(f"body is nested too deeply (at most {MAX_JSON_DEPTH} levels)") from None
    except (ValueError, UnicodeDecodeError):
        raise Invalid("body must be JSON") from None
    depth, problem = _depth(body)
    if depth > MAX_JSON_DEPTH:
        raise BadRequest(f"body is nested too deeply (at most {MAX_JSON_DEPTH} levels)")
    if problem:
        raise Invalid(problem)
    return body


async def json_body(request: web.Request) -> dict:
    body = await json_value(request)
    if not isinstance(body, dict):
        raise Invalid("body must be a JSON object")
    return body


def required_str(body: dict, field: str, max_len: int = 200) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"'{field}' is required and must be a non-empty string", field)
    if len(value) > max_len:
        raise Invalid(f"'{field}' must be at most {max_len} characters", field)
    return value.strip()


def optional_str(body: dict, field: str, max_len: int = 200) -> str | None:
    if body.get(field) in (None, ""):
        return None
    return required_str(body, field, max_len)


def int_in_range(body: dict, field: str, default: int, low: int, high: int) -> int:
    value = body.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"'{field}' must be a whole number from {low} to {high}", field)
    return value


# Ids are 32-bit integers in the database (bot/core/ids.py MAX_ID): a longer number is no row's id,
# and handing a 20-digit one to SQLite's driver was a 500 (OverflowError). tests/security/test_fuzz.py
# sends such ids to every route (docs/api.md). Every number of this many digits is below MAX_ID.
MAX_ID_DIGITS = len(str(MAX_ID)) - 1


def is_id(value: str) -> bool:
    """An id as written in a path or query: ASCII digits only ("²" and "١٢" are digits to Python,
    and int() also takes " 1 "), short enough to be a row's id."""
    return value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS


def path_id(request: web.Request, name: str = "id") -> int:
    value = request.match_info[name]
    if not is_id(value):
        raise web.HTTPNotFound(text='{"error": "not found"}', content_type="application/json")
    return int(value)


def aware_datetime(body: dict, field: str, *, required: bool = True) -> datetime | None:
    """ISO 8601 with an offset ("2026-06-02T10:00:00+02:00" or "...Z"); a time without one is
    refused, because guessing the zone would move the appointment by an hour or two."""
    value = body.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise Invalid(f"'{field}' is required: an ISO 8601 time with offset, e.g. 2026-06-02T10:00:00+02:00")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Invalid(f"'{field}' is not a valid ISO 8601 time: {value[:40]!r}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid(f"'{field}' needs a UTC offset, e.g. {value[:19]}+02:00 (Danish summer time) or Z for UTC")
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:  # "9999-12-31T23:59:59-14:00" is past year 9999 in UTC (was a 500)
        raise Invalid(f"'{field}' is out of range: {value[:40]!r}") from None


def optional_bool(body: dict, field: str, default: bool | None = None) -> bool | None:
    value = body.get(field, default)
    if value is not None and not isinstance(value, bool):
        raise Invalid(f"'{field}' must be true or false")
    return value


def one_of(body: dict, field: str, choices: tuple[str, ...], default: str | None = None) -> str:
    value = body.get(field, default)
    if value not in choices:
        raise Invalid(f"'{field}' must be one of: {', '.join(choices)}")
    return value


@web.middleware
async def use_case_errors(request: web.Request, handler):
    """What a use case refused (bot.core.errors) becomes 422 or 404 with a JSON message."""
    try:
        return await handler(request)
    except errors.Invalid as exc:
        if isinstance(exc, web.HTTPException):
            raise
        raise Invalid(exc.message, exc.field) from None
    except errors.NotFound as exc:
        raise web.HTTPNotFound(text=json.dumps({"error": str(exc) or "not found"}),
                               content_type="application/json") from None

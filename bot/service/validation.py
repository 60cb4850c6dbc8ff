"""Request-body checks that answer 422 with a message a person can act on."""
from __future__ import annotations

import json

from aiohttp import web


class Invalid(web.HTTPUnprocessableEntity):
    """`field` names the input that was wrong, so HTML forms can word their own message."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(text=json.dumps({"error": message}), content_type="application/json")
        self.message = message
        self.field = field


async def json_body(request: web.Request) -> dict:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("body must be JSON")
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


def path_id(request: web.Request, name: str = "id") -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise web.HTTPNotFound(text='{"error": "not found"}', content_type="application/json")

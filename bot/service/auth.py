"""Bearer-token auth. The admin token comes from ADMIN_TOKEN; coordinator tokens are stored hashed.
Views read request["principal"] and scope every query by it."""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from aiohttp import web

from bot.db.coordinators import coordinator_by_token

PUBLIC_PREFIXES = ("/healthz",)


@dataclass(frozen=True)
class Principal:
    is_admin: bool
    coordinator_id: int | None = None

    @property
    def scope(self) -> int | None:
        """The coordinator id to filter by; None means all (admin)."""
        return None if self.is_admin else self.coordinator_id


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def bearer_auth(request: web.Request, handler):
    if not request.path.startswith("/api/"):
        return await handler(request)
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return json_error(401, "missing bearer token")
    token = header[len("Bearer "):].strip()
    if not token:
        return json_error(401, "missing bearer token")
    settings = request.app["settings"]
    # Bytes, so a token with non-ASCII characters is just wrong (compare_digest refuses such str).
    if settings.admin_token and hmac.compare_digest(token.encode(), settings.admin_token.encode()):
        request["principal"] = Principal(is_admin=True)
        return await handler(request)
    coordinator = await request.app["db"].run(coordinator_by_token, token)
    if coordinator is None:
        return json_error(401, "invalid token")
    request["principal"] = Principal(is_admin=False, coordinator_id=coordinator.id)
    return await handler(request)


def require_admin(request: web.Request) -> None:
    if not request["principal"].is_admin:
        raise web.HTTPForbidden(text='{"error": "admin token required"}', content_type="application/json")

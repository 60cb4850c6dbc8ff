from __future__ import annotations

from aiohttp import web

from bot.db.coordinators import create_coordinator
from bot.service.auth import require_admin
from bot.service.serializers import coordinator_json
from bot.service.validation import json_body, optional_str, required_str


async def create(request: web.Request) -> web.Response:
    require_admin(request)
    body = await json_body(request)
    name = required_str(body, "name")
    phone = optional_str(body, "phone", 20)
    email = optional_str(body, "email", 254)
    coordinator, token = await request.app["db"].run(create_coordinator, name, phone, email)
    # The token is shown once; only its hash is stored.
    return web.json_response({**coordinator_json(coordinator), "token": token}, status=201)

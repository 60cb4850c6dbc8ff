"""The coordinator's own account: a new API token (bot/accounts/access.py). The token is shown once,
in the answer to the POST, and never again: only its hash is stored."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.accounts import access
from bot.service.web.sessions import current_coordinator, login_required


@login_required
async def show(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("account.html", request, {"new_token": None})


@login_required
async def rotate_token(request: web.Request) -> web.Response:
    """The old token (in a script, another system) stops working at once."""
    me = current_coordinator(request)
    token = await request.app["db"].run(access.rotate_token, me.id, request.app["clock"].now())
    response = aiohttp_jinja2.render_template("account.html", request, {"new_token": token})
    response.headers["Cache-Control"] = "no-store"
    return response

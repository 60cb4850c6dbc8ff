from __future__ import annotations

from aiohttp import web

from bot.accounts import access
from bot.core.passwords import WeakPassword, hash_in_thread
from bot.db import coordinators as coordinator_db
from bot.db.web_sessions import end_sessions_of
from bot.service.access_log import VIEW, audit_citizen, audited
from bot.service.auth import json_error, require_admin
from bot.service.serializers import coordinator_json
from bot.service.validation import Invalid, json_body, optional_str, path_id, required_str


async def _password_hash(body: dict) -> str | None:
    """argon2 before the transaction and off the event loop (bot/core/passwords.py)."""
    if body.get("password") is None:
        return None
    try:
        return await hash_in_thread(body["password"])
    except WeakPassword as exc:
        raise Invalid(f"'password': {exc}", "password") from None


def _not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(text='{"error": "coordinator not found"}', content_type="application/json")


def _email_taken(session, email: str | None, coordinator_id: int | None) -> bool:
    """E-mail is the dashboard login, so two coordinators cannot share one."""
    if not email:
        return False
    other = coordinator_db.coordinator_by_email(session, email)
    return other is not None and other.id != coordinator_id


async def create(request: web.Request) -> web.Response:
    require_admin(request)
    body = await json_body(request)
    name = required_str(body, "name")
    phone = optional_str(body, "phone", 20)
    email = optional_str(body, "email", 254)
    email = email.lower() if email else None
    password_hash = await _password_hash(body)

    def save(session):
        if _email_taken(session, email, None):
            return None
        coordinator, token = coordinator_db.create_coordinator(session, name, phone, email)
        if password_hash:
            coordinator_db.set_password_hash(session, coordinator, password_hash)
        return coordinator, token

    created = await request.app["db"].run(save)
    if created is None:
        return web.json_response({"error": "another coordinator has this e-mail"}, status=409)
    coordinator, token = created
    # The token is shown once; only its hash is stored.
    return web.json_response({**coordinator_json(coordinator), "token": token}, status=201)


async def set_password(request: web.Request) -> web.Response:
    """POST /api/coordinators/{id}/password {"password": "..."} (admin): dashboard login; logs the
    coordinator out of every dashboard session."""
    require_admin(request)
    coordinator_id = path_id(request)
    body = await json_body(request)
    if "password" not in body:
        raise Invalid("'password' is required", "password")
    password_hash = await _password_hash(body)

    def save(session):
        coordinator = coordinator_db.get_coordinator(session, coordinator_id)
        if coordinator is None:
            return None
        if not coordinator.email:
            raise Invalid("the coordinator has no e-mail to log in with; set one first", "email")
        coordinator_db.set_password_hash(session, coordinator, password_hash)
        end_sessions_of(session, coordinator.id)
        return coordinator

    if await request.app["db"].run(save) is None:
        raise _not_found()
    return web.Response(status=204)


async def update(request: web.Request) -> web.Response:
    """PATCH /api/coordinators/{id} (admin): `backup_coordinator_id` (int or null), `email`."""
    require_admin(request)
    coordinator_id = path_id(request)
    body = await json_body(request)
    unknown = set(body) - {"backup_coordinator_id", "email"}
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(sorted(unknown))}")
    backup_id = body.get("backup_coordinator_id")
    if "backup_coordinator_id" in body and backup_id is not None and (
        not isinstance(backup_id, int) or isinstance(backup_id, bool) or backup_id == coordinator_id
    ):
        raise Invalid("'backup_coordinator_id' must be another coordinator's id or null", "backup_coordinator_id")

    def save(session):
        coordinator = coordinator_db.get_coordinator(session, coordinator_id)
        if coordinator is None:
            return None
        if "backup_coordinator_id" in body:
            backup = coordinator_db.get_coordinator(session, backup_id) if backup_id is not None else None
            if backup_id is not None and (backup is None or backup.deactivated_at is not None):
                raise Invalid(f"coordinator {backup_id} does not exist or is deactivated", "backup_coordinator_id")
            coordinator_db.set_backup(session, coordinator, backup_id)
        if "email" in body:
            email = optional_str(body, "email", 254)
            email = email.lower() if email else None
            if _email_taken(session, email, coordinator.id):
                raise web.HTTPConflict(text='{"error": "another coordinator has this e-mail"}',
                                       content_type="application/json")
            coordinator.email = email
        return coordinator

    coordinator = await request.app["db"].run(save)
    if coordinator is None:
        raise _not_found()
    return web.json_response(coordinator_json(coordinator))


async def rotate_token(request: web.Request) -> web.Response:
    """POST /api/coordinators/{id}/token (the admin, or the coordinator with their own token) ->
    201 {"token"}: a new API token, shown once; the old one is refused from now on."""
    principal = request["principal"]
    coordinator_id = path_id(request)
    if not principal.is_admin and principal.coordinator_id != coordinator_id:
        return json_error(403, "a coordinator can only replace their own token")
    token = await request.app["db"].run(access.rotate_token, coordinator_id, request.app["clock"].now())
    return web.json_response({"id": coordinator_id, "token": token}, status=201,
                             headers={"Cache-Control": "no-store"})


@audited("reassign_citizens", VIEW)  # each citizen moved to another coordinator
async def deactivate(request: web.Request) -> web.Response:
    """POST /api/coordinators/{id}/deactivate {"reassign_to": 2} (admin): no more login, sessions
    and API token dead at once; the citizens go to `reassign_to`, else to an active backup, else
    stay and are listed in `citizens_to_reassign` (call again with `reassign_to`)."""
    require_admin(request)
    coordinator_id = path_id(request)
    body = await json_body(request) if request.can_read_body else {}
    reassign_to = body.get("reassign_to")
    if reassign_to is not None and (not isinstance(reassign_to, int) or isinstance(reassign_to, bool)):
        raise Invalid("'reassign_to' must be another coordinator's id", "reassign_to")
    unknown = set(body) - {"reassign_to"}
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(sorted(unknown))}")
    done = await request.app["db"].run(access.deactivate, coordinator_id, request.app["clock"].now(), reassign_to)
    for citizen_id in done.moved:
        audit_citizen(request, citizen_id)
    return web.json_response({
        **coordinator_json(done.coordinator),
        "citizens_moved_to": done.moved_to,
        "citizens_moved": done.moved,
        "citizens_to_reassign": done.to_reassign,
        "no_longer_backup_for": done.no_longer_backup_for,
    })

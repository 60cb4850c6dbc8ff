"""The citizen's network over the JSON API (issue 14 §3; docs/decisions.md, "The citizen's
network"). The rules live in bot/network/; this adapter reads the request, calls the use case in one
transaction with the principal's scope and answers JSON. Another coordinator's citizen, member or
appointment is not found (404); refusals are 422 (validation.use_case_errors)."""
from __future__ import annotations

from aiohttp import web

from bot.db.models import MeetingInvitation, NetworkMember
from bot.network import invitations, members
from bot.service.access_log import APPOINTMENT, VIEW, audit_citizen, audited
from bot.service.serializers import iso
from bot.service.validation import MAX_ID_DIGITS, Invalid, json_body, path_id


def member_json(member: NetworkMember) -> dict:
    return {"id": member.id, "citizen_id": member.citizen_id, "name": member.name, "relation": member.relation,
            "phone": member.phone, "consent_at": iso(member.consent_at), "added_by": member.added_by,
            "added_at": iso(member.added_at), "removed_at": iso(member.removed_at)}


def invitation_json(invitation: MeetingInvitation) -> dict:
    return {"id": invitation.id, "appointment_id": invitation.appointment_id, "member_id": invitation.member_id,
            "citizen_id": invitation.citizen_id, "invited_at": iso(invitation.invited_at),
            "status": invitation.status}


@audited("view_network")
async def index(request: web.Request) -> web.Response:
    """GET /api/citizens/{id}/network: the citizen's current members, oldest first."""
    citizen_id, scope = path_id(request), request["principal"].scope
    return web.json_response(await request.app["db"].run(
        lambda s: [member_json(m) for m in members.members_of(s, citizen_id, scope)]))


@audited("add_network_member")
async def create(request: web.Request) -> web.Response:
    """POST /api/citizens/{id}/network {"name", "relation"?, "phone", "consent": true}: 201."""
    citizen_id, principal = path_id(request), request["principal"]
    body = await json_body(request)
    now = request.app["clock"].now()
    member = await request.app["db"].run(lambda s: member_json(members.add_member(
        s, citizen_id, principal.scope, body, now=now, added_by=principal.coordinator_id)))
    return web.json_response(member, status=201)


@audited("remove_network_member", VIEW)
async def remove(request: web.Request) -> web.Response:
    """DELETE /api/network/{id}: the citizen withdrew their consent; the member as kept (no name, no phone)."""
    member_id, scope = path_id(request), request["principal"].scope
    now = request.app["clock"].now()

    def remove(session):
        audit_citizen(request, members.find_member(session, member_id, scope).citizen_id)
        return member_json(members.remove_member(session, member_id, scope, now=now))

    return web.json_response(await request.app["db"].run(remove))


@audited("invite_network_member", APPOINTMENT)
async def invite(request: web.Request) -> web.Response:
    """POST /api/appointments/{id}/invitations {"member_id": 3}: 201; the SMS is queued."""
    appointment_id, scope = path_id(request), request["principal"].scope
    body = await json_body(request)
    member_id = body.get("member_id")
    if set(body) - {"member_id"}:
        raise Invalid("unknown field(s); allowed: member_id")
    if isinstance(member_id, int) and not isinstance(member_id, bool) and not 0 < member_id < 10 ** MAX_ID_DIGITS:
        raise Invalid("'member_id' is not a member of this citizen's network", "member_id")
    app = request.app
    now, settings = app["clock"].now(), app["settings"].proactive
    invitation = await app["db"].run(lambda s: invitation_json(invitations.invite(
        s, appointment_id, scope, member_id, now=now, settings=settings)))
    return web.json_response(invitation, status=201)

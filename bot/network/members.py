"""Adding and removing the people in a citizen's network (docs/decisions.md, "The citizen's network").

- A member is added by the coordinator after the citizen agreed to it: the consent is required and
  its time stored (`consent_at`), per person. Their phone is normalised; it may not be a citizen's
  (that person has their own conversation with us) nor another current member's of the same citizen.
- Removing the consent removes the member: `removed_at` is set, their planned reminders are
  cancelled, their invitations withdrawn, their SMS still waiting are held (deleted with the ones
  already sent, so their number and name leave the outbox too) and their name, relation and phone
  are erased. What stays is that a member existed, and when consent was given and removed.

`scope` is the caller's coordinator id (None: the admin); another coordinator's citizen or member is
NotFound. Refused input raises Invalid(message, field); `field` names the input, or one of the
reasons below when the input is well-formed but the network refuses it (the dashboard words each
its own way: bot/service/views/pages/citizen.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.core.errors import Invalid, NotFound
from bot.core.phone import InvalidPhone, normalize_phone
from bot.core.vocabulary import InvitationStatus
from bot.db import network as network_db
from bot.db.citizens import citizen_by_phone, get_citizen, lock_citizen
from bot.db.models import NetworkMember
from bot.jobs.planner import cancel_invitation_jobs

FIELDS = ("name", "relation", "phone", "consent")
MAX_NAME = 100
MAX_RELATION = 50
# Invalid.field for a phone that is well-formed but refused.
PHONE_IS_CITIZENS = "phone_is_citizens"  # a citizen has their own conversation with us
PHONE_IN_NETWORK = "phone_in_network"  # a current member of this citizen already has it


def members_of(session: Session, citizen_id: int, scope: int | None) -> list[NetworkMember]:
    """The citizen's current members, oldest first."""
    if get_citizen(session, citizen_id, scope) is None:
        raise NotFound("citizen not found")
    return network_db.members(session, citizen_id)


def find_member(session: Session, member_id: int, scope: int | None) -> NetworkMember:
    member = network_db.get_member(session, member_id, scope)
    if member is None or member.removed_at is not None:
        raise NotFound("network member not found")
    return member


def _text(fields: dict[str, Any], field: str, limit: int, *, required: bool) -> str | None:
    value = fields.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"'{field}' is required", field)
        return None
    if not isinstance(value, str) or len(value.strip()) > limit:
        raise Invalid(f"'{field}' must be text of at most {limit} characters", field)
    return value.strip()


def add_member(session: Session, citizen_id: int, scope: int | None, fields: dict[str, Any], *, now: datetime,
               added_by: int | None = None) -> NetworkMember:
    """{"name", "relation" (optional), "phone", "consent": true}: the citizen has said yes to this person."""
    if get_citizen(session, citizen_id, scope) is None:
        raise NotFound("citizen not found")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(unknown)}")
    name = _text(fields, "name", MAX_NAME, required=True)
    relation = _text(fields, "relation", MAX_RELATION, required=False)
    try:
        phone = normalize_phone(fields.get("phone"))
    except InvalidPhone as exc:
        raise Invalid("'phone' must be a phone number", "phone") from exc
    if fields.get("consent") is not True:
        raise Invalid("'consent' must be true: the citizen has agreed that we write to this person", "consent")
    lock_citizen(session, citizen_id)  # one change to the network at a time
    if citizen_by_phone(session, phone) is not None:
        raise Invalid("this phone number is a citizen's; a citizen cannot be a network member", PHONE_IS_CITIZENS)
    if network_db.active_member_with_phone(session, citizen_id, phone) is not None:
        raise Invalid("this phone number is already in the citizen's network", PHONE_IN_NETWORK)
    return network_db.add_member(session, citizen_id=citizen_id, name=name, relation=relation, phone=phone,
                                 consent_at=now, added_by=added_by, added_at=now)


def remove_member(session: Session, member_id: int, scope: int | None, *, now: datetime) -> NetworkMember:
    """The citizen's consent for this person is withdrawn: nothing more goes to them, and what
    identifies them is erased."""
    member = find_member(session, member_id, scope)
    lock_citizen(session, member.citizen_id)
    for invitation in network_db.invitations_of_member(session, member.id):
        cancel_invitation_jobs(session, invitation.id, note="consent removed")
        if invitation.status == InvitationStatus.INVITED:
            invitation.status = InvitationStatus.WITHDRAWN.value
    network_db.forget_member_messages(session, member.citizen_id, member.phone)
    member.removed_at = now
    member.name = None
    member.relation = None
    member.phone = None
    session.flush()
    return member

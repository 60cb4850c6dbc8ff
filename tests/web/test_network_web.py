"""The citizen's network over the JSON API (issue 14 §3): the happy path with its audit, another
coordinator's ids are 404 on every route, no login is 401, garbage is a 4xx and never a 500."""
import pytest
import sqlalchemy as sa

from bot.db.models import AccessLog, NetworkMember, OutboxMessage
from tests.conftest import T0
from tests.dashboard import ADMIN, quiet_app
from tests.web.network_world import network_world

MINE = {"Authorization": "Bearer mette-token"}


@pytest.fixture
def ids(db):
    return db.call(network_world)


@pytest.fixture
async def client(aiohttp_client, db, clock, ids):
    return await aiohttp_client(quiet_app(db, clock))


async def test_add_invite_and_remove_with_an_audit_row_each(client, db, ids):
    path = f"/api/citizens/{ids['bente']}/network"
    assert await (await client.get(path, headers=MINE)).json() == []
    resp = await client.post(path, json={"name": "Ole", "relation": "bror", "phone": "22 33 44 55", "consent": True},
                             headers=MINE)
    assert resp.status == 201, await resp.text()
    member = await resp.json()
    assert (member["name"], member["phone"], member["consent_at"], member["added_by"]) == (
        "Ole", "+4522334455", T0.isoformat(), ids["mette"])
    resp = await client.post(f"/api/appointments/{ids['meeting']}/invitations", json={"member_id": member["id"]},
                             headers=MINE)
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["status"] == "invited"
    with db.session() as s:
        [sms] = s.execute(sa.select(OutboxMessage).where(OutboxMessage.msisdn == "+4522334455")).scalars().all()
        assert (sms.purpose, sms.citizen_id) == ("network", ids["bente"])
        assert sms.text.startswith("Hej Ole. Bente vil gerne have dig med til et møde med kommunen ")
    # Karen's member is not Bente's: refused, not invited.
    resp = await client.post(f"/api/appointments/{ids['meeting']}/invitations",
                             json={"member_id": ids["karens_member"]}, headers=MINE)
    assert resp.status == 422
    resp = await client.delete(f"/api/network/{member['id']}", headers=MINE)
    assert resp.status == 200
    gone = await resp.json()
    assert (gone["name"], gone["phone"], gone["removed_at"]) == (None, None, T0.isoformat())
    assert await (await client.get(path, headers=MINE)).json() == []
    assert len(await (await client.get(path, headers=ADMIN)).json()) == 0
    with db.session() as s:
        log = list(s.execute(sa.select(AccessLog.action, AccessLog.citizen_id, AccessLog.status)
                             .where(AccessLog.coordinator_id == ids["mette"]).order_by(AccessLog.id)).all())
    assert log == [("view_network", ids["bente"], 200), ("add_network_member", ids["bente"], 201),
                   ("invite_network_member", ids["bente"], 201), ("invite_network_member", ids["bente"], 422),
                   ("remove_network_member", ids["bente"], 200), ("view_network", ids["bente"], 200)]


def _routes(*, citizen, member, meeting, member_in_body):
    return [("GET", f"/api/citizens/{citizen}/network", None),
            ("POST", f"/api/citizens/{citizen}/network", {"name": "X", "phone": "22334477", "consent": True}),
            ("DELETE", f"/api/network/{member}", None),
            ("POST", f"/api/appointments/{meeting}/invitations", {"member_id": member_in_body})]


async def test_another_coordinators_ids_are_not_found_on_every_route(client, db, ids):
    for ident in ({"citizen": ids["otto"], "member": ids["ottos_member"], "meeting": ids["ottos_meeting"]},
                  {"citizen": 999999, "member": 999999, "meeting": 999999},
                  {"citizen": "abc", "member": "99999999999999999999", "meeting": "²"}):
        for method, path, body in _routes(**ident, member_in_body=ids["ottos_member"]):
            resp = await client.request(method, path, json=body, headers=MINE)
            assert resp.status == 404, (method, path, resp.status)
    with db.session() as s:
        assert s.get(NetworkMember, ids["ottos_member"]).name == "Tove"
        assert s.execute(sa.select(sa.func.count()).select_from(NetworkMember)).scalar_one() == 2


async def test_unauthenticated_is_401(client, ids):
    for method, path, body in _routes(citizen=ids["karen"], member=ids["karens_member"], meeting=ids["meeting"],
                                      member_in_body=ids["karens_member"]):
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            resp = await client.request(method, path, json=body, headers=headers)
            assert resp.status == 401, (method, path)


@pytest.mark.parametrize("route, body", [
    ("add", {}), ("add", {"name": "X", "phone": "22334477"}), ("add", {"name": "X", "phone": "22334477", "consent": 1}),
    ("add", {"name": "X" * 10_000, "phone": "22334477", "consent": True}), ("add", {"name": "X", "phone": 5, "consent": True}),
    ("add", {"name": "X", "phone": "+4512345678", "consent": True}), ("add", {"name": "X", "phone": "\x00", "consent": True}),
    ("add", {"name": "X", "phone": "22334477", "consent": True, "cpr": "x"}), ("add", []), ("add", "x"),
    ("invite", {}), ("invite", {"member_id": "1"}), ("invite", {"member_id": True}), ("invite", {"member_id": 10 ** 30}),
    ("invite", {"member_id": -1}), ("invite", {"member_id": 1, "x": 2}), ("invite", None), ("invite", [1]),
])
async def test_garbage_bodies_are_4xx_never_500(client, ids, route, body):
    path = {"add": f"/api/citizens/{ids['bente']}/network",
            "invite": f"/api/appointments/{ids['meeting']}/invitations"}[route]
    resp = await client.post(path, json=body, headers=MINE)
    assert 400 <= resp.status < 500 and resp.status != 404, (resp.status, await resp.text())


async def test_a_refusal_says_why_in_its_message(client, ids):
    """The use case's reasons (its Invalid field) stay the dashboard's; the API answers 422 with the message."""
    for phone, why in (("22 33 44 88", "already in the citizen's network"), ("+4512345678", "is a citizen's")):
        resp = await client.post(f"/api/citizens/{ids['karen']}/network", json={"name": "X", "phone": phone,
                                                                                "consent": True}, headers=MINE)
        assert resp.status == 422 and why in (await resp.json())["error"], phone
    resp = await client.post(f"/api/appointments/{ids['karens_meeting']}/invitations",
                             json={"member_id": ids["karens_member"]}, headers=MINE)
    assert resp.status == 422 and await resp.json() == {"error": "this member is already invited to this appointment"}

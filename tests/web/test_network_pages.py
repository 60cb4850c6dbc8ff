"""The "Netværk" panel on the citizen page (issue 14 §3): adding a member with (and refused
without) the citizen's consent, removing one, inviting one to an upcoming meeting with the
preparation's "Med til mødet" answer as the hint. Another citizen's member or meeting is 404, the
forms need the CSRF token, garbage is a 422 with a Danish message and never a 500, and the panel
shows only this citizen's network."""
import pytest
import sqlalchemy as sa

from bot.db.models import AccessLog, MeetingInvitation, NetworkMember, OutboxMessage
from bot.network import members
from tests.conftest import T0
from tests.dashboard import login_per_coordinator, quiet_app
from tests.web.network_world import network_world


@pytest.fixture
def ids(db):
    return db.call(network_world)


@pytest.fixture
async def mette(aiohttp_client, db, clock, ids):
    """Mette's logged-in client and its CSRF token."""
    return await login_per_coordinator(aiohttp_client, db, clock)("mette")


def _count(db, model) -> int:
    return db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


async def test_add_invite_and_remove_from_the_page(db, ids, mette):
    client, csrf = mette
    page = f"/citizens/{ids['bente']}"
    html = await (await client.get(page)).text()
    assert ">Netværk</h2>" in html and "Borgeren har ingen i sit netværk endnu." in html
    # The preparation's answer is the hint next to the upcoming meeting's invite form.
    assert "Med til mødet: <q>Min søster Sofie</q>" in html
    resp = await client.post(f"{page}/network", data={
        "csrf_token": csrf, "name": "Sofie Hansen", "relation": "søster", "phone": "22 33 44 55", "consent": "yes"},
        allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"{page}#h-network"
    with db.session() as s:
        [member] = s.execute(sa.select(NetworkMember).where(NetworkMember.citizen_id == ids["bente"])).scalars().all()
        member_id = member.id
        assert (member.name, member.relation, member.phone, member.consent_at, member.added_by) == (
            "Sofie Hansen", "søster", "+4522334455", T0, ids["mette"])
    html = await (await client.get(page)).text()
    assert f'data-member-id="{member_id}"' in html and "+4522334455" in html and "søster" in html
    assert f'<option value="{member_id}">Sofie Hansen (søster)</option>' in html

    resp = await client.post(f"{page}/appointments/{ids['meeting']}/invitations",
                             data={"csrf_token": csrf, "member_id": str(member_id)}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"{page}#h-network"
    with db.session() as s:
        [invitation] = s.execute(sa.select(MeetingInvitation).where(
            MeetingInvitation.member_id == member_id)).scalars().all()
        assert (invitation.appointment_id, invitation.status) == (ids["meeting"], "invited")
        [sms] = s.execute(sa.select(OutboxMessage).where(OutboxMessage.msisdn == "+4522334455")).scalars().all()
        assert (sms.purpose, sms.citizen_id) == ("network", ids["bente"])
    html = await (await client.get(page)).text()
    assert 'Inviteret: <span class="invited">Sofie Hansen</span>' in html
    # Invited already: no second invitation offered, and a forced one is refused in Danish.
    assert f'<option value="{member_id}">' not in html
    resp = await client.post(f"{page}/appointments/{ids['meeting']}/invitations",
                             data={"csrf_token": csrf, "member_id": str(member_id)})
    assert resp.status == 422 and "allerede inviteret" in await resp.text()

    resp = await client.post(f"{page}/network/{member_id}/remove", data={"csrf_token": csrf}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"{page}#h-network"
    with db.session() as s:
        gone = s.get(NetworkMember, member_id)
        assert (gone.name, gone.relation, gone.phone, gone.removed_at) == (None, None, None, T0)
        assert s.get(MeetingInvitation, invitation.id).status == "withdrawn"
    html = await (await client.get(page)).text()
    assert "Sofie Hansen" not in html and "+4522334455" not in html
    assert "Borgeren har ingen i sit netværk endnu." in html
    # Removed: gone for the forms too.
    resp = await client.post(f"{page}/network/{member_id}/remove", data={"csrf_token": csrf}, allow_redirects=False)
    assert resp.status == 404
    with db.session() as s:
        log = list(s.execute(sa.select(AccessLog.action, AccessLog.status).where(
            AccessLog.citizen_id == ids["bente"], AccessLog.action != "view_citizen").order_by(AccessLog.id)).all())
    assert log == [("add_network_member", 303), ("invite_network_member", 303), ("invite_network_member", 422),
                   ("remove_network_member", 303)]


async def test_adding_without_consent_is_refused_and_the_values_are_kept(db, ids, mette):
    client, csrf = mette
    page = f"/citizens/{ids['bente']}"
    for consent in ({}, {"consent": ""}, {"consent": "no"}, {"consent": "on"}):
        resp = await client.post(f"{page}/network", data={
            "csrf_token": csrf, "name": "Sofie", "relation": "søster", "phone": "22334455", **consent})
        html = await resp.text()
        assert resp.status == 422 and "Sæt kryds, når borgeren har sagt ja" in html
        assert 'value="Sofie"' in html and 'value="22334455"' in html and 'value="søster"' in html
    assert _count(db, NetworkMember) == 2  # Tove and Kurt only
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.msisdn == "+4522334455")).scalar_one()) == 0


async def test_the_forms_need_the_csrf_token(db, ids, mette):
    client, _ = mette
    page = f"/citizens/{ids['karen']}"
    for path, data in ((f"{page}/network", {"name": "X", "phone": "22334477", "consent": "yes"}),
                       (f"{page}/network/{ids['karens_member']}/remove", {}),
                       (f"{page}/appointments/{ids['karens_meeting']}/invitations",
                        {"member_id": str(ids["karens_member"])})):
        for token in ({}, {"csrf_token": "forged"}):
            resp = await client.post(path, data={**data, **token}, allow_redirects=False)
            assert resp.status == 403, path
    assert _count(db, NetworkMember) == 2
    assert db.call(lambda s: s.get(NetworkMember, ids["karens_member"]).name) == "Kurt"


async def test_without_login_nothing_happens(aiohttp_client, db, clock, ids):
    client = await aiohttp_client(quiet_app(db, clock))
    page = f"/citizens/{ids['karen']}"
    for path in (f"{page}/network", f"{page}/network/{ids['karens_member']}/remove",
                 f"{page}/appointments/{ids['karens_meeting']}/invitations"):
        resp = await client.post(path, data={"name": "X", "phone": "22334477", "consent": "yes",
                                             "member_id": str(ids["karens_member"])}, allow_redirects=False)
        assert resp.status == 303 and resp.headers["Location"].startswith("/login"), path
    assert _count(db, NetworkMember) == 2
    assert db.call(lambda s: s.get(NetworkMember, ids["karens_member"]).name) == "Kurt"


async def test_another_citizens_member_or_meeting_is_not_found(db, ids, mette):
    client, csrf = mette
    bente, otto = f"/citizens/{ids['bente']}", f"/citizens/{ids['otto']}"
    adding = {"name": "X", "phone": "22334477", "consent": "yes"}
    for path, data in (
            # Ole's citizen, their member and meeting.
            (f"{otto}/network", adding),
            (f"{otto}/network/{ids['ottos_member']}/remove", {}),
            (f"{otto}/appointments/{ids['ottos_meeting']}/invitations", {"member_id": str(ids["ottos_member"])}),
            # Karen's (Mette's own other citizen) through Bente's page.
            (f"{bente}/network/{ids['karens_member']}/remove", {}),
            (f"{bente}/appointments/{ids['karens_meeting']}/invitations", {"member_id": str(ids["karens_member"])}),
            (f"{bente}/appointments/{ids['meeting']}/invitations", {"member_id": str(ids["karens_member"])}),
            (f"{bente}/appointments/{ids['meeting']}/invitations", {"member_id": str(ids["ottos_member"])}),
            (f"{bente}/appointments/{ids['ottos_meeting']}/invitations", {"member_id": str(ids["ottos_member"])}),
            (f"{bente}/network/{ids['ottos_member']}/remove", {}),
            # Ids that are no ids, or no rows.
            (f"{bente}/network/abc/remove", {}),
            (f"{bente}/network/99999999999999999999/remove", {}),
            (f"{bente}/network/999999/remove", {}),
            (f"{bente}/appointments/²/invitations", {"member_id": "1"}),
            (f"{bente}/appointments/999999/invitations", {"member_id": "1"}),
            ("/citizens/999999/network", adding)):
        resp = await client.post(path, data={"csrf_token": csrf, **data}, allow_redirects=False)
        assert resp.status == 404, (path, resp.status)
    with db.session() as s:
        assert s.get(NetworkMember, ids["ottos_member"]).name == "Tove"
        assert s.get(NetworkMember, ids["karens_member"]).name == "Kurt"
        assert s.execute(sa.select(sa.func.count()).select_from(NetworkMember)).scalar_one() == 2
        assert s.execute(sa.select(sa.func.count()).select_from(MeetingInvitation)).scalar_one() == 1


@pytest.mark.parametrize("route, data, message", [
    ("add", {"name": "", "phone": "22334477", "consent": "yes"}, "Skriv personens navn"),
    ("add", {"name": "X" * 10_000, "phone": "22334477", "consent": "yes"}, "Skriv personens navn"),
    ("add", {"name": "X", "relation": "r" * 51, "phone": "22334477", "consent": "yes"}, "hvem personen er"),
    ("add", {"name": "X", "phone": "", "consent": "yes"}, "rigtigt telefonnummer"),
    ("add", {"name": "X", "phone": "abc", "consent": "yes"}, "rigtigt telefonnummer"),
    ("add", {"name": "X", "phone": "\x00", "consent": "yes"}, "rigtigt telefonnummer"),
    ("add", {"name": "X", "phone": "9" * 5000, "consent": "yes"}, "rigtigt telefonnummer"),
    ("add", {"name": "X", "phone": "+4512345679", "consent": "yes"}, "Nummeret er en borgers"),
    ("add", {"name": "X", "phone": "+4512345670", "consent": "yes"}, "Nummeret er en borgers"),
    ("add", {}, "Skriv personens navn"),
    ("invite", {"member_id": ""}, "Vælg, hvem fra netværket"),
    ("invite", {}, "Vælg, hvem fra netværket"),
    ("invite", {"member_id": "abc"}, "Vælg, hvem fra netværket"),
    ("invite", {"member_id": "-1"}, "Vælg, hvem fra netværket"),
    ("invite", {"member_id": "1" * 40}, "Vælg, hvem fra netværket"),
    ("invite", {"member_id": "²"}, "Vælg, hvem fra netværket"),
    ("past", {"member_id": "MEMBER"}, "Mødet er begyndt"),
    ("cancelled", {"member_id": "MEMBER"}, "ikke planlagt længere"),
])
async def test_garbage_is_422_in_danish_never_500(db, ids, mette, route, data, message):
    client, csrf = mette
    page = f"/citizens/{ids['bente']}"
    member = db.call(lambda s: members.add_member(s, ids["bente"], ids["mette"], {
        "name": "Sofie", "phone": "22334455", "consent": True}, now=T0).id)
    data = {k: str(member) if v == "MEMBER" else v for k, v in data.items()}
    path = {"add": f"{page}/network", "invite": f"{page}/appointments/{ids['meeting']}/invitations",
            "past": f"{page}/appointments/{ids['past']}/invitations",
            "cancelled": f"{page}/appointments/{ids['cancelled']}/invitations"}[route]
    resp = await client.post(path, data={"csrf_token": csrf, **data})
    html = await resp.text()
    assert resp.status == 422 and message in html, (resp.status, html[-3000:])
    assert _count(db, NetworkMember) == 3 and _count(db, MeetingInvitation) == 1


async def test_a_phone_already_in_the_network_is_refused(db, ids, mette):
    client, csrf = mette
    page = f"/citizens/{ids['karen']}"
    resp = await client.post(f"{page}/network", data={"csrf_token": csrf, "name": "Kurt igen", "phone": "22 33 44 88",
                                                      "consent": "yes"})
    assert resp.status == 422 and "allerede med i borgerens netværk" in await resp.text()
    assert _count(db, NetworkMember) == 2


async def test_the_panel_shows_only_this_citizens_network(db, ids, mette):
    client, _ = mette
    karen = await (await client.get(f"/citizens/{ids['karen']}")).text()
    assert f'data-member-id="{ids["karens_member"]}"' in karen and "+4522334488" in karen
    assert 'Inviteret: <span class="invited">Kurt</span>' in karen
    assert "Tove" not in karen and "+4522334499" not in karen
    bente = await (await client.get(f"/citizens/{ids['bente']}")).text()
    assert "Kurt" not in bente and "+4522334488" not in bente and "Tove" not in bente
    assert f'data-member-id="{ids["karens_member"]}"' not in bente
    # Only the upcoming planned meeting is offered; the past and the cancelled one are not.
    section = bente[bente.index('id="h-network"'):bente.index('id="h-coordinator"')]
    assert f'data-appointment-id="{ids["meeting"]}"' in section
    assert f'data-appointment-id="{ids["past"]}"' not in section
    assert f'data-appointment-id="{ids["cancelled"]}"' not in section
    # Another coordinator's citizen's page is not found at all.
    assert (await client.get(f"/citizens/{ids['otto']}")).status == 404

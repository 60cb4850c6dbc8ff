"""Open and partial check-ins as coordinators see them (docs/decisions.md, "An answer counts the
moment it is given"): the API's `status` (and `last_answer_at`), the citizen page's and the overview's
"I gang" / "Ikke færdig". Also the demo: Bente's "gul" and no more is on her page at once."""
from datetime import timedelta

import pytest

from bot.checkins.record import finish, record_answer, record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.core.config import ProactiveSettings
from bot.db.citizens import citizen_by_phone
from bot.db.coordinators import create_coordinator, set_password_hash
from bot.demo import DEMO_CITIZEN_PHONE, DEMO_EMAIL, DEMO_PASSWORD
from bot.demo import seed as demo_seed
from tests.conftest import T0
from tests.dashboard import dashboard_app, logged_in, make_citizen, password_hash


def _answer(session, citizen, overall, at, checkin_id=None, **fields):
    checkin, _ = record_answer(session, citizen, checkin_id, CheckinAnswers(overall, **fields), note=None,
                               channel="webchat", now=at, settings=ProactiveSettings())
    return checkin


def _coordinator(session, name, email):
    coordinator, token = create_coordinator(session, name, email=email)
    set_password_hash(session, coordinator, password_hash())
    return coordinator, {"Authorization": f"Bearer {token}"}


def seed(session):
    mette, mette_token = _coordinator(session, "Mette", "mette@kommune.dk")
    ole, ole_token = _coordinator(session, "Ole", "ole@kommune.dk")
    open_one = make_citizen(session, mette, "Olga Åben", "+4520000001")
    partial = make_citizen(session, mette, "Pia Halv", "+4520000002")
    done = make_citizen(session, mette, "Dorte Færdig", "+4520000003")
    record_checkin(session, open_one, CheckinAnswers("green"), note=None, complete=True, channel="sms",
                   now=T0 - timedelta(days=7))
    _answer(session, open_one, "red", T0 - timedelta(minutes=10))
    stopped = _answer(session, partial, "yellow", T0 - timedelta(days=1))
    finish(session, partial, stopped.id, complete=False, now=T0 - timedelta(days=1))
    record_checkin(session, done, CheckinAnswers("green"), note=None, complete=True, channel="sms",
                   now=T0 - timedelta(days=2))
    return {"mette": mette_token, "ole": ole_token, "open": open_one.id, "partial": partial.id, "done": done.id}


@pytest.fixture
def ids(db):
    return db.call(seed)


@pytest.fixture
async def client(aiohttp_client, db, clock):
    return await aiohttp_client(dashboard_app(db, clock, SMS_DISPATCH_INTERVAL="0", SCHEDULER_INTERVAL_SECONDS="0"))


async def test_the_api_shows_the_status_of_each_check_in(client, ids):
    body = await (await client.get(f"/api/citizens/{ids['open']}/checkins", headers=ids["mette"])).json()
    assert [(c["overall"], c["status"], c["complete"]) for c in body] == [("red", "open", False),
                                                                          ("green", "complete", True)]
    assert body[0]["last_answer_at"] == (T0 - timedelta(minutes=10)).isoformat()
    [partial] = await (await client.get(f"/api/citizens/{ids['partial']}/checkins", headers=ids["mette"])).json()
    assert (partial["status"], partial["complete"]) == ("partial", False)


async def test_the_citizen_page_labels_open_and_partial_check_ins(client, ids):
    await logged_in(client, "mette@kommune.dk")
    page = await (await client.get(f"/citizens/{ids['open']}")).text()
    assert 'class="chip chip-checkin-open"' in page and "I gang" in page
    assert "Ingen tjek-ind endnu" not in page
    assert "(i gang)</title>" in page  # the chart's dot says so too
    page = await (await client.get(f"/citizens/{ids['partial']}")).text()
    assert 'class="chip chip-checkin-partial"' in page and "Ikke færdig" in page
    page = await (await client.get(f"/citizens/{ids['done']}")).text()
    assert "chip-checkin-" not in page


async def test_the_overview_says_when_the_latest_colour_is_still_being_answered(client, ids):
    await logged_in(client, "mette@kommune.dk")
    page = await (await client.get("/")).text()
    rows = {cid: page.split(f'data-citizen-id="{cid}"')[1].split("</tr>")[0]
            for cid in (ids["open"], ids["partial"], ids["done"])}
    assert "chip-checkin-open" in rows[ids["open"]] and "I gang" in rows[ids["open"]]
    assert "chip-checkin-partial" in rows[ids["partial"]] and "Ikke færdig" in rows[ids["partial"]]
    assert "chip-checkin-" not in rows[ids["done"]]


async def test_another_coordinators_citizen_stays_hidden(client, ids):
    assert (await client.get(f"/api/citizens/{ids['open']}/checkins", headers=ids["ole"])).status == 404
    await logged_in(client, "ole@kommune.dk")
    assert (await client.get(f"/citizens/{ids['open']}")).status == 404


async def test_demo_bentes_yellow_and_no_more_shows_on_her_page(aiohttp_client, db, clock):
    db.call(demo_seed, clock)
    bente = db.call(citizen_by_phone, DEMO_CITIZEN_PHONE)
    # What the check-in form's validation stores when she answers "gul" in the web chat, and then nothing.
    db.call(_answer, bente, "yellow", clock.now())
    client = await aiohttp_client(dashboard_app(db, clock, SMS_DISPATCH_INTERVAL="0", SCHEDULER_INTERVAL_SECONDS="0"))
    await logged_in(client, DEMO_EMAIL, DEMO_PASSWORD)
    page = await (await client.get(f"/citizens/{bente.id}")).text()
    assert "Ingen tjek-ind endnu" not in page and "I gang" in page and "chip-yellow" in page

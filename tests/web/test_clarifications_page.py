"""The overview shows the share of the coordinator's check-ins completed without a question asked
again (issue 15 §4: "Measured: the share of check-ins completed without a clarification"), over the
last 30 days; nothing when none was completed."""
import re
from datetime import timedelta

import pytest

from bot.checkins.record import finish, record_answer
from bot.checkins.rules import CheckinAnswers
from bot.core.config import ProactiveSettings
from tests.conftest import T0
from tests.dashboard import logged_in, make_citizen, make_coordinator, quiet_app

SETTINGS = ProactiveSettings()


def seed(session):
    mette = make_coordinator(session, "Mette", "mette@kommune.dk")
    ole = make_coordinator(session, "Ole", "ole@kommune.dk")
    make_coordinator(session, "Nina", "nina@kommune.dk")
    anna = make_citizen(session, mette, "Anna Andersen", "+4520000001")
    otto = make_citizen(session, ole, "Otto Oles", "+4520000009")
    for citizen, days_ago, clarifications in ((anna, 1, 0), (anna, 2, 0), (anna, 3, 1), (anna, 40, 1), (otto, 1, 2)):
        at = T0 - timedelta(days=days_ago)
        checkin, _ = record_answer(session, citizen, None, CheckinAnswers("green"), note=None, channel="sms", now=at,
                                   settings=SETTINGS, clarifications=clarifications)
        finish(session, citizen, checkin.id, complete=True, now=at)


@pytest.fixture
async def client(aiohttp_client, db, clock):
    db.call(seed)
    return await aiohttp_client(quiet_app(db, clock))


async def test_the_overview_shows_the_share_of_my_checkins_without_a_clarification(client):
    await logged_in(client, "mette@kommune.dk")
    html = await (await client.get("/")).text()
    panel = html[html.index('id="clarifications"'):]
    panel = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", panel[:panel.index("</section>")]))
    assert "67 % (2 af 3)" in panel and "de sidste 30 dage" in panel  # Otto is Ole's; day 40 is before


async def test_no_completed_checkins_no_panel(client):
    await logged_in(client, "nina@kommune.dk")
    assert 'id="clarifications"' not in await (await client.get("/")).text()

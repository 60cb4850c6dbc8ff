""""Din side" in a real browser (headless Chromium): the citizen opens their chat link on a phone and
finds their next meeting, agreements and lyskurve in words below the chat; on a wide screen the page
sits beside the chat with the coordinator's chart. The service alone, no Rasa: the widget waits for
its socket, which "Din side" does not need."""
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.citizens.chat_links import link_for_citizen
from bot.core.clock import FixedClock
from bot.db import agreements as agreement_db
from bot.db.appointments import create_appointment
from bot.db.checkins import add_checkin
from tests.chromium import chromium_page, requires_chromium, screenshot_path
from tests.dashboard import dashboard_app, make_citizen, make_coordinator

pytestmark = [pytest.mark.browser, requires_chromium]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
SECRET = "browser-webchat-secret-0123456789abcdef"


def _seed(session):
    mette = make_coordinator(session, "Mette", "mette@kommune.dk")
    bente = make_citizen(session, mette, "Bente", "+4512345678")
    for days, colour in [(35, "red"), (28, "yellow"), (21, "yellow"), (14, "green"), (7, "yellow"), (1, "green")]:
        add_checkin(session, bente.id, created_at=NOW - timedelta(days=days), overall=colour, focus_areas=["krop"])
    create_appointment(session, bente.id, kind="netvaerksmoede", starts_at=NOW + timedelta(days=2),
                       location="Jobcentret, Vejlevej 1")
    last = create_appointment(session, bente.id, kind="opfoelgning", starts_at=NOW - timedelta(days=5))
    agreement_db.replace_agreements(session, last.id, bente.id, [
        {"what": "Søge om boligstøtte", "who": "Bente", "owner_is_citizen": True, "due_date": date(2026, 12, 1)},
    ], None, NOW - timedelta(days=5))
    agreement_db.set_approval(session, last.id, True, None, NOW - timedelta(days=5))
    return link_for_citizen(session, bente, "", SECRET, NOW, timedelta(days=14)).url


@pytest.fixture
async def chat_url(aiohttp_server, sqlite_db):
    clock = FixedClock(NOW)
    path = sqlite_db.call(_seed)
    server = await aiohttp_server(dashboard_app(sqlite_db, clock, WEBCHAT_JWT_SECRET=SECRET,
                                                RASA_SOCKET_URL="http://127.0.0.1:9"))
    return str(server.make_url("")).rstrip("/") + path


async def test_the_citizen_finds_din_side_with_the_next_meeting(chat_url):
    async with chromium_page(viewport={"width": 390, "height": 844}, is_mobile=True) as page:
        await page.goto(chat_url)
        own = page.locator("#din-side")
        await own.get_by_role("heading", name="Din side").wait_for()
        assert page.url.endswith("/chat/open")  # the token left the address
        meeting = own.locator("#own-meetings li")
        assert await meeting.count() == 1
        text = await meeting.inner_text()
        assert "Netværksmøde" in text and "onsdag 25. november kl. 13" in text and "Jobcentret" in text
        assert "Søge om boligstøtte" in await own.locator("#own-agreements").inner_text()
        assert (await own.locator("#own-checkins li").first.inner_text()).startswith("søndag 22. nov.: grøn")
        assert not await own.locator("#own-chart").is_visible()  # too small to read on a phone: the list says it
        assert await page.locator("#webchat").is_visible()  # the chat is still there, above
        await own.screenshot(path=screenshot_path("citizen-own-page-phone"))

    async with chromium_page(viewport={"width": 1440, "height": 900}) as page:
        await page.goto(chat_url)
        chart = page.locator("#own-chart")
        await chart.wait_for()
        box, chat = await chart.bounding_box(), await page.locator("#webchat").bounding_box()
        assert box["width"] >= 600 and box["x"] > chat["x"] + chat["width"]  # beside the chat, readable
        await page.locator("#din-side").screenshot(path=screenshot_path("citizen-own-page"))

""""Din side" in a real browser (headless Chromium): the citizen opens their chat link on a phone and
finds their next meeting, agreements, goals and lyskurve in words below the chat, and ticks off a step
of their goal with the keyboard ("Jeg har gjort det"); on a wide screen the page sits beside the chat
with the coordinator's chart. The service alone, no Rasa: the widget waits for its socket, which
"Din side" does not need."""
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.citizens.chat_links import link_for_citizen
from bot.core.clock import FixedClock
from bot.db import agreements as agreement_db
from bot.db.appointments import create_appointment
from bot.db.checkins import add_checkin
from bot.db.models import GoalStep
from bot.goals import plan
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
    goal = plan.add_goal(session, bente.id, mette.id, "Jeg vil have et fritidsjob", now=NOW - timedelta(days=5))
    plan.add_step(session, goal.id, mette.id, "Skrive en ansøgning", "Du", date(2026, 12, 1), now=NOW - timedelta(days=5))
    plan.add_step(session, goal.id, mette.id, "Finde tre steder", "Jobcentret", None, now=NOW - timedelta(days=5))
    return link_for_citizen(session, bente, "", SECRET, NOW, timedelta(days=14)).url


@pytest.fixture
async def chat_url(aiohttp_server, sqlite_db):
    clock = FixedClock(NOW)
    path = sqlite_db.call(_seed)
    server = await aiohttp_server(dashboard_app(sqlite_db, clock, WEBCHAT_JWT_SECRET=SECRET,
                                                RASA_SOCKET_URL="http://127.0.0.1:9"))
    return str(server.make_url("")).rstrip("/") + path


def _done_by(db) -> dict[str, str | None]:
    with db.session() as s:
        return {step.text: step.done_by for step in s.query(GoalStep).order_by(GoalStep.id)}


async def test_the_citizen_ticks_off_a_step_with_the_keyboard(chat_url, sqlite_db):
    async with chromium_page(viewport={"width": 390, "height": 844}, is_mobile=True) as page:
        await page.goto(chat_url)
        goals = page.locator("#own-goals")
        mine = goals.get_by_role("button", name="Jeg har gjort det")
        await mine.wait_for()
        # One button per open step, in plain words; a screen reader hears the step's words with it.
        assert await goals.get_by_role("button", name="Det er gjort").count() == 1  # the jobcentre's step
        described = await mine.get_attribute("aria-describedby")
        assert await page.locator(f"#{described}").inner_text() == "Skrive en ansøgning"
        await mine.focus()
        await page.keyboard.press("Enter")
        status = page.locator("#own-goal-status")
        await status.get_by_text("Godt gået. Trinnet står nu som gjort.").wait_for()
        step = goals.locator("li.own-step").first
        await step.get_by_text("Gjort: Skrive en ansøgning").wait_for()
        assert "Hvem: Du. Senest: tirsdag 1. dec.\n" in await step.inner_text() + "\n"  # one full stop
        # The focus stays on the step: now its "Fortryd", for a tick made by mistake.
        await page.wait_for_function("() => document.activeElement.textContent === 'Fortryd'")
        assert _done_by(sqlite_db) == {"Skrive en ansøgning": "citizen", "Finde tre steder": None}
        await page.keyboard.press("Enter")  # Fortryd
        await status.get_by_text("Trinnet står nu som ikke gjort.").wait_for()
        await page.wait_for_function("() => document.activeElement.textContent === 'Jeg har gjort det'")
        assert _done_by(sqlite_db) == {"Skrive en ansøgning": None, "Finde tre steder": None}
        await page.keyboard.press("Space")
        await status.get_by_text("Godt gået. Trinnet står nu som gjort.").wait_for()
        assert _done_by(sqlite_db)["Skrive en ansøgning"] == "citizen"


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
        await own.locator("#own-goals").get_by_role("button", name="Jeg har gjort det").click()  # by touch
        await own.locator("#own-goals").get_by_text("Gjort: Skrive en ansøgning").wait_for()
        await own.screenshot(path=screenshot_path("citizen-own-page-phone"))

    async with chromium_page(viewport={"width": 1440, "height": 900}) as page:
        await page.goto(chat_url)
        chart = page.locator("#own-chart")
        await chart.wait_for()
        box, chat = await chart.bounding_box(), await page.locator("#webchat").bounding_box()
        assert box["width"] >= 600 and box["x"] > chat["x"] + chat["width"]  # beside the chat, readable
        await page.locator("#din-side").screenshot(path=screenshot_path("citizen-own-page"))

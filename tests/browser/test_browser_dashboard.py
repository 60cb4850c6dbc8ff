"""The dashboard in a real browser (headless Chromium): log in, the red citizen first, the chart,
acknowledging an alert, the printable agenda. Uses the demo data with a fixed clock, so the committed
screenshots are reproducible."""
from datetime import datetime, timezone

import pytest

from bot.core.clock import FixedClock
from bot.demo import DEMO_EMAIL, DEMO_PASSWORD, seed
from tests.chromium import chromium_page, requires_chromium, screenshot_path
from tests.dashboard import dashboard_app

pytestmark = [pytest.mark.browser, requires_chromium]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
async def base_url(aiohttp_server, sqlite_db):
    clock = FixedClock(NOW)
    sqlite_db.call(seed, clock)
    server = await aiohttp_server(dashboard_app(sqlite_db, clock))
    return str(server.make_url("")).rstrip("/")


async def log_in(page, base_url):
    await page.goto(f"{base_url}/")
    assert "/login" in page.url
    await page.get_by_label("E-mail").fill(DEMO_EMAIL)
    await page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log ind").click()
    await page.wait_for_url(f"{base_url}/")


async def test_log_in_and_see_the_red_citizen_first_then_the_chart(base_url):
    async with chromium_page() as page:
        await log_in(page, base_url)
        rows = page.locator("tr.citizen")
        assert await rows.count() == 5
        first = rows.first
        assert await first.locator(".name").inner_text() == "Karin Demo"
        assert "row-red" in await first.get_attribute("class")
        assert await first.locator(".chip-red").inner_text() == "Rød"
        await page.screenshot(path=screenshot_path("citizen-list"), full_page=True)

        await first.locator(".name").click()
        await page.wait_for_url(f"{base_url}/citizens/*")
        chart = page.locator("svg.lyskurve")
        await chart.wait_for()
        box = await chart.bounding_box()
        assert box["width"] > 400 and box["height"] > 200  # big enough to read at a glance
        assert await chart.locator("circle.dot-red").count() == 3  # overall + two focus areas, latest day
        assert await chart.locator("circle.dot-green").count() == 3
        assert "seneste samlet rød" in await chart.get_attribute("aria-label")
        assert await page.get_by_text("Jeg har fået et brev om huslejen").count() >= 1
        await page.screenshot(path=screenshot_path("citizen-page-chart"), full_page=True)


async def test_acknowledge_an_alert(base_url):
    async with chromium_page() as page:
        await log_in(page, base_url)
        assert await page.locator("#nav-alert-count").inner_text() == "4"
        await page.get_by_role("link", name="Alarmer").click()
        open_alerts = page.locator("#open-alerts .alert-item")
        assert await open_alerts.count() == 4
        first = open_alerts.first
        alert_id = await first.get_attribute("data-alert-id")
        await first.get_by_role("button", name="Kvitter").click()
        await page.wait_for_load_state()
        assert await page.locator("#open-alerts .alert-item").count() == 3
        acknowledged = page.locator(f"#acknowledged-alerts [data-alert-id='{alert_id}']")
        assert "Kvitteret" in await acknowledged.inner_text() and "af Mette Demo" in await acknowledged.inner_text()
        assert await page.locator("#nav-alert-count").inner_text() == "3"


async def test_agenda_prints_without_the_screen_furniture(base_url):
    async with chromium_page() as page:
        await log_in(page, base_url)
        await page.locator("tr.citizen").first.locator(".name").click()
        await page.get_by_role("link", name="Dagsorden").first.click()
        await page.wait_for_url(f"{base_url}/appointments/*/agenda")
        assert await page.locator("header.topbar").is_visible()
        await page.emulate_media(media="print")
        assert not await page.locator("header.topbar").is_visible()
        assert not await page.locator("#print-button").is_visible()
        assert await page.locator("#preparation").is_visible()
        assert "Borgerens egne punkter" in await page.locator("#preparation").inner_text()
        assert await page.locator("#current-situation svg.lyskurve").is_visible()
        pdf = await page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
        await page.screenshot(path=screenshot_path("agenda-print"), full_page=True)

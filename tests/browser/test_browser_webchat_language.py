"""The web chat in the citizen's language, for real (the shared stack: the service, Rasa and the
action server; headless Chromium): an English citizen's page is English, the widget's words too, and
after the citizen writes "العربية" the confirmation (ar.yml, LANGUAGE_SWITCHED) reads right-to-left in
its bubble while the page stays English and left-to-right. A reload then finds the citizen's language
changed: Arabic has no page (bot/core/page_texts.py), so the page comes back Danish."""
from datetime import timedelta

import pytest

from tests.chromium import chromium_page, requires_chromium, screenshot_path

pytestmark = [pytest.mark.e2e, pytest.mark.browser, requires_chromium]

BOT_TEXTS = ".rw-response .rw-message-text"


async def bot_says(page, count: int) -> str:
    await page.wait_for_function("([s, n]) => document.querySelectorAll(s).length >= n", arg=[BOT_TEXTS, count],
                                 timeout=30_000)
    return await page.locator(BOT_TEXTS).nth(count - 1).inner_text()


async def say(page, text: str) -> None:
    box = page.locator(".rw-new-message")
    await box.fill(text)
    await box.press("Enter")


def direction(locator):
    """The element's direction as the browser resolved it: computed style and :dir()."""
    return locator.evaluate("e => [getComputedStyle(e).direction, e.matches(':dir(rtl)') ? 'rtl' : 'ltr']")


async def test_an_english_page_and_an_arabic_reply_right_to_left(stack):
    citizen = stack.new_citizen(language="en")
    token = citizen["token"]
    starts = (stack.now() + timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
    assert stack.api("POST", f"/api/citizens/{citizen['id']}/appointments", token,
                     json={"kind": "netvaerksmoede", "starts_at": starts.isoformat(),
                           "location": "Jobcentret"}).status_code == 201
    goal = stack.api("POST", f"/api/citizens/{citizen['id']}/goals", token, json={"text": "Get out for a walk"})
    assert goal.status_code == 201, goal.text
    assert stack.api("POST", f"/api/goals/{goal.json()['id']}/steps", token,
                     json={"text": "Walk with the neighbour", "owner": "Du"}).status_code == 201
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/chat-link", token)
    assert resp.status_code == 201, resp.text

    async with chromium_page(viewport={"width": 1440, "height": 900}) as page:
        await page.goto(resp.json()["url"])
        box = page.locator(".rw-new-message")
        await box.wait_for()
        await page.locator("#din-side").get_by_role("heading", name="Your page").wait_for()
        assert await page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["en", "ltr"]
        assert page.url.endswith("/chat/open?lang=en")  # the token left the address, the language did not
        assert await page.get_by_role("heading", level=1).inner_text() == "Write to us"
        assert await box.get_attribute("placeholder") == "Write here..."
        assert await box.get_attribute("aria-label") == "Your message"
        assert await page.locator("#rw-messages").get_attribute("aria-label") == "Messages"
        assert await page.get_by_role("button", name="Send").count() == 1
        own = page.locator("#din-side")
        await own.get_by_role("button", name="I have done it").wait_for()
        assert "Who: You." in await own.locator("#own-goals").inner_text()
        assert (await own.locator("#own-meetings li").inner_text()).startswith("Network meeting\n")
        assert "Skriv" not in await page.locator("body").inner_text()

        await say(page, "check in")
        assert "GREEN" in await bot_says(page, 1)
        await page.screenshot(path=screenshot_path("webchat-english"))

        await say(page, "العربية")
        reply = await bot_says(page, 2)
        assert reply.startswith("حسنا")
        bubble = page.locator(".rw-response").last
        assert await direction(bubble) == ["rtl", "rtl"]
        assert await direction(page.locator(".rw-client").last) == ["rtl", "rtl"]  # the citizen's "العربية"
        assert await direction(page.locator(".rw-response").first) == ["ltr", "ltr"]  # the English question
        assert await page.evaluate("document.documentElement.dir") == "ltr"  # the page is still English
        # Aligned to its own start (chat.css; the widget's own "left" would put it at the wrong side).
        assert await bubble.evaluate("e => getComputedStyle(e).textAlign") == "start"
        await page.screenshot(path=screenshot_path("webchat-arabic-switch"))

        # The citizen's language is Arabic now, which has no page: the reload comes back Danish.
        await page.reload()
        await page.wait_for_url("**/chat/open")
        await page.locator("#din-side").get_by_role("heading", name="Din side").wait_for()
        assert await page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["da", "ltr"]

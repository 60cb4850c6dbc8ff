"""The accessibility gate (issue 15 §5): Danish public-sector web pages must meet WCAG 2.1 AA. axe-core
(npm, pinned in package-lock.json like the widget) runs in headless Chromium on every page a
coordinator sees, the citizen's web chat with the widget open and a conversation in it, "Din side",
and the refusals, and any violation of the WCAG 2.0/2.1 A and AA rules fails the test with the rule,
its impact and the elements (docs/testing.md, "Accessibility"). One browser per test, many pages each."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.citizens.chat_links import link_for_citizen
from bot.citizens.reassign import reassign
from bot.core.clock import FixedClock
from bot.core.config import ProactiveSettings
from bot.db import agreements as agreement_db
from bot.db import preparations as prep_db
from bot.db.appointments import create_appointment
from bot.db.citizens import citizen_by_phone
from bot.db.coordinators import coordinator_by_token
from bot.db.messages import log_inbound
from bot.db.models import Appointment
from bot.demo import DEMO_BACKUP_EMAIL, DEMO_BACKUP_TOKEN, DEMO_COORDINATOR_TOKEN, DEMO_EMAIL, DEMO_PASSWORD, seed
from bot.goals import plan
from bot.network import invitations, members
from bot.outcomes import record
from tests.chromium import ROOT, chromium_page, requires_chromium
from tests.dashboard import quiet_app

pytestmark = [pytest.mark.browser, requires_chromium]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The web chat test's languages: the page is in the citizen's language when its catalogue has the
# page's words (bot/core/page_texts.py): Danish and English. The dashboard is Danish only (base.html).
LANGUAGES = ["da", "en"]
# What the citizen writes in the test's check-in, per language: start, the colour, then the rest.
CHECKIN_WORDS = {"da": (["tjek ind", "gul"], ["1", "nej", "nej"]),
                 "en": (["check in", "yellow"], ["1", "no", "no"])}
CHAT_SECRET = "browser-a11y-secret-0123456789abcdef"


async def axe_violations(page, where: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line per rule and element."""
    assert AXE.is_file(), "axe-core is not installed: run `make webchat` (npm ci)"
    if not await page.evaluate("() => !!window.axe"):
        # Evaluated over the DevTools protocol, not as a <script> tag, so the pages' Content Security
        # Policy (script-src 'self') stays as a citizen's browser gets it.
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "values => axe.run(document, {runOnly: {type: 'tag', values}, resultTypes: ['violations']})", WCAG_AA
    )
    return [
        f"{where}: {v['id']} ({v['impact']}) {json.dumps(node['target'])} - {v['help']}"
        for v in result["violations"] for node in v["nodes"]
    ]


def _enrich(session) -> dict:
    """The demo data (bot/demo.py, as the other dashboard browser tests) and, for Karin Demo, every
    panel of the citizen page filled in: goals with steps, her network invited to a meeting, outcome
    rounds answered, a preparation, agreements, a web chat message, a change of coordinator (its SMS)."""
    seed(session, FixedClock(NOW))
    mette, ole = coordinator_by_token(session, DEMO_COORDINATOR_TOKEN), coordinator_by_token(session, DEMO_BACKUP_TOKEN)
    karin = citizen_by_phone(session, "+4522000001")
    settings = ProactiveSettings()

    goal = plan.add_goal(session, karin.id, mette.id, "Jeg vil have styr på mine regninger", now=NOW - timedelta(days=20))
    done = plan.add_step(session, goal.id, mette.id, "Ringe til banken", "Du", date(2026, 11, 30),
                         now=NOW - timedelta(days=20))
    plan.tick_step(session, done.id, done=True, now=NOW - timedelta(days=3), citizen=karin)
    plan.add_step(session, goal.id, mette.id, "Finde brevene frem", "Mette", None, now=NOW - timedelta(days=20))
    plan.record_progress(session, karin, goal.id, "lidt", NOW - timedelta(days=2))
    reached = plan.add_goal(session, karin.id, mette.id, "Gå en tur hver dag", now=NOW - timedelta(days=40),
                            source="preparation")
    plan.change_goal(session, reached.id, mette.id, {"status": "reached"}, now=NOW - timedelta(days=10))

    upcoming = session.execute(sa.select(Appointment).where(Appointment.citizen_id == karin.id)).scalars().first()
    sister = members.add_member(session, karin.id, mette.id,
                                {"name": "Sofie", "relation": "søster", "phone": "22334455", "consent": True},
                                now=NOW - timedelta(days=5))
    members.add_member(session, karin.id, mette.id, {"name": "Ib", "phone": "22334466", "consent": True},
                       now=NOW - timedelta(days=5))
    invitations.invite(session, upcoming.id, mette.id, sister.id, now=NOW - timedelta(days=1), settings=settings)
    prep_db.save_answer(session, upcoming.id, karin.id, "topics", ["Huslejen", "Søvn"], NOW - timedelta(hours=5))
    prep_db.save_answer(session, upcoming.id, karin.id, "attendees", "Min søster Sofie", NOW - timedelta(hours=5))

    past = create_appointment(session, karin.id, kind="opfoelgning", starts_at=NOW - timedelta(days=7),
                              location="Sundhedscentret, Højvang")
    past.status = "attended"
    agreement_db.replace_agreements(session, past.id, karin.id, [
        {"what": "Søge om boligstøtte", "who": "Karin", "owner_is_citizen": True, "due_date": date(2026, 12, 1)},
        {"what": "Ringe til udlejer", "who": "Mette", "owner_is_citizen": False, "due_date": None},
    ], None, NOW - timedelta(days=7))
    agreement_db.set_approval(session, past.id, True, None, NOW - timedelta(days=6))

    for round_no, days, who5, inspire in [(0, 90, [3, 3, 3, 3, 3], [3, 3, 2, 3, 3]),
                                          (1, 10, [2, 2, 1, 2, 2], [2, 2, 2, 3, 2])]:
        at = NOW - timedelta(days=days)
        reason = "baseline" if round_no == 0 else "follow_up"
        round_ = record.plan_round(session, karin, reason=reason, round_no=round_no, due_at=at, now=at,
                                   settings=settings, instruments=["who5", "inspire_o", "experience"])
        record.begin(session, karin, round_.id, now=at, settings=settings)
        for code, values in [("who5", who5), ("inspire_o", inspire), ("experience", [5, 4, 2])]:
            for item, value in enumerate(values):
                record.answer(session, karin, round_.id, code, item, value, now=at)
    log_inbound(session, karin.id, channel="webchat", text="Kan vi tale om huslejen?", received_at=NOW - timedelta(days=1))

    reassign(session, karin.id, mette.id, ole.id, now=NOW - timedelta(days=30), settings=settings)
    reassign(session, karin.id, ole.id, mette.id, now=NOW - timedelta(days=29), settings=settings)
    return {"karin": karin.id, "upcoming": upcoming.id, "past": past.id,
            "bente": citizen_by_phone(session, "+4512345678").id,
            "karin_chat": link_for_citizen(session, karin, "", CHAT_SECRET, NOW, timedelta(days=14)).url}


@pytest.fixture
async def dashboard(aiohttp_server, sqlite_db):
    ids = sqlite_db.call(_enrich)
    # No Rasa here: the widget waits for its socket, which "Din side" does not need (the web chat test
    # below has the real one).
    server = await aiohttp_server(quiet_app(sqlite_db, FixedClock(NOW), WEBCHAT_JWT_SECRET=CHAT_SECRET,
                                            RASA_SOCKET_URL="http://127.0.0.1:9"))
    return str(server.make_url("")).rstrip("/"), ids


async def log_in(page, base_url: str, email: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log ind").click()
    await page.wait_for_url(f"{base_url}/")


async def test_every_dashboard_page_meets_wcag_21_aa(dashboard):
    base_url, ids = dashboard
    karin, bente = f"/citizens/{ids['karin']}", f"/citizens/{ids['bente']}"
    pages = [
        ("/", "oversigt"), (bente, "borger uden data"),
        (f"/appointments/{ids['upcoming']}/agenda", "dagsorden med forberedelse"),
        (f"/appointments/{ids['past']}/agenda", "dagsorden efter mødet"),
        ("/alerts", "alarmer"), ("/citizens/new", "ny borger"),
        (f"{karin}/appointments/new", "nyt møde"), (f"/appointments/{ids['upcoming']}/edit", "flyt møde"),
        ("/account", "min konto"), ("/citizens/999999", "fejlside 404"),
    ]
    failures = []
    async with chromium_page() as page:  # one browser: starting one costs more than checking a page
        await page.goto(f"{base_url}/login")
        failures += await axe_violations(page, "log ind")
        await page.get_by_label("E-mail").fill(DEMO_EMAIL)
        await page.get_by_label("Adgangskode").fill("forkert-kodeord")
        await page.get_by_role("button", name="Log ind").click()
        await page.get_by_role("alert").wait_for()
        failures += await axe_violations(page, "log ind, forkert kode")

        await log_in(page, base_url, DEMO_EMAIL)
        for path, where in pages:
            await page.goto(f"{base_url}{path}")
            assert await page.evaluate("document.documentElement.lang") == "da", where
            failures += await axe_violations(page, where)

        # Every panel of the citizen page with its <details> open, and the forms' error and result states.
        await page.goto(f"{base_url}{karin}")
        for summary in await page.locator("details > summary").all():
            await summary.click()
        failures += await axe_violations(page, "borger med data, alt foldet ud")
        await page.goto(f"{base_url}/citizens/new")
        await page.get_by_label("Navn").fill("Ny Borger")
        await page.get_by_label("Mobilnummer").fill("+4522000001")  # Karin's: refused by the server
        await page.get_by_label("Borgeren har givet samtykke").check()
        await page.get_by_role("button", name="Registrér").click()
        await page.get_by_role("alert").wait_for()
        failures += await axe_violations(page, "ny borger med fejl")
        await page.goto(f"{base_url}/account")
        await page.get_by_role("button", name="Lav en ny API-nøgle").click()
        await page.locator("#new-token").wait_for()
        failures += await axe_violations(page, "min konto, ny nøgle")

        # The backup coordinator sees Mette's urgent alerts, with the break-glass form.
        await page.get_by_role("button", name="Log ud").click()
        await page.wait_for_url("**/login*")
        await log_in(page, base_url, DEMO_BACKUP_EMAIL)
        for path, where in [("/", "oversigt, kollegas akutte alarmer"), ("/alerts", "alarmer, kollegas akutte")]:
            await page.goto(f"{base_url}{path}")
            failures += await axe_violations(page, where)

        # Karin's "Din side" with every part filled in (goals with steps to tick, meetings,
        # agreements, check-ins), beside the chat on a wide screen and below it on a phone.
        await page.set_viewport_size({"width": 1440, "height": 900})
        await page.goto(f"{base_url}{ids['karin_chat']}")
        await page.locator("#own-chart").wait_for()
        assert await page.evaluate("document.documentElement.lang") == "da"
        failures += await axe_violations(page, "din side med data")
        await page.set_viewport_size({"width": 390, "height": 844})
        failures += await axe_violations(page, "din side med data, telefon")
    assert not failures, "WCAG 2.1 AA violations:\n" + "\n".join(failures)


async def _wait_for_reply(page, count: int) -> None:
    await page.wait_for_function(
        "n => document.querySelectorAll('.rw-response .rw-message-text').length >= n", arg=count, timeout=30_000
    )


@pytest.mark.e2e
@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_web_chat_and_din_side_meet_wcag_21_aa(stack, language):
    """The widget against the real Rasa (the shared stack): open and empty, with a check-in under way
    (the bot's question and the citizen's answers), on a wide screen and on a phone; "Din side" with a
    meeting, a goal and a check-in; and the two refusals (Danish whatever the language: no citizen)."""
    start, rest = CHECKIN_WORDS[language]
    citizen = stack.new_citizen(**({} if language == "da" else {"language": language}))
    token = citizen["token"]
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/goals", token, json={"text": "Komme ud at gå"})
    assert resp.status_code == 201, resp.text
    assert stack.api("POST", f"/api/goals/{resp.json()['id']}/steps", token,
                     json={"text": "Gå en tur med naboen", "owner": "Du"}).status_code == 201
    starts = (stack.now() + timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
    assert stack.api("POST", f"/api/citizens/{citizen['id']}/appointments", token,
                     json={"kind": "opfoelgning", "starts_at": starts.isoformat(),
                           "location": "Sundhedscentret"}).status_code == 201
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/chat-link", token)
    assert resp.status_code == 201, resp.text

    failures = []
    async with chromium_page(viewport={"width": 1280, "height": 900}) as page:
        await page.goto(resp.json()["url"])
        await page.locator(".rw-new-message").wait_for()
        await page.locator("#din-side").wait_for()
        assert await page.evaluate("document.documentElement.lang") == language
        failures += await axe_violations(page, "webchat, åben")

        for count, text in enumerate(start, start=1):
            await page.locator(".rw-new-message").fill(text)
            await page.locator(".rw-new-message").press("Enter")
            await _wait_for_reply(page, count)
        failures += await axe_violations(page, "webchat, midt i et tjek-ind")
        # The widget's quick replies are <div>s: webchat.js makes them buttons a keyboard can use.
        # One shaped like the widget's, so the test does not wait for a question that offers some.
        await page.evaluate("""() => {
            const reply = document.createElement('div');
            reply.className = 'rw-reply';
            reply.textContent = 'GUL';
            reply.addEventListener('click', () => { window.replied = true; });
            document.getElementById('rw-messages').appendChild(reply);
        }""")
        reply = page.locator("#rw-messages div.rw-reply")
        await page.wait_for_function("() => document.querySelector('#rw-messages div.rw-reply[role=button]')")
        await reply.focus()
        await page.keyboard.press("Enter")
        assert await page.evaluate("window.replied === true")
        await reply.evaluate("e => e.remove()")
        await page.set_viewport_size({"width": 390, "height": 844})
        failures += await axe_violations(page, "webchat, telefon")

        for text in rest:  # finish the check-in, so "Din side" has one to show
            count += 1
            await page.locator(".rw-new-message").fill(text)
            await page.locator(".rw-new-message").press("Enter")
            await _wait_for_reply(page, count)
        await page.set_viewport_size({"width": 1440, "height": 900})
        await page.reload()  # /chat/open(?lang=en), the token from the tab's sessionStorage
        # The chart has Danish labels: a Danish page only (the list says the same).
        await page.locator("#own-chart" if language == "da" else "#own-checkins li").first.wait_for()
        assert await page.evaluate("document.documentElement.lang") == language
        failures += await axe_violations(page, "din side med tjek-ind")

        for url, where in [(f"{stack.service_url}/chat", "link mangler (401)"),
                           (f"{stack.service_url}/chat?token=a.b.c", "forfalsket link (403)")]:
            await page.goto(url)
            failures += await axe_violations(page, where)
    assert not failures, "WCAG 2.1 AA violations:\n" + "\n".join(failures)

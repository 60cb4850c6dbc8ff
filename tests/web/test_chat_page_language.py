"""The web chat page in the citizen's language (issue 15 §2): GET /chat?token=... renders `lang`,
`dir` and the words of the citizen's catalogue when it has the page (bot/core/page_texts.py), else
Danish; /chat/open takes the language from `?lang=` and only a language with the page; "Din side"
(GET /chat/me, the step tick) answers in the same language. A right-to-left language's page gets
dir="rtl" (a catalogue of the test's own: Arabic has no page and stays a Danish, left-to-right page)."""
import json
import re
from datetime import date, timedelta

import pytest
import yaml

from bot.citizens.chat_links import new_link_id
from bot.core import i18n
from bot.core.page_texts import DANISH, SCRIPT_NAMES
from bot.db import agreements as agreement_db
from bot.db.appointments import create_appointment
from bot.db.checkins import add_checkin
from bot.goals import plan
from tests.conftest import T0
from tests.dashboard import make_citizen, make_coordinator
from tests.service import service_app
from tests.web.own_world import SECRET, link_token

ENGLISH = i18n.default_catalogue().language("en").page
HTML_TAG = re.compile(r"<html[^>]*>")
# The words of GET /chat/me's data (bot/citizens/own_page.py), not of the page.
DATA_WORDS = ("colour_", "kind_", "reply_", "done_", "not_asked", "you", "questions_answered", "date_")
SCRIPT_TEXTS = re.compile(r'<script type="application/json" id="chat-texts">(.*?)</script>', re.S)


def _seed(session):
    mette = make_coordinator(session, "Mette", "mette@kommune.dk", token="mette-token")
    people = {}
    for name, phone, language in [("bente", "+4512345678", "da"), ("emma", "+4512345680", "en"),
                                  ("amal", "+4512345681", "ar"), ("hana", "+4512345682", "he")]:
        citizen = make_citizen(session, mette, name.title(), phone, language=language)
        citizen.chat_link_id = new_link_id()
        people[name] = citizen
    emma = people["emma"]
    add_checkin(session, emma.id, created_at=T0 - timedelta(days=1), overall="yellow", focus_areas=["krop"])
    create_appointment(session, emma.id, kind="netvaerksmoede", starts_at=T0 + timedelta(days=2),
                       location="Jobcentret", citizen_reply="confirmed")
    past = create_appointment(session, emma.id, kind="opfoelgning", starts_at=T0 - timedelta(days=3))
    agreement_db.replace_agreements(session, past.id, emma.id, [
        {"what": "Apply for housing benefit", "who": "Emma", "owner_is_citizen": True, "due_date": date(2026, 12, 1)},
    ], None, T0 - timedelta(days=3))
    agreement_db.set_approval(session, past.id, True, None, T0 - timedelta(days=3))
    goal = plan.add_goal(session, emma.id, mette.id, "I want a job", now=T0)
    step = plan.add_step(session, goal.id, mette.id, "Write an application", "Du", date(2026, 12, 1), now=T0)
    return {name: citizen.chat_link_id for name, citizen in people.items()}, step.id


@pytest.fixture
async def client(aiohttp_client, db, clock):
    client = await aiohttp_client(service_app(db, clock, WEBCHAT_JWT_SECRET=SECRET,
                                              RASA_SOCKET_URL="https://chat.kommune.dk"))
    client.links, client.step_id = db.call(_seed)
    return client


def token(client, who: str) -> str:
    return link_token(client.links[who])


def html_tag(html: str) -> str:
    return HTML_TAG.search(html).group(0)


def script_texts(html: str) -> dict:
    return json.loads(SCRIPT_TEXTS.search(html).group(1))


async def page(client, path: str) -> str:
    resp = await client.get(path)
    assert resp.status == 200, path
    assert "script-src 'self';" in resp.headers["Content-Security-Policy"]
    return await resp.text()


def assert_english(html: str) -> None:
    assert html_tag(html) == '<html lang="en" dir="ltr">'
    for name in ("title", "intro", "own_heading", "meetings_heading", "goals_heading", "agreements_heading",
                 "checkins_heading", "own_failed", "link_closed", "link_expired", "noscript"):
        assert ENGLISH[name] in html, name
    assert f'alt="{ENGLISH["chart_alt"]}"' in html
    for danish in ("Skriv med os", "Din side", "Dine mål", "Jeres aftaler", "Sådan har du haft det", "Linket"):
        assert danish not in html, danish
    assert script_texts(html) == {name: ENGLISH[name] for name in SCRIPT_NAMES}


def assert_danish(html: str) -> None:
    assert html_tag(html) == '<html lang="da" dir="ltr">'
    assert "<title>Skriv med os</title>" in html and ">Din side</h2>" in html and ">Dine mål</h3>" in html
    for name, text in DANISH.items():  # the page's own words (the rest: the scripts' and "Din side"'s data)
        if name not in SCRIPT_NAMES and not name.startswith(DATA_WORDS):
            assert text in html, name
    assert script_texts(html) == {name: DANISH[name] for name in SCRIPT_NAMES}
    assert "Write to us" not in html


async def test_an_english_citizens_page_is_english_and_so_is_its_reload(client):
    assert_english(await page(client, f"/chat?token={token(client, 'emma')}"))
    assert_english(await page(client, "/chat/open?lang=en"))


async def test_a_danish_citizens_page_is_danish_as_before(client):
    html = await page(client, f"/chat?token={token(client, 'bente')}")
    assert_danish(html)
    assert f'data-token="{token(client, "bente")}"' in html and "<script>" not in html
    assert_danish(await page(client, "/chat/open"))


@pytest.mark.parametrize("lang", ["", "da", "xx", "EN", "en-GB", "ar", "../en", "<script>", "e" * 5000, "en\x00",
                                  "%ZZ"])
async def test_an_unknown_or_garbage_language_gives_the_danish_page_never_a_500(client, lang):
    html = await page(client, f"/chat/open?lang={lang}")
    assert_danish(html)
    assert "<script>" not in html.replace('<script type="application/json"', "")


async def test_an_arabic_citizen_gets_the_danish_page_left_to_right(client):
    """ar.yml has no page: Danish words, so not right-to-left (the chat's bubbles take their own)."""
    assert_danish(await page(client, f"/chat?token={token(client, 'amal')}"))


async def test_a_right_to_left_language_with_the_page_gets_dir_rtl(client, tmp_path, monkeypatch):
    (tmp_path / "he.yml").write_text(yaml.safe_dump({
        "language": {"name": "עברית", "direction": "rtl"},
        "page": {name: f"עברית {text}" for name, text in ENGLISH.items()},
    }, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(i18n, "default_catalogue", lambda: i18n.Catalogue(tmp_path))
    for path in (f"/chat?token={token(client, 'hana')}", "/chat/open?lang=he"):
        html = await page(client, path)
        assert html_tag(html) == '<html lang="he" dir="rtl">' and "<h1>עברית Write to us</h1>" in html, path
    me = await (await client.get("/chat/me", headers={"Authorization": f"Bearer {token(client, 'hana')}"})).json()
    assert me["language"] == "he"


async def test_din_side_answers_in_the_citizens_language(client):
    resp = await client.get("/chat/me", headers={"Authorization": f"Bearer {token(client, 'emma')}"})
    body = await resp.json()
    assert resp.status == 200 and body["language"] == "en"
    [checkin] = body["checkins"]
    assert (checkin["day"], checkin["colour_words"], checkin["mattered_most"]) == (
        "Sunday 22 Nov", "yellow", ["Body and health"])  # programmes.yml label_en
    [meeting] = body["meetings"]
    assert (meeting["kind_words"], meeting["when"], meeting["your_answer"]) == (
        "Network meeting", "Wednesday 25 November at 11:00", "You have said that you will come.")
    [agreement] = body["agreements"]
    assert (agreement["who"], agreement["due_words"], agreement["done_words"]) == (
        "You", "Tuesday 1 Dec", "Not checked yet.")
    [goal] = body["goals"]
    assert [(s["who"], s["yours"], s["due_words"]) for s in goal["steps"]] == [("You", True, "Tuesday 1 Dec")]
    assert body["link_works_until"].startswith("Monday 7 December at ")
    assert body["chart_svg"] == ""  # its labels are Danish; the list says the same
    danish = json.dumps(body, ensure_ascii=False)
    for word in ("Du", "gul", "Netværksmøde", "tirsdag", "december", "Krop og helbred"):
        assert f'"{word}' not in danish and f" {word}" not in danish, word

    # The tick answers with the step as the page shows it: in English too.
    resp = await client.post(f"/chat/me/steps/{client.step_id}/done", json={"done": True},
                             headers={"Authorization": f"Bearer {token(client, 'emma')}"})
    assert resp.status == 200 and (await resp.json())["who"] == "You"

    bente = await (await client.get("/chat/me", headers={"Authorization": f"Bearer {token(client, 'bente')}"})).json()
    assert bente["language"] == "da"
    amal = await (await client.get("/chat/me", headers={"Authorization": f"Bearer {token(client, 'amal')}"})).json()
    assert amal["language"] == "da"  # the page's language, which ownpage.js compares with its own

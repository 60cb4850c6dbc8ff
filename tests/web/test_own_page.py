""""Din side" (issue 14 part 5): GET /chat/me answers the holder of a web-chat link with their own
lyskurve, next meetings and approved agreements, and nothing the coordinator keeps for themselves;
it checks the token like the chat page (docs/privacy.md, "Access that can be taken back")."""
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from bot.citizens.chat_links import mint_token, new_link_id, verify_token
from bot.core.alert_catalogue import Rule
from bot.core.readability import lix
from bot.core.vocabulary import AppointmentStatus
from bot.db import agreements as agreement_db
from bot.db.alerts import add_alert
from bot.db.appointments import create_appointment
from bot.db.checkins import add_checkin
from bot.db.models import AccessLog, OutcomeMeasure, Questionnaire
from bot.db.stratifications import add_stratification
from tests.conftest import T0
from tests.dashboard import ADMIN, make_citizen, make_coordinator
from tests.service import service_app
from tests.web.own_world import MINE, SECRET, link_token, own_world

# What only the coordinator sees: none of it may reach the citizen's page.
HIDDEN = ["Samlet rød to gange - ring til borgeren", "Kompleks funktionsnedsættelse, bor alene", "Jeg er så træt",
          "Internt: husk sagsakter", "Aftale der blev afvist", "Forslag ikke godkendt endnu", "Tidligere møde",
          "Aflyst møde"]
FORBIDDEN_KEYS = ["stratif", "alert", "note", "reason", "rationale", "level", "severity", "score", "items",
                  "coordinator", "phone", "wants_contact", "title"]


def _seed(session):
    world = own_world(session)
    mette, bente, otto = world["mette"], world["bente"], world["otto"]

    # Bente: two check-ins (short, then full), a red one's alert, a stratification with a rationale.
    add_checkin(session, bente.id, created_at=T0 - timedelta(days=7), overall="green", focus_areas=["krop"])
    yellow = add_checkin(session, bente.id, created_at=T0 - timedelta(days=1), overall="yellow",
                         areas={"krop": "red", "hverdag": "green"}, note="Jeg er så træt", wants_contact=True)
    add_alert(session, bente.id, rule=Rule.OVERALL_RED, severity=Rule.OVERALL_RED.severity,
              reason="Samlet rød to gange - ring til borgeren", created_at=T0, checkin_id=yellow.id)
    add_stratification(session, bente.id, coordinator_id=mette.id, complexity="high", coping="weak", level=4,
                       rationale="Kompleks funktionsnedsættelse, bor alene", created_at=T0)
    # Meetings: the next one is shown; past and cancelled ones are not.
    nxt = create_appointment(session, bente.id, kind="netvaerksmoede", starts_at=T0 + timedelta(days=2),
                             location="Jobcentret, Vejlevej 1", title="Internt: husk sagsakter",
                             citizen_reply="confirmed")
    past = create_appointment(session, bente.id, kind="opfoelgning", starts_at=T0 - timedelta(days=3),
                              title="Tidligere møde", location="Tidligere møde")
    cancelled = create_appointment(session, bente.id, kind="andet", starts_at=T0 + timedelta(days=5),
                                   location="Aflyst møde")
    cancelled.status = AppointmentStatus.CANCELLED
    # Agreements: approved ones are shown (one done), rejected and not yet approved ones are not.
    agreement_db.replace_agreements(session, past.id, bente.id, [
        {"what": "Søge om boligstøtte", "who": "Bente", "owner_is_citizen": True, "due_date": date(2026, 12, 1)},
        {"what": "Ringe til lægen", "who": "Mette", "owner_is_citizen": False, "due_date": date(2026, 11, 30)},
    ], {"text": "Referat"}, T0 - timedelta(days=3))
    agreement_db.set_approval(session, past.id, True, None, T0 - timedelta(days=3))
    [_, doctor] = agreement_db.for_appointment(session, past.id)
    agreement_db.record_follow_up(session, doctor.id, "yes", T0 - timedelta(hours=2))
    agreement_db.replace_agreements(session, cancelled.id, bente.id, [
        {"what": "Aftale der blev afvist", "who": "Mette"}], None, T0)
    agreement_db.set_approval(session, cancelled.id, False, "Forkert", T0)
    agreement_db.replace_agreements(session, nxt.id, bente.id, [
        {"what": "Forslag ikke godkendt endnu", "who": "Mette"}], None, T0)
    # Outcome questions answered: a date, never the score.
    round_ = Questionnaire(citizen_id=bente.id, reason="baseline", round_no=0, instruments=["who5"],
                           status="complete", due_at=T0 - timedelta(days=3), created_at=T0 - timedelta(days=3))
    session.add(round_)
    session.flush()
    session.add(OutcomeMeasure(questionnaire_id=round_.id, citizen_id=bente.id, instrument="who5",
                               items=[1, 1, 1, 1, 1], score=20, answered_at=T0 - timedelta(days=2)))

    # Otto, another coordinator's citizen: his data must never show on Bente's page.
    add_checkin(session, otto.id, created_at=T0 - timedelta(days=2), overall="red", focus_areas=["oekonomi"])
    ottos = create_appointment(session, otto.id, kind="opstartssamtale", starts_at=T0 + timedelta(days=1),
                               location="Rådhuset, lokale 7")
    agreement_db.replace_agreements(session, ottos.id, otto.id, [{"what": "Otto søger job", "who": "Otto",
                                                                  "owner_is_citizen": True}], None, T0)
    agreement_db.set_approval(session, ottos.id, True, None, T0)
    return {"bente": (bente.id, bente.chat_link_id), "otto": (otto.id, otto.chat_link_id)}


@pytest.fixture
async def client(aiohttp_client, db, clock):
    client = await aiohttp_client(service_app(db, clock, WEBCHAT_JWT_SECRET=SECRET,
                                              RASA_SOCKET_URL="https://chat.kommune.dk"))
    client.people = db.call(_seed)
    return client


def token_for(client, who: str, **kwargs) -> str:
    return link_token(client.people[who][1], **kwargs)


async def own_page(client, token: str | None = None, *, header: str | None = None):
    headers = {"Authorization": header if header is not None else f"Bearer {token}"} if token or header else {}
    return await client.get("/chat/me", headers=headers)


async def test_the_citizen_sees_their_own_checkins_meetings_and_agreements(client, db):
    resp = await own_page(client, token_for(client, "bente"))
    assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    body = await resp.json()

    # The lyskurve in plain words, newest first, the colour named; and the coordinator's chart.
    assert [(c["day"], c["colour_words"]) for c in body["checkins"]] == [
        ("søndag 22. nov.", "gul"), ("mandag 16. nov.", "grøn")]
    assert body["checkins"][0]["areas"] == [
        {"area": "Krop og helbred", "colour": "red", "colour_words": "rød"},
        {"area": "Hverdagen", "colour": "green", "colour_words": "grøn"}]
    assert body["checkins"][1]["mattered_most"] == ["Krop og helbred"]
    assert body["chart_svg"].startswith('<svg class="lyskurve"') and "seneste samlet gul" in body["chart_svg"]

    [meeting] = body["meetings"]
    assert meeting == {"starts_at": (T0 + timedelta(days=2)).isoformat(), "when": "onsdag 25. november kl. 11",
                       "place": "Jobcentret, Vejlevej 1", "kind": "netvaerksmoede", "kind_words": "Netværksmøde",
                       "your_answer": "Du har sagt, at du kommer."}

    assert [(a["what"], a["who"], a["due_words"], a["done"], a["done_words"]) for a in body["agreements"]] == [
        ("Søge om boligstøtte", "Du", "tirsdag 1. dec.", None, "Ikke tjekket endnu."),
        ("Ringe til lægen", "Mette", "mandag 30. nov.", True, "Det er gjort."),
    ]
    assert body["questions_answered"] == {"date": "2026-11-21", "words": "Du har svaret på spørgsmålene 21. nov."}
    assert body["link_works_until"] == "mandag 7. december kl. 11"

    # Not the coordinator's: no alert, reason, stratification, note, title or score, by key or by text.
    text = json.dumps(body, ensure_ascii=False)
    for hidden in HIDDEN + ["Otto", "Rådhuset", "Bente", "+4512345678", "Niveau"]:
        assert hidden not in text, hidden
    keys = json.dumps(_keys(body))
    for key in FORBIDDEN_KEYS:
        assert key not in keys, key
    assert '"score"' not in text and "20" not in body["questions_answered"]["words"]  # WHO-5 was 20
    # A citizen reading their own page is not a staff read: nothing in the access log.
    with db.session() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(AccessLog)).scalar() == 0


def _keys(value) -> list[str]:
    if isinstance(value, dict):
        return [k for k, v in value.items() for k in [k, *_keys(v)]]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


async def test_each_token_sees_only_its_own_citizen(client):
    bente = await (await own_page(client, token_for(client, "bente"))).json()
    otto = await (await own_page(client, token_for(client, "otto"))).json()
    assert [m["place"] for m in otto["meetings"]] == ["Rådhuset, lokale 7"]
    assert [a["what"] for a in otto["agreements"]] == ["Otto søger job"]
    assert [c["colour_words"] for c in otto["checkins"]] == ["rød"] and otto["questions_answered"] is None
    otto_text, bente_text = json.dumps(otto, ensure_ascii=False), json.dumps(bente, ensure_ascii=False)
    for bentes in ["Jobcentret", "boligstøtte", "lægen", "22. nov", "22/11", "16/11"]:
        assert bentes not in otto_text
    for ottos in ["Rådhuset", "Otto søger job", "lørdag 21. nov.", "21/11", "Første samtale"]:
        assert ottos not in bente_text


async def test_an_empty_page_is_empty_not_broken(client, db):
    def make(session):
        citizen = make_citizen(session, make_coordinator(session, "Lis", "lis@kommune.dk"), "Ny", "+4512345600")
        citizen.chat_link_id = new_link_id()
        return citizen.chat_link_id

    resp = await own_page(client, mint_token(SECRET, db.call(make), T0, timedelta(days=1)))
    assert resp.status == 200
    body = await resp.json()
    assert body["checkins"] == body["meetings"] == body["agreements"] == [] and body["chart_svg"] == ""
    assert body["questions_answered"] is None


@pytest.mark.parametrize("case, status", [
    ("missing", 401),
    ("empty bearer", 401),
    ("not bearer", 401),
    ("expired", 401),
    ("forged", 403),
    ("unknown link id", 403),
    ("revoked", 403),
    ("coordinator API token", 403),
    ("admin token", 403),
    ("garbage", 403),
    ("huge", 403),
    ("non-ascii", 403),
    ("token in the query", 401),
])
async def test_bad_or_missing_tokens_are_refused_never_a_500(client, case, status):
    bente_id, link_id = client.people["bente"]
    valid = token_for(client, "bente")
    header, payload, signature = valid.split(".")
    headers = {
        "missing": None,
        "empty bearer": "Bearer ",
        "not bearer": f"Basic {valid}",
        "expired": f"Bearer {token_for(client, 'bente', days=1, minted=-timedelta(days=2))}",
        "forged": f"Bearer {token_for(client, 'bente', secret='not-the-secret-0123456789abcdefghij')}",
        "unknown link id": f"Bearer {mint_token(SECRET, new_link_id(), T0, timedelta(days=1))}",
        "revoked": f"Bearer {valid}",
        "coordinator API token": MINE["Authorization"],
        "admin token": ADMIN["Authorization"],
        "garbage": f"Bearer {header}.{payload}.{signature[::-1]}",
        "huge": "Bearer " + "a" * 5000,
        "non-ascii": "Bearer æøå.ÆØÅ.\u00ff",
        "token in the query": None,
    }
    if case == "revoked":  # the coordinator closes the links
        assert (await client.post(f"/api/citizens/{bente_id}/chat-link/revoke", headers=MINE)).status == 200
    path = f"/chat/me?token={valid}" if case == "token in the query" else "/chat/me"
    resp = await client.get(path, headers={"Authorization": headers[case]} if headers[case] is not None else {})
    assert resp.status == status, await resp.text()
    body = await resp.json()
    assert set(body) == {"error"} and resp.headers["Cache-Control"] == "no-store"
    assert verify_token(SECRET, valid, T0)[0] == link_id  # (the token itself was fine)


async def test_headers_the_server_will_not_read_are_4xx(client):
    for headers in ({"Authorization": "Bearer " + "a" * 100_000}, {"Authorization": "Bearer a b c"},
                    {"Authorization": "bearer"}, {"Authorization": "Bearer\t"}):
        resp = await client.get("/chat/me", headers=headers)
        assert 400 <= resp.status < 500, headers


async def test_the_page_has_room_for_din_side_and_the_csp_is_unchanged(client):
    resp = await client.get(f"/chat?token={token_for(client, 'bente')}")
    html = await resp.text()
    assert 'id="din-side"' in html and ">Din side</h2>" in html and '<script src="/static/ownpage.js">' in html
    assert "<script>" not in html  # no inline script: CSP script-src 'self'
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "img-src 'self' data:;" in csp and "unsafe-eval" not in csp
    script = await client.get("/static/ownpage.js")
    source = await script.text()
    assert script.status == 200 and "innerHTML" not in source and "/chat/me" in source


def test_the_fixed_words_are_plain_danish():
    from bot.core.page_texts import DANISH

    # Every word of the page, "Din side" and its data (not the Babel date patterns).
    words = [text for name, text in DANISH.items() if not name.startswith("date_")]
    assert lix(" ".join(words)) <= 25


async def test_the_citizen_sees_their_active_goals_and_steps(client, db):
    """Mine mål (issue 14 §1): the active goals in the citizen's words and their steps; not a dropped
    goal, not another citizen's; and the chat token opens none of the coordinator's goal routes (the
    citizen's own tick has its own door: tests/web/test_own_goal_steps.py)."""
    from bot.goals import plan

    bente_id, otto_id = client.people["bente"][0], client.people["otto"][0]

    def seed(session):
        goal = plan.add_goal(session, bente_id, None, "Jeg vil have et fritidsjob", now=T0)
        open_ = plan.add_step(session, goal.id, None, "Skrive en ansøgning", "Du", date(2026, 12, 1), now=T0)
        done = plan.add_step(session, goal.id, None, "Finde tre steder", "Mette", None, now=T0)
        plan.tick_step(session, done.id, done=True, now=T0, scope=None)
        dropped = plan.add_goal(session, bente_id, None, "Et droppet mål", now=T0)
        plan.change_goal(session, dropped.id, None, {"status": "dropped"}, now=T0)
        plan.add_goal(session, otto_id, None, "Otto vil flytte", now=T0)
        return open_.id, done.id

    open_id, done_id = db.call(seed)
    body = await (await own_page(client, token_for(client, "bente"))).json()
    # `id`: what the page ticks with (tests/web/test_own_goal_steps.py); the coordinator ticked the second.
    assert body["goals"] == [{"text": "Jeg vil have et fritidsjob", "steps": [
        {"id": open_id, "text": "Skrive en ansøgning", "who": "Du", "yours": True, "due": "2026-12-01",
         "due_words": "tirsdag 1. dec.", "done": False, "ticked_by_you": False},
        {"id": done_id, "text": "Finde tre steder", "who": "Mette", "yours": False, "due": None, "due_words": None,
         "done": True, "ticked_by_you": False},
    ]}]
    text = json.dumps(body, ensure_ascii=False)
    assert "Otto vil flytte" not in text and "droppet" not in text
    otto = await (await own_page(client, token_for(client, "otto"))).json()
    assert [g["text"] for g in otto["goals"]] == ["Otto vil flytte"] and "fritidsjob" not in json.dumps(otto)
    # The citizen's link reaches no coordinator route that changes a goal or a step.
    token = {"Authorization": f"Bearer {token_for(client, 'bente')}"}
    for path in ("/api/goals/1/steps", "/api/steps/1/done", f"/api/citizens/{bente_id}/goals"):
        assert (await client.post(path, json={"text": "x", "done": True}, headers=token)).status in (401, 403)
    # The page renders them under "Dine mål", as text only.
    html = await (await client.get(f"/chat?token={token_for(client, 'bente')}")).text()
    assert ">Dine mål</h3>" in html and 'id="own-goals"' in html
    source = await (await client.get("/static/ownpage.js")).text()
    assert "own-goals" in source and "innerHTML" not in source

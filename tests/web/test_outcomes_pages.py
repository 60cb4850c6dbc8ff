"""Outcome measures in the dashboard (issue 14, section 2): the scores beside the lyskurve, the latest
experience answers and the rounds on the citizen's page, "Send WHO-5 nu", and the response rate per
round for the coordinator's own caseload on the overview."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.core.config import ProactiveSettings
from bot.db.jobs import list_jobs
from bot.db.models import AccessLog, Questionnaire
from bot.outcomes import record
from bot.outcomes.report import response_rates, round_label, round_status_label, who5_band
from tests.conftest import T0
from tests.dashboard import dashboard_app, logged_in, make_citizen, make_coordinator

SETTINGS = ProactiveSettings()
FULL = ["who5", "inspire_o", "experience"]


def _round(session, citizen, round_no, at, *, answers=None, asked=True, instruments=FULL):
    """A round planned at `at`; asked then (unless not), with `answers` {instrument: [values]} given."""
    reason = "requested" if round_no is None else "baseline" if round_no == 0 else "follow_up"
    questionnaire = record.plan_round(session, citizen, reason=reason, round_no=round_no, instruments=instruments,
                                      due_at=at, now=at, settings=SETTINGS)
    if asked:
        record.begin(session, citizen, questionnaire.id, now=at, settings=SETTINGS)
    for code, values in (answers or {}).items():
        for item, value in enumerate(values):
            record.answer(session, citizen, questionnaire.id, code, item, value, now=at)
    return questionnaire


ALL_ANSWERS = {"who5": [4, 4, 3, 3, 4], "inspire_o": [3, 3, 3, 3, 3], "experience": [5, 4, 2]}


def seed(session):
    """Mette's caseload, with rounds whose outcome is known:
    - Anna: baseline answered (WHO-5 72), 3 months partial (stopped after one answer), and a WHO-5
      asked for and answered (WHO-5 40);
    - Bo: baseline declined, 3 months being answered;
    - Carl: baseline answered, 3 months planned and not sent yet;
    - Dorte (STOP): baseline closed without ever being sent.
    Ole's Otto answered a baseline: not Mette's, never counted."""
    mette = make_coordinator(session, "Mette", "mette@kommune.dk")
    ole = make_coordinator(session, "Ole", "ole@kommune.dk")
    anna = make_citizen(session, mette, "Anna Andersen", "+4520000001")
    bo = make_citizen(session, mette, "Bo Berg", "+4520000002")
    carl = make_citizen(session, mette, "Carl Clausen", "+4520000003")
    dorte = make_citizen(session, mette, "Dorte Dam", "+4520000004")
    otto = make_citizen(session, ole, "Otto Oles", "+4520000009")
    start, three = T0 - timedelta(days=120), T0 - timedelta(days=29)

    _round(session, anna, 0, start, answers=ALL_ANSWERS)
    _round(session, anna, 1, three, answers={"who5": [4]})
    record.close_stale(session, three + timedelta(days=15), SETTINGS, citizen_ids=[anna.id])
    _round(session, anna, None, T0 - timedelta(days=2), answers={"who5": [2, 2, 2, 2, 2]}, instruments=["who5"])

    declined = _round(session, bo, 0, start)
    record.decline(session, bo, declined.id, now=start)
    _round(session, bo, 1, T0 - timedelta(hours=3), answers={"who5": [3, 3]})

    _round(session, carl, 0, start, answers=ALL_ANSWERS)
    _round(session, carl, 1, T0 + timedelta(days=1), asked=False)

    dorte.status = "opted_out"
    _round(session, dorte, 0, start, asked=False)
    record.close_stale(session, start + timedelta(days=15), SETTINGS, citizen_ids=[dorte.id])

    _round(session, otto, 0, start, answers=ALL_ANSWERS)
    return {"mette": mette.id, "ole": ole.id, "anna": anna.id, "bo": bo.id, "carl": carl.id, "dorte": dorte.id,
            "otto": otto.id}


@pytest.fixture
def ids(db):
    return db.call(seed)


@pytest.fixture
async def client(aiohttp_client, db, clock, ids):
    # No scheduler in the background: it would plan and send rounds of its own.
    return await aiohttp_client(dashboard_app(db, clock, SCHEDULER_INTERVAL_SECONDS="0", SMS_DISPATCH_INTERVAL="0"))


@pytest.fixture
async def mette(client):
    return await logged_in(client, "mette@kommune.dk")


def rate_rows(html: str) -> dict[str, list[str]]:
    table = html[html.index('<table class="response-rates">'):]
    table = table[:table.index("</table>")]
    rows = {}
    for row in re.findall(r'<tr data-round="([^"]+)">(.*?)</tr>', table, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]
        rows[row[0]] = cells
    return rows


async def test_the_overview_shows_the_response_rate_per_round_of_my_caseload(client, mette, ids):
    html = await (await client.get("/")).text()
    rows = rate_rows(html)
    # Runde, Sendt, Besvaret, Delvist, Sagt nej tak, I gang, Svarprocent, Ikke sendt endnu
    assert rows == {
        "0": ["Opstart", "3", "2", "0", "1", "0", "67 % (2 af 3)", "0"],
        "1": ["3 mdr.", "2", "0", "1", "0", "1", "0 % (0 af 2)", "1"],
        "requested": ["Efter ønske", "1", "1", "0", "0", "0", "100 % (1 af 1)", "0"],
    }
    assert "Otto" not in html


async def test_a_caseload_without_rounds_shows_no_table(client, db, ids):
    db.call(lambda s: make_coordinator(s, "Nina", "nina@kommune.dk"))
    await logged_in(client, "nina@kommune.dk")
    html = await (await client.get("/")).text()
    assert "response-rates" not in html


def test_response_rates_count_only_what_was_asked():
    def q(round_no, status, asked=True):
        return Questionnaire(round_no=round_no, status=status, asked_at=T0 if asked else None)

    rounds = [q(0, "complete"), q(0, "complete"), q(0, "partial"), q(0, "partial", asked=False), q(2, "declined"),
              q(2, "open"), q(2, "planned", asked=False), q(None, "complete"), q(1, "complete", asked=False)]
    rows = response_rates(rounds)
    assert [(r.label, r.asked, r.answered, r.partial, r.declined, r.open, r.waiting, r.percent) for r in rows] == [
        ("Opstart", 3, 2, 1, 0, 0, 0, 67),
        ("3 mdr.", 1, 1, 0, 0, 0, 0, 100),  # complete counts as asked even without asked_at
        ("6 mdr.", 2, 0, 0, 1, 1, 1, 0),
        ("Efter ønske", 1, 1, 0, 0, 0, 0, 100),
    ]
    assert response_rates([]) == []
    assert response_rates([q(0, "planned", asked=False)])[0].percent is None
    assert [round_label(n) for n in (0, 1, 2, 4, None)] == ["Opstart", "3 mdr.", "6 mdr.", "12 mdr.", "Efter ønske"]
    assert round_label(3, interval_days=7) == "Runde 3"
    assert round_status_label(q(0, "partial", asked=False)) == "ikke sendt"
    assert round_status_label(q(0, "partial")) == "delvist besvaret"


@pytest.mark.parametrize("score, band", [(0, "0-35"), (32, "0-35"), (35, "0-35"), (36, "36-50"), (48, "36-50"),
                                         (50, "36-50"), (52, "over 50"), (100, "over 50"), (None, None)])
def test_who5_bands(score, band):
    found = who5_band(score)
    assert (found.range_text if found else None) == band


async def test_the_citizen_page_shows_scores_bands_experience_and_rounds(client, mette, ids, db):
    resp = await client.get(f"/citizens/{ids['anna']}")
    html = await resp.text()
    assert resp.status == 200
    section = html[html.index('id="h-outcomes"'):html.index('id="h-appointments"')]
    assert '<svg class="outcomes-chart"' in section
    assert section.count("score score-who5") == 2 and section.count("score score-inspire_o") == 1
    # Newest first: the WHO-5 asked for (40, a fall of 32), then the baseline's WHO-5 (72) and INSPIRE-O (50).
    scores = [[code] + [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
              for code, row in re.findall(r'<tr data-instrument="(\w+)">(.*?)</tr>', section, flags=re.S)]
    assert [row[:1] + row[2:] for row in scores] == [
        ["who5", "WHO-5 trivsel", "40", "-32", "36-50: risiko"],
        ["who5", "WHO-5 trivsel", "72", "-", "over 50: umiddelbart ikke risiko"],
        ["inspire_o", "INSPIRE-O recovery", "50", "-", ""],
    ]
    assert "ikke en diagnose" in section
    assert "Jeg oplever, at der bliver lyttet til mig på møderne med kommunen" in section
    assert "5 - Helt enig" in section and "4 - Delvist enig" in section and "2 - Delvist uenig" in section
    statuses = re.findall(r'data-status="(\w+)"><td>([^<]+)</td>', section)
    assert statuses == [("complete", "Efter ønske"), ("partial", "3 mdr."), ("complete", "Opstart")]
    assert "Delvist besvaret" in section and "Send WHO-5 nu" in section
    with db.session() as s:
        [entry] = s.execute(sa.select(AccessLog).where(AccessLog.citizen_id == ids["anna"])).scalars()
        assert (entry.coordinator_id, entry.action, entry.status) == (ids["mette"], "view_citizen", 200)


async def test_a_citizen_without_answers_and_one_who_sent_stop(client, mette, ids, db):
    html = await (await client.get(f"/citizens/{ids['bo']}")).text()
    assert "Ingen besvarede spørgeskemaer endnu" in html and "outcomes-chart" not in html
    assert "Sagt nej tak" in html and "I gang" in html
    assert "Borgeren er i gang med en runde" in html
    html = await (await client.get(f"/citizens/{ids['dorte']}")).text()
    assert "Ikke sendt" in html and "Send WHO-5 nu" not in html and "skrevet STOP og får ingen spørgeskemaer" in html
    html = await (await client.get(f"/citizens/{ids['carl']}")).text()
    assert "Trykker du, bliver den sendt nu" in html


async def test_send_who5_now_plans_a_round_once_and_is_audited(client, mette, ids, db):
    path = f"/citizens/{ids['carl']}/questionnaires"
    planned = db.call(lambda s: s.execute(sa.select(Questionnaire.id).where(
        Questionnaire.citizen_id == ids["carl"], Questionnaire.status == "planned")).scalar_one())
    resp = await client.post(path, data={"csrf_token": mette, "instrument": "who5"}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"/citizens/{ids['carl']}#h-outcomes"
    # Carl's planned 3-month round includes WHO-5: it is moved to now, not asked twice.
    with db.session() as s:
        rows = list(s.execute(sa.select(Questionnaire).where(Questionnaire.citizen_id == ids["carl"],
                                                             Questionnaire.status == "planned")).scalars())
        assert [(q.id, q.due_at) for q in rows] == [(planned, T0)]
    prompts = db.call(lambda s: [j for j in list_jobs(s, citizen_id=ids["carl"], purpose="questionnaire_prompt")
                                 if j.status == "pending"])
    assert [(j.target, j.due_at) for j in prompts] == [(f"questionnaire:{planned}", T0)]

    # Anna has no round planned: a new one, asked for by Mette, with its prompt.
    resp = await client.post(f"/citizens/{ids['anna']}/questionnaires", data={"csrf_token": mette, "instrument": "who5"},
                             allow_redirects=False)
    assert resp.status == 303
    with db.session() as s:
        new = s.execute(sa.select(Questionnaire).where(Questionnaire.citizen_id == ids["anna"],
                                                       Questionnaire.status == "planned")).scalar_one()
        assert (new.reason, new.instruments, new.requested_by, new.due_at) == ("requested", ["who5"], ids["mette"], T0)
        log = list(s.execute(sa.select(AccessLog.citizen_id, AccessLog.status).where(
            AccessLog.action == "request_questionnaire").order_by(AccessLog.id)).all())
        assert log == [(ids["carl"], 303), (ids["anna"], 303)]
    assert db.call(lambda s: list_jobs(s, target=f"questionnaire:{new.id}", purpose="questionnaire_prompt"))
    html = await (await client.get(f"/citizens/{ids['anna']}")).text()
    assert "Trykker du, bliver den sendt nu" in html


async def test_send_who5_now_needs_the_csrf_token(client, mette, ids, db):
    before = db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(Questionnaire)).scalar_one())
    for data in ({"instrument": "who5"}, {"instrument": "who5", "csrf_token": "forged"}):
        resp = await client.post(f"/citizens/{ids['anna']}/questionnaires", data=data, allow_redirects=False)
        assert resp.status == 403
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(Questionnaire)).scalar_one()) == before


async def test_send_who5_now_refuses_garbage_and_other_coordinators_citizens(client, mette, ids, db):
    before = db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(Questionnaire)).scalar_one())
    for instrument in ("drop table", "7", "", "WHO5", "x" * 5000):
        resp = await client.post(f"/citizens/{ids['anna']}/questionnaires",
                                 data={"csrf_token": mette, "instrument": instrument})
        assert resp.status == 422, instrument
        assert "Vælg et af spørgeskemaerne" in await resp.text()
    resp = await client.post(f"/citizens/{ids['anna']}/questionnaires", data={"csrf_token": mette})
    assert resp.status == 422
    for citizen in (ids["otto"], 999999, "abc", "99999999999999999999"):
        resp = await client.post(f"/citizens/{citizen}/questionnaires", data={"csrf_token": mette, "instrument": "who5"},
                                 allow_redirects=False)
        assert resp.status == 404, citizen
        assert "Otto" not in await resp.text()
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(Questionnaire)).scalar_one()) == before
    with db.session() as s:
        assert s.execute(sa.select(AccessLog).where(AccessLog.citizen_id == ids["otto"])).first() is None
        refused = list(s.execute(sa.select(AccessLog.status).where(
            AccessLog.action == "request_questionnaire", AccessLog.citizen_id == ids["anna"])).scalars())
        assert refused == [422] * 6


async def test_logged_out_the_page_post_goes_to_the_login(client, ids, db):
    resp = await client.post(f"/citizens/{ids['anna']}/questionnaires", data={"instrument": "who5"},
                             allow_redirects=False)
    assert resp.status in (303, 401, 403)
    assert db.call(lambda s: s.execute(sa.select(Questionnaire).where(
        Questionnaire.citizen_id == ids["anna"], Questionnaire.status == "planned")).first()) is None

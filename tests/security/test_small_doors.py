"""Small doors (issue 12, point 5), tried over real HTTP: a login link cannot send a coordinator to
another site, odd ids and tokens get 4xx, never 500 (aiohttp test server); and against the real
processes of the shared stack: deeply nested JSON is a 400, not a 500, Rasa refuses bodies over
64 KiB (413, was 100 MB), and the dashboard cannot mark a future meeting missed, which sent the
missed-meeting SMS before the meeting."""
import base64
import uuid
from datetime import timedelta

import pytest
import requests

from bot.core.config import RASA_MAX_BODY_BYTES
from bot.service.validation import MAX_JSON_DEPTH
from bot.service.web.sessions import safe_next
from tests.dashboard import ADMIN, PASSWORD, csrf_token, dashboard_app, make_coordinator


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "//evil.example", "/\\evil.example", "/\\/evil.example", "https://evil.example",
    "/%09/evil.example/x\n", " /alerts", "/alerts\r\nSet-Cookie: x=1", "", None,
])
def test_a_login_link_never_leaves_the_site(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/alerts", "/citizens/3#h-appointments", "/citizens/3?tab=chart"])
def test_local_paths_are_kept(target):
    assert safe_next(target) == target


@pytest.fixture
async def client(aiohttp_client, db, clock):
    db.call(lambda s: make_coordinator(s, "Mette", "mette@kommune.dk"))
    return await aiohttp_client(dashboard_app(db, clock))


async def test_the_login_form_redirects_only_to_local_paths(client):
    page = await client.get("/login")
    token = csrf_token(await page.text())
    resp = await client.post("/login", data={"csrf_token": token, "email": "mette@kommune.dk", "password": PASSWORD,
                                             "next": "/\t/evil.example"}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/"


@pytest.mark.parametrize("header", ["Bearer ", "Bearer   ", "Bearer tøken-æøå", "Bearer \u00b2", "Basic abc"])
async def test_odd_bearer_tokens_are_401(client, header):
    resp = await client.get("/api/citizens", headers={"Authorization": header})
    assert resp.status == 401


@pytest.mark.parametrize("path", ["/api/citizens/\u00b2", "/api/citizens/\u0661\u0662", "/api/appointments/%C2%B2"])
async def test_odd_ids_in_the_api_are_404(client, path):
    resp = await client.get(path, headers=ADMIN)
    assert resp.status == 404


async def test_odd_ids_on_the_dashboard_are_404(client):
    page = await client.get("/login")
    await client.post("/login", data={"csrf_token": csrf_token(await page.text()), "email": "mette@kommune.dk",
                                      "password": PASSWORD})
    for path in ("/citizens/\u00b2", "/citizens/\u0661\u0662", "/appointments/\u00b2/agenda"):
        assert (await client.get(path)).status == 404, path


# --- against the real processes (the shared stack) ------------------------------------------------

# About 200 KB: inside the service's 256 KiB limit, and far past the depth at which json.loads
# raises RecursionError (about a thousand levels), which was a 500.
DEEP = "[" * 100_000 + "]" * 100_000


def nested(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


def deep_signature() -> str:
    """An X-Gwapi-Signature whose JWT header is nested JSON: parsed before any signature check."""
    header = base64.urlsafe_b64encode(b"[" * 5000).rstrip(b"=").decode()
    return f"{header}.e30.c2ln"


@pytest.mark.e2e
@pytest.mark.parametrize("path", ["/api/citizens", "/api/coordinators", "/api/scheduler/tick",
                                  "/api/appointments/1/agreements", "/api/alerts/1/resolve",
                                  "/api/citizens/1/chat-link"])
def test_deeply_nested_json_is_a_400_not_a_500(stack, path):
    for body in (DEEP, nested(MAX_JSON_DEPTH + 1)):
        resp = stack.api("POST", path, data=body)
        assert resp.status_code == 400, (path, resp.status_code, resp.text[:200])
        assert resp.json()["error"] == f"body is nested too deeply (at most {MAX_JSON_DEPTH} levels)"


@pytest.mark.e2e
def test_other_bodies_that_were_500_are_4xx(stack):
    # Just inside the depth limit the body is read, and refused for what it says.
    inside = stack.api("POST", "/api/coordinators", data=nested(MAX_JSON_DEPTH))
    assert inside.status_code == 422 and "'name' is required" in inside.json()["error"]
    # A number of 5000 digits: json.loads raises a plain ValueError (Python's int limit).
    huge = stack.api("POST", "/api/citizens", data='{"name": ' + "9" * 5000 + "}")
    assert huge.status_code == 422 and huge.json()["error"] == "body must be JSON"
    # Agreements as a bare string: was body.get() on a str.
    bare = stack.api("POST", "/api/appointments/1/agreements", json="gå til lægen")
    assert bare.status_code == 422 and "send 1 to 20 agreements" in bare.json()["error"]
    # A delivery report signed with a nested JWT header.
    report = requests.post(f"{stack.service_url}/sms/delivery-report", data="{}", timeout=10,
                           headers={"X-Gwapi-Signature": deep_signature(), "Content-Type": "application/json"})
    assert report.status_code == 401


@pytest.mark.e2e
def test_rasa_refuses_bodies_over_its_limit(stack):
    for size in (RASA_MAX_BODY_BYTES + 1, 10_000_000):  # one byte over, and the attack's size
        too_big = b'{"sender": "+4530000000", "message": "' + b"x" * (size - 40) + b'"}'
        for path, headers in (("/webhooks/rest/webhook", stack.rest_headers()), ("/webhooks/sms/webhook", {})):
            resp = requests.post(f"{stack.rasa_url}{path}", data=too_big, timeout=30,
                                 headers={**headers, "Content-Type": "application/json"})
            assert resp.status_code == 413, (path, size, resp.status_code, resp.text[:200])
    # Under the limit the request reaches the channel, which judges it (unsigned: 401).
    under = requests.post(f"{stack.rasa_url}/webhooks/sms/webhook", data=b"x" * (RASA_MAX_BODY_BYTES - 1024),
                          timeout=30, headers={"Content-Type": "application/json"})
    assert under.status_code == 401


@pytest.mark.e2e
def test_rasa_webhooks_answer_nested_json_with_4xx(stack):
    rest = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", data="[" * 30_000 + "]" * 30_000,
                         headers={**stack.rest_headers(), "Content-Type": "application/json"}, timeout=30)
    assert rest.status_code == 400, rest.text[:200]
    sms = requests.post(f"{stack.rasa_url}/webhooks/sms/webhook", data="{}", timeout=30,
                        headers={"X-Gwapi-Signature": deep_signature(), "Content-Type": "application/json"})
    assert sms.status_code == 401, sms.text[:200]


def _dashboard_login(stack, coordinator_id: int) -> tuple[requests.Session, str]:
    """The coordinator gets an e-mail and a password (admin API) and logs in; returns the browser
    session and the page's CSRF token."""
    email = f"mette-{uuid.uuid4().hex[:8]}@kommune.invalid"
    assert stack.api("PATCH", f"/api/coordinators/{coordinator_id}", json={"email": email}).status_code == 200
    assert stack.api("POST", f"/api/coordinators/{coordinator_id}/password",
                     json={"password": PASSWORD}).status_code == 204
    browser = requests.Session()
    login = browser.get(f"{stack.service_url}/login", timeout=10)
    resp = browser.post(f"{stack.service_url}/login", timeout=30, allow_redirects=False,
                        data={"csrf_token": csrf_token(login.text), "email": email, "password": PASSWORD, "next": "/"})
    assert resp.status_code == 303, resp.text[:300]
    return browser, csrf_token(browser.get(f"{stack.service_url}/", timeout=10).text)


@pytest.mark.e2e
def test_the_dashboard_cannot_mark_a_future_meeting_missed(stack):
    citizen = stack.new_citizen(prefix="+4531")
    starts = stack.now() + timedelta(hours=3)
    appointment = stack.api("POST", f"/api/citizens/{citizen['id']}/appointments", token=citizen["token"],
                            json={"kind": "opfoelgning", "starts_at": starts.isoformat()}).json()
    browser, csrf = _dashboard_login(stack, citizen["coordinator_id"])

    resp = browser.post(f"{stack.service_url}/appointments/{appointment['id']}/attendance", timeout=30,
                        data={"csrf_token": csrf, "status": "missed"}, allow_redirects=False)
    assert resp.status_code == 422
    assert "Mødet er ikke begyndt endnu" in resp.text and "vælg Aflyst" in resp.text
    # Nothing happened: still planned, no follow-up planned, no alert, and a tick sends no
    # missed-meeting SMS.
    shown = stack.api("GET", f"/api/appointments/{appointment['id']}", token=citizen["token"]).json()
    assert shown["status"] == "planned"
    ran = stack.tick(stack.now(), [citizen])
    jobs = stack.api("GET", f"/api/citizens/{citizen['id']}/jobs", token=citizen["token"]).json()
    assert "missed_followup" not in {j["purpose"] for j in jobs + ran["jobs"]}
    alerts = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}", token=citizen["token"]).json()
    assert "missed_appointment" not in {a["rule"] for a in alerts}
    assert not any("savnede" in text for text in stack.phone_inbox(citizen["phone"]))
    # The API refuses the same.
    api = stack.api("POST", f"/api/appointments/{appointment['id']}/attendance", token=citizen["token"],
                    json={"status": "missed"})
    assert api.status_code == 422 and "has not started yet" in api.json()["error"]

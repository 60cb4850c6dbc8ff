"""The coordination service's JSON API: auth, validation and per-coordinator isolation."""
import logging

import aiohttp
import pytest

from bot.checkins.record import record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.core.config import ConfigError, Settings
from bot.service.access_log import PathOnlyAccessLogger
from tests.conftest import T0
from tests.service import service_app

ADMIN = {"Authorization": "Bearer test-admin"}


@pytest.fixture
async def client(aiohttp_client, db, clock):
    return await aiohttp_client(service_app(db, clock, SMS_DISPATCH_INTERVAL="0", SCHEDULER_INTERVAL_SECONDS="0"))


async def make_coordinator(client, name="Mette"):
    resp = await client.post("/api/coordinators", json={"name": name}, headers=ADMIN)
    assert resp.status == 201
    body = await resp.json()
    return body["id"], {"Authorization": f"Bearer {body['token']}"}


async def make_citizen(client, headers, coordinator_id, phone="12345678"):
    resp = await client.post("/api/citizens", json={"name": "Bente", "phone": phone,
                                                    "coordinator_id": coordinator_id}, headers=headers)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def test_healthz_needs_no_token(client):
    resp = await client.get("/healthz")
    assert resp.status == 200 and (await resp.json())["status"] == "ok"


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"])
async def test_api_refuses_missing_or_bad_tokens(client, header):
    headers = {"Authorization": header} if header else {}
    resp = await client.get("/api/alerts", headers=headers)
    assert resp.status == 401
    assert "error" in await resp.json()


async def test_only_admin_creates_coordinators(client):
    _, mette = await make_coordinator(client)
    resp = await client.post("/api/coordinators", json={"name": "X"}, headers=mette)
    assert resp.status == 403


async def test_register_citizen_normalises_phone_and_records_consent(client):
    coordinator_id, mette = await make_coordinator(client)
    citizen = await make_citizen(client, mette, coordinator_id, phone="12 34 56 78")
    assert citizen["phone"] == "+4512345678"
    assert citizen["checkin_interval_days"] == 7 and citizen["status"] == "active"
    assert citizen["opted_out"] is False and citizen["consent_at"]
    resp = await client.get(f"/api/citizens/{citizen['id']}", headers=mette)
    assert (await resp.json())["name"] == "Bente"


@pytest.mark.parametrize(
    "body, message",
    [
        ({"name": "B", "phone": "123", "coordinator_id": 1}, "phone"),
        ({"name": "B", "phone": "+4599", "coordinator_id": 1}, "phone"),
        ({"phone": "12345678", "coordinator_id": 1}, "name"),
        ({"name": "B", "coordinator_id": 1}, "phone"),
        ({"name": "B", "phone": "12345678", "coordinator_id": 999}, "coordinator 999"),
        ({"name": "B", "phone": "12345678", "coordinator_id": "1"}, "coordinator_id"),
        ({"name": "B", "phone": "12345678", "coordinator_id": 1, "checkin_interval_days": 0}, "checkin_interval"),
        ({"name": "B", "phone": "12345678", "coordinator_id": 1, "programme": "x"}, "programme"),
    ],
)
async def test_invalid_citizen_gets_422_with_a_clear_message(client, body, message):
    await make_coordinator(client)
    resp = await client.post("/api/citizens", json=body, headers=ADMIN)
    assert resp.status == 422
    assert message in (await resp.json())["error"]


async def test_non_json_body_gets_422(client):
    resp = await client.post("/api/citizens", data="not json", headers=ADMIN)
    assert resp.status == 422


async def test_duplicate_phone_gets_409(client):
    coordinator_id, mette = await make_coordinator(client)
    await make_citizen(client, mette, coordinator_id)
    resp = await client.post("/api/citizens", json={"name": "X", "phone": "+4512345678",
                                                    "coordinator_id": coordinator_id}, headers=mette)
    assert resp.status == 409


async def test_coordinators_only_see_and_change_their_own(client, db):
    mette_id, mette = await make_coordinator(client, "Mette")
    ole_id, ole = await make_coordinator(client, "Ole")
    citizen = await make_citizen(client, mette, mette_id)
    assert (await client.post("/api/citizens", json={"name": "X", "phone": "22334455",
                                                     "coordinator_id": mette_id}, headers=ole)).status == 403
    from bot.db.citizens import get_citizen

    row = db.call(get_citizen, citizen["id"])
    _, alerts = db.call(lambda s: record_checkin(s, row, CheckinAnswers("red"), note=None, complete=True,
                                                 channel="rest", now=T0))
    alert_id = alerts[0].id
    for path in (f"/api/citizens/{citizen['id']}", f"/api/citizens/{citizen['id']}/checkins"):
        assert (await client.get(path, headers=ole)).status == 404
        assert (await client.get(path, headers=mette)).status == 200
    assert await (await client.get("/api/alerts", headers=ole)).json() == []
    assert await (await client.get("/api/citizens", headers=ole)).json() == []
    assert (await client.post(f"/api/alerts/{alert_id}/acknowledge", headers=ole)).status == 404
    resp = await client.post(f"/api/alerts/{alert_id}/acknowledge", headers=mette)
    body = await resp.json()
    assert resp.status == 200 and body["status"] == "acknowledged" and body["acknowledged_by"] == mette_id


async def test_checkins_and_alerts_json_shape(client, db):
    mette_id, mette = await make_coordinator(client)
    citizen = await make_citizen(client, mette, mette_id)
    from bot.db.citizens import get_citizen

    row = db.call(get_citizen, citizen["id"])
    db.call(lambda s: record_checkin(s, row, CheckinAnswers("red", focus_areas=["krop"], wants_contact=True),
                                     note="ondt", complete=True, channel="rest", now=T0))
    [checkin] = await (await client.get(f"/api/citizens/{citizen['id']}/checkins", headers=mette)).json()
    assert checkin["overall"] == "red" and checkin["focus_areas"] == ["krop"] and checkin["areas"] == {}
    assert checkin["note"] == "ondt" and checkin["wants_contact"] is True and checkin["complete"] is True
    alerts = await (await client.get(f"/api/alerts?status=open&citizen_id={citizen['id']}", headers=mette)).json()
    assert {a["rule"] for a in alerts} == {"overall_red", "contact_request"}
    assert set(alerts[0]) >= {"id", "citizen_id", "rule", "severity", "reason", "status", "created_at"}
    assert (await client.get("/api/alerts?status=bogus", headers=mette)).status == 422
    assert (await client.get("/api/citizens/abc", headers=mette)).status == 404


# Strong production settings (secrets of 32+ characters, PostgreSQL, https: docs/deployment.md,
# "Production checks"; each weak one is tried on the real process in tests/security/).
PRODUCTION = {"APP_ENV": "production", "ADMIN_TOKEN": "a" * 32, "SMS_WEBHOOK_SECRET": "m" * 32,
              "SMS_GATEWAY": "gatewayapi", "SMS_GATEWAY_TOKEN": "gw-token", "RASA_TOKEN": "r" * 32,
              "SESSION_SECRET": "s" * 32, "WEBCHAT_JWT_SECRET": "w" * 32, "ACTION_SERVER_TOKEN": "t" * 32,
              "DATABASE_URL": "postgresql://koordinering@db.kommune.invalid/koordinering",
              "TRACKER_STORE_URL": "postgresql://rasa@db.kommune.invalid/rasa",
              "PUBLIC_URL": "https://koordinering.kommune.invalid", "RASA_SOCKET_URL": "https://chat.kommune.invalid",
              "DUTY_PHONE": "70 10 10 10"}


@pytest.mark.parametrize("dev_default", [{"ADMIN_TOKEN": "dev-admin-token"},
                                         {"RASA_TOKEN": "dev-rasa-token"},
                                         {"SESSION_SECRET": "short"},
                                         {"WEBCHAT_JWT_SECRET": "dev-webchat-jwt-secret-not-for-production"},
                                         {"SMS_WEBHOOK_SECRET": "dev-sms-secret"},
                                         {"SMS_GATEWAY": "fake"},
                                         {"SMS_GATEWAY_TOKEN": ""},
                                         {"DUTY_PHONE": ""}])  # no duty contact: urgent alerts could reach nobody
def test_dev_defaults_are_refused_in_production(dev_default):
    with pytest.raises(ConfigError):
        Settings.from_env({**PRODUCTION, **dev_default})
    assert Settings.from_env(PRODUCTION).production


async def test_access_log_leaves_out_query_strings(aiohttp_server, db, clock, caplog):
    """Citizens' chat links carry a signed token naming their phone: it must not reach the log."""
    server = await aiohttp_server(service_app(db, clock, SMS_DISPATCH_INTERVAL="0", SCHEDULER_INTERVAL_SECONDS="0"),
                                  access_log_class=PathOnlyAccessLogger)
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        async with aiohttp.ClientSession() as http:
            async with http.get(server.make_url("/chat?token=eyJ.secret-token.sig")) as resp:
                assert resp.status == 403
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert lines == [lines[0]] and lines[0].startswith("GET /chat 403")
    assert "secret-token" not in caplog.text

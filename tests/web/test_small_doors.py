"""Small doors of the coordination service, tried over real HTTP (aiohttp test server): a login link
cannot send a coordinator to another site, odd ids and tokens get 4xx, never 500."""
import pytest

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

"""The citizen web chat for real: the rasa-webchat widget in headless Chromium, served by the
coordination service, talking socket.io to the real Rasa server and action server (tests/stack.py).
Also the socket itself: a forged token cannot connect, and a valid one cannot speak for anyone else."""
import json

import pytest
import requests
import socketio

from tests.chromium import chromium_page, requires_chromium, screenshot_path

pytestmark = [pytest.mark.e2e, pytest.mark.browser, requires_chromium]


@pytest.fixture(scope="module")
def people(stack):
    coordinator = stack.api("POST", "/api/coordinators", json={"name": "Mette"}).json()

    def citizen(name, phone):
        resp = stack.api("POST", "/api/citizens", json={"name": name, "phone": phone,
                                                        "coordinator_id": coordinator["id"]})
        assert resp.status_code == 201, resp.text
        return resp.json()

    return coordinator, citizen("Bente", "+4531313131"), citizen("Karen", "+4531313132")


def link_for(stack, citizen) -> str:
    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/chat-link")
    assert resp.status_code == 201, resp.text
    return resp.json()["url"]


async def bot_says(page, count: int, timeout: float = 30_000) -> str:
    """Waits until the bot has sent `count` messages; returns the newest."""
    replies = page.locator(".rw-response .rw-message-text")
    await page.wait_for_function(
        "n => document.querySelectorAll('.rw-response .rw-message-text').length >= n", arg=count, timeout=timeout
    )
    return await replies.nth(count - 1).inner_text()


async def say(page, text: str) -> None:
    box = page.locator(".rw-new-message")
    await box.fill(text)
    await box.press("Enter")


async def test_citizen_completes_a_checkin_in_the_widget(stack, people):
    coordinator, bente, _ = people
    async with chromium_page(viewport={"width": 900, "height": 760}) as page:
        await page.goto(link_for(stack, bente))
        await page.locator(".rw-new-message").wait_for()
        await say(page, "tjek ind")
        question = await bot_says(page, 1)
        assert "GRØN" in question and "GUL" in question and "RØD" in question
        await say(page, "gul")
        focus = await bot_says(page, 2)
        assert "Krop og helbred" in focus
        await say(page, "1")
        more = await bot_says(page, 3)
        assert "NEJ" in more
        await say(page, "Jeg er træt, men det går")
        call = await bot_says(page, 4)
        assert "ringe" in call
        await say(page, "nej")
        done = await bot_says(page, 5)
        assert "Tak" in done
        await page.screenshot(path=screenshot_path("webchat"))

    [checkin] = stack.api("GET", f"/api/citizens/{bente['id']}/checkins", coordinator["token"]).json()
    assert checkin["overall"] == "yellow" and checkin["focus_areas"] == ["krop"]
    assert checkin["note"] == "Jeg er træt, men det går" and checkin["channel"] == "webchat"
    assert checkin["wants_contact"] is False and checkin["complete"] is True


async def test_a_forged_or_expired_link_gets_a_danish_refusal(stack, people):
    _, bente, _ = people
    token = link_for(stack, bente).split("token=")[1]
    header, payload, signature = token.split(".")
    async with chromium_page() as page:
        response = await page.goto(f"{stack.service_url}/chat?token={header}.{payload}.{signature[::-1]}")
        assert response.status == 403
        assert await page.get_by_role("heading", name="Linket virker ikke").is_visible()
        assert await page.locator(".rw-new-message").count() == 0
    assert requests.get(f"{stack.service_url}/chat", timeout=10).status_code == 401


def socketio_connect_answer(stack, token: str, *, in_query: bool = False) -> str:
    """The Socket.IO handshake at the protocol level (Engine.IO 4 polling): open, connect to the
    default namespace with the token in the auth payload ('40{"token": ...}'), read the server's
    answer: '40{...}' accepted, '44{...}' refused. `in_query`: the old way, in the URL, refused now."""
    base = f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling" + (f"&token={token}" if in_query else "")
    sid = json.loads(requests.get(base, timeout=10).text[1:])["sid"]
    connect = "40" if in_query else "40" + json.dumps({"token": token})
    assert requests.post(f"{base}&sid={sid}", data=connect, timeout=10).status_code == 200
    return requests.get(f"{base}&sid={sid}", timeout=10).text


async def test_the_socket_refuses_forged_tokens_and_binds_the_sender_to_the_token(stack, people):
    coordinator, bente, karen = people
    token = link_for(stack, karen).split("token=")[1]
    header, payload, _ = token.split(".")
    for bad in ["", "not.a.token", f"{header}.{payload}.forged"]:
        assert socketio_connect_answer(stack, bad).startswith("44"), bad
    assert socketio_connect_answer(stack, token, in_query=True).startswith("44")
    assert socketio_connect_answer(stack, token).startswith("40")

    # (polling: python-socketio's websocket client needs a newer aiohttp than Rasa allows)
    client = socketio.AsyncClient(reconnection=False)
    replies = []
    client.on("bot_uttered", lambda data: replies.append(data))
    await client.connect(stack.rasa_url, auth={"token": token}, socketio_path="/socket.io", transports=["polling"],
                         wait_timeout=10)
    try:
        # Claims to be Bente's session: ignored, the token says Karen.
        await client.emit("session_request", {"session_id": bente["phone"]})
        await client.emit("user_uttered", {"message": "kan min koordinator ringe til mig?",
                                           "session_id": bente["phone"], "customData": {"sender": bente["phone"]}})
        for _ in range(120):
            if replies:
                break
            await client.sleep(0.25)
    finally:
        await client.eio.disconnect(abort=True)  # a polite disconnect waits out the 25 s long-poll
    assert replies and "Mette" in replies[0]["text"]
    alerts = stack.api("GET", "/api/alerts?status=open", coordinator["token"]).json()
    assert {a["citizen_id"] for a in alerts if a["rule"] == "contact_request"} == {karen["id"]}

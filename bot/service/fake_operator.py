"""A fake SMS operator for development and tests, mounted at /fake-sms/ on the coordination service.
It speaks GatewayAPI's wire format both ways: it accepts the outbound API, answers with ids and
sends signed delivery reports, and it plays the citizen's phone by sending signed MO webhooks."""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.core.text import ascii_digits
from bot.db import fake_sms
from bot.service.serializers import iso
from bot.sms.gateway import sign_webhook

log = logging.getLogger(__name__)
PHONE_PAGE = Path(__file__).with_name("fake_phone.html")


class FakeOperator:
    def __init__(self):
        self.fail_next = 0  # answer this many outbound requests with 500 (tests of retries)
        self.tasks: set[asyncio.Task] = set()

    def later(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


def _operator(request: web.Request) -> FakeOperator:
    return request.app["fake_operator"]


async def mtsms(request: web.Request) -> web.Response:
    settings = request.app["settings"]
    if request.headers.get("Authorization") != f"Token {settings.sms_gateway_token}":
        return web.json_response({"code": "0x0213", "message": "Unauthorized"}, status=401)
    operator = _operator(request)
    if operator.fail_next > 0:
        operator.fail_next -= 1
        return web.json_response({"message": "Internal error (fake)"}, status=500)
    try:
        body = await request.json()
        recipients = [str(int(r["msisdn"])) for r in body["recipients"]]
        message, sender = str(body["message"]), str(body["sender"])
    except (ValueError, KeyError, TypeError):
        return web.json_response({"code": "0x0216", "message": "Invalid request"}, status=400)
    now = request.app["clock"].now()
    rows = []
    for msisdn in recipients:
        rows.append(await request.app["db"].run(
            lambda s, m=msisdn: fake_sms.add(s, direction="mt", msisdn=m, message=message, sender=sender,
                                             userref=body.get("userref"), callback_url=body.get("callback_url"),
                                             created_at=now)))
    for row in rows:
        if row.callback_url:
            operator.later(_deliver_report(settings.sms_webhook_secret, row, now))
    return web.json_response({"ids": [row.id for row in rows]})


async def _deliver_report(secret: str, row, now: datetime) -> None:
    report = {"id": row.id, "msisdn": int(row.msisdn), "time": int(now.timestamp()), "status": "DELIVERED",
              "userref": row.userref}
    try:
        async with aiohttp.ClientSession() as http:
            await http.post(row.callback_url, data=json.dumps(report),
                            headers=sign_webhook(report, secret), timeout=aiohttp.ClientTimeout(total=10))
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        log.warning("fake gateway: delivery report not delivered: %s", exc)


async def messages(request: web.Request) -> web.Response:
    msisdn = request.query.get("msisdn", "").lstrip("+")
    if not ascii_digits(msisdn):
        return web.json_response({"error": "msisdn must be digits, e.g. 4512345678"}, status=422)
    rows = await request.app["db"].run(fake_sms.for_msisdn, msisdn)
    return web.json_response([
        {"id": r.id, "direction": r.direction, "msisdn": r.msisdn, "sender": r.sender, "message": r.message,
         "userref": r.userref, "created_at": iso(r.created_at)}
        for r in rows
    ])


async def send_from_phone(request: web.Request) -> web.Response:
    """The simulated phone sends an SMS: stored, then pushed to Rasa as a signed MO webhook."""
    settings = request.app["settings"]
    body = await request.json()
    msisdn = str(body.get("msisdn", "")).lstrip("+")
    text = str(body.get("message", ""))
    if not ascii_digits(msisdn) or not text.strip():
        return web.json_response({"error": "msisdn (digits) and message are required"}, status=422)
    now = request.app["clock"].now()
    row = await request.app["db"].run(
        lambda s: fake_sms.add(s, direction="mo", msisdn=msisdn, message=text, created_at=now))
    mo = {"id": f"fake-mo-{row.id}", "msisdn": int(msisdn), "receiver": int(settings.sms_sender)
          if ascii_digits(settings.sms_sender) else settings.sms_sender, "message": text,
          "senttime": int(now.timestamp())}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{settings.rasa_url}/webhooks/sms/webhook", data=json.dumps(mo),
                             headers=sign_webhook(mo, settings.sms_webhook_secret)) as resp:
            status = resp.status
    return web.json_response({"id": mo["id"], "webhook_status": status}, status=202 if status < 300 else 502)


async def control(request: web.Request) -> web.Response:
    body = await request.json()
    _operator(request).fail_next = int(body.get("fail_next", 0))
    return web.json_response({"fail_next": _operator(request).fail_next})


async def phone_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(PHONE_PAGE)


def setup_fake_gateway(app: web.Application) -> None:
    app["fake_operator"] = FakeOperator()
    app.router.add_get("/fake-sms/", phone_page)
    app.router.add_post("/fake-sms/rest/mtsms", mtsms)
    app.router.add_get("/fake-sms/messages", messages)
    app.router.add_post("/fake-sms/send", send_from_phone)
    app.router.add_post("/fake-sms/control", control)

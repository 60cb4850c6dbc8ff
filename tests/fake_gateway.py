"""A fake SMS operator as a process of its own, for the production topology (tests/topology.py).

Production refuses SMS_GATEWAY=fake (the operator built into the service), so the services run with
SMS_GATEWAY=gatewayapi and SMS_GATEWAY_URL pointed here. It speaks GatewayAPI's wire format
(bot/sms/gateway.py) both ways and behaves like the real operator where the topology test needs it:
- `POST /rest/mtsms` (`Authorization: Token ...`) records each MT and answers `{"ids": [...]}`, then
  posts a signed delivery report to the message's `callback_url`;
- the citizen's phone (`POST /phone/send`) makes the operator post a signed MO webhook to the public
  address; any answer but 200 (a 5xx, a refused connection, a timeout) is retried with the same MO
  id until it gets a 200, as GatewayAPI retries its webhooks (docs/deployment.md, "Production
  topology"). Delivery reports are retried the same way.
- `GET /state` is what the operator saw: every MT, every MO with each attempt's answer, every report.
  `GET /state?mt_from=N` gives only the MTs from the N-th on (no MOs): a poller that reads often
  (bench/topology.py) then costs the operator and itself what is new, not the whole run each time.

Run: `python -m tests.fake_gateway --port N` with FAKE_GATEWAY_TOKEN, SMS_WEBHOOK_SECRET, MO_URL (the
public https address of the MO webhook), CA_FILE (the certificate the public address presents) and
RETRY_SECONDS in the environment.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import ssl

import aiohttp
from aiohttp import web

from bot.core.clock import Clock
from bot.sms.gateway import sign_webhook

GIVE_UP_SECONDS = 600  # GatewayAPI retries for much longer; a test never waits that long
KEEPALIVE_SECONDS = 5


class Operator:
    def __init__(self, token: str, secret: str, mo_url: str, ca_file: str, retry_seconds: float):
        self.token = token
        self.secret = secret
        self.mo_url = mo_url
        self.ssl = ssl.create_default_context(cafile=ca_file)
        self.retry_seconds = retry_seconds
        self.clock = Clock()  # the real clock, as the real operator's
        self.ids = itertools.count(1)
        self.mt: list[dict] = []
        self.mo: dict[str, dict] = {}
        self.reports: list[dict] = []
        self.tasks: set[asyncio.Task] = set()
        self.http: aiohttp.ClientSession | None = None

    def later(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def post_until_accepted(self, url: str, payload: dict, attempts: list) -> None:
        """Signed POST, repeated with the same payload until the answer is 200."""
        deadline = asyncio.get_running_loop().time() + GIVE_UP_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            try:
                async with self.http.post(url, data=json.dumps(payload), headers=sign_webhook(payload, self.secret),
                                          ssl=self.ssl if url.startswith("https") else None,
                                          timeout=aiohttp.ClientTimeout(total=10)) as resp:
                    await resp.read()
                    attempts.append({"status": resp.status, "retry_after": resp.headers.get("Retry-After"),
                                     "at": self.clock.now().isoformat()})
                    if resp.status == 200:
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                attempts.append({"status": None, "error": type(exc).__name__, "at": self.clock.now().isoformat()})
            await asyncio.sleep(self.retry_seconds)

    # --- the operator's API, as the services call it ---
    async def mtsms(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Token {self.token}":
            return web.json_response({"code": "0x0213", "message": "Unauthorized"}, status=401)
        try:
            body = await request.json()
            recipients = [int(r["msisdn"]) for r in body["recipients"]]
            message, sender = str(body["message"]), str(body["sender"])
        except (ValueError, KeyError, TypeError):
            return web.json_response({"code": "0x0216", "message": "Invalid request"}, status=400)
        ids = []
        for msisdn in recipients:
            row = {"id": next(self.ids), "msisdn": msisdn, "message": message, "sender": sender,
                   "userref": body.get("userref"), "callback_url": body.get("callback_url"),
                   "at": self.clock.now().isoformat(), "reports": []}
            self.mt.append(row)
            ids.append(row["id"])
            if row["callback_url"]:
                report = {"id": row["id"], "msisdn": msisdn, "time": int(self.clock.now().timestamp()),
                          "status": "DELIVERED", "userref": row["userref"]}
                self.later(self.post_until_accepted(row["callback_url"], report, row["reports"]))
        return web.json_response({"ids": ids})

    # --- the citizen's phone and the test's view ---
    async def phone_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        mo_id = str(body.get("id") or f"mo-{next(self.ids)}")
        if mo_id in self.mo:
            return web.json_response({"error": "an MO id is sent once; the operator retries it"}, status=409)
        payload = {"id": mo_id, "msisdn": int(str(body["msisdn"]).lstrip("+")), "receiver": 1204,
                   "message": str(body["message"]), "senttime": int(self.clock.now().timestamp())}
        self.mo[mo_id] = {"msisdn": payload["msisdn"], "message": payload["message"], "attempts": []}
        self.later(self.post_until_accepted(self.mo_url, payload, self.mo[mo_id]["attempts"]))
        return web.json_response({"id": mo_id}, status=202)

    async def state(self, request: web.Request) -> web.Response:
        if "mt_from" in request.query:
            try:
                start = int(request.query["mt_from"])
            except ValueError:
                return web.json_response({"error": "mt_from is a number"}, status=400)
            return web.json_response({"mt": self.mt[max(start, 0):]})
        return web.json_response({"mt": self.mt, "mo": self.mo})


async def serve(port: int) -> None:
    env = os.environ
    operator = Operator(env["FAKE_GATEWAY_TOKEN"], env["SMS_WEBHOOK_SECRET"], env["MO_URL"], env["CA_FILE"],
                        float(env.get("RETRY_SECONDS", "2")))
    app = web.Application()
    app.router.add_post("/rest/mtsms", operator.mtsms)
    app.router.add_post("/phone/send", operator.phone_send)
    app.router.add_get("/state", operator.state)
    # An idle kept connection is dropped after KEEPALIVE_SECONDS, before HAProxy drops it
    # (deploy/haproxy.cfg `timeout http-keep-alive 10s`): a client that keeps it longer sometimes
    # sends a webhook on a connection the proxy is just closing (ServerDisconnectedError, retried).
    connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
    async with aiohttp.ClientSession(connector=connector) as http:
        operator.http = http
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))

"""Rasa's tracker endpoint for in-process service tests, which run without a Rasa server (starting
one takes about a minute): GET /conversations/{sender}/tracker answers as Rasa 3.6 does, from the
SQL tracker store Rasa would use: the stored events, or for a sender with none the fresh session
Rasa builds in memory (rasa/core/processor.py, fetch_full_tracker_with_initial_session). The erasure
asks it whether a conversation is gone (bot/citizens/conversation_check.py). The end-to-end tests
(tests/security/test_audit_retention.py) ask the real Rasa."""
from __future__ import annotations

from aiohttp import web

from bot.db.tracker_events import TrackerEvents

FRESH_SESSION = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"},
                 {"event": "action", "name": "action_listen"}]


def tracker_api(store_url: str, token: str) -> web.Application:
    store = TrackerEvents(store_url)

    async def tracker(request: web.Request) -> web.Response:
        if request.query.get("token") != token:
            return web.json_response({"status": "failure", "reason": "NotAuthenticated"}, status=401)
        sender = request.match_info["sender"]
        return web.json_response({"sender_id": sender, "events": store.for_sender(sender) or FRESH_SESSION})

    async def dispose(_app: web.Application) -> None:
        store.dispose()

    app = web.Application()
    app.router.add_get("/conversations/{sender}/tracker", tracker)
    app.on_cleanup.append(dispose)
    return app


def attach(app: web.Application, store_url: str | None = None) -> None:
    """Starts the stand-in with the service app and points the app's Rasa at it. `store_url`: the
    store this "Rasa" uses (default: the service's TRACKER_STORE_URL, as deployed correctly)."""
    settings = app["settings"]
    running: list[web.AppRunner] = []

    async def start(service: web.Application) -> None:
        runner = web.AppRunner(tracker_api(store_url or settings.tracker_store_url, settings.rasa_token))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        service["rasa_conversations"].url = f"http://127.0.0.1:{port}"
        running.append(runner)

    async def stop(_service: web.Application) -> None:
        for runner in running:
            await runner.cleanup()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)

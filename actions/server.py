"""The action server: rasa_sdk's own app with the shared secret in front (issue 12, point 3).

`python -m actions.server [--host H] [--port P]` replaces `rasa run actions`. The stock server
listens on every interface and runs whatever tracker it is sent, so anyone who reaches the port can
act as any citizen against the coordination database. Here:
- every route except /health needs `Authorization: Bearer <ACTION_SERVER_TOKEN>`; Rasa sends it from
  the `headers:` of `action_endpoint` in endpoints.yml (`${ACTION_SERVER_TOKEN}`). A header, not
  the `token:` query parameter, so the secret never lands in an access log;
- without ACTION_SERVER_TOKEN it does not start at all (`make run` makes one per run);
- it binds 127.0.0.1 unless ACTION_SERVER_HOST (or --host) says otherwise.
docs/deployment.md, "Network boundary"."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from rasa_sdk import utils
from rasa_sdk.constants import DEFAULT_SERVER_PORT
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException

from bot.core.config import ConfigError, Settings
from bot.core.shared_secret import bearer_matches

log = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})  # liveness only: says nothing about citizens or actions


def build_app(token: str, package: str = "actions") -> Sanic:
    """rasa_sdk's app (same routes and executor as `rasa run actions`) behind the token."""
    if not token:
        raise ValueError("the action server needs a token")
    # No CORS: no browser has any business calling the action server.
    app = create_app(package, cors_origins="")

    @app.middleware("request")
    async def require_token(request):
        if request.path in OPEN_PATHS:
            return None
        if bearer_matches(request.headers.get("Authorization"), token):
            return None
        # Nothing of the body is read: a forged tracker is refused before it is parsed.
        log.warning("action server: %s %s from %s refused (no valid token)", request.method, request.path, request.ip)
        return response.json({"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception(SanicException)
    async def client_error(request, exception: SanicException):
        # rasa_sdk's catch-all turns every error, also unreadable JSON, into a 500 that echoes the
        # body; a request the server cannot read is the caller's error (4xx) and is not echoed.
        status = getattr(exception, "status_code", 500) or 500
        return response.json({"error": str(exception)}, status=status)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the action server, behind ACTION_SERVER_TOKEN")
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_SERVER_PORT)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    try:
        token = Settings.from_env().action_server_token
    except ConfigError as exc:
        sys.exit(f"action server: {exc}")
    if not token:
        sys.exit("action server: ACTION_SERVER_TOKEN must be set (the same value Rasa sends from "
                 "endpoints.yml; `make run` makes one per run). docs/deployment.md")
    app = build_app(token, args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    log.info("action server on http://%s:%s (token required)", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()

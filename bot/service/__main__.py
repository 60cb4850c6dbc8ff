"""`python -m bot.service`: run the coordination service."""
from __future__ import annotations

import logging
import sys

from bot.core.config import ConfigError, Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        # One line per reason and no traceback: the operator reads what to change, all of it at once
        # (docs/deployment.md, "Production checks"). Exit status 2: a configuration error.
        print(f"coordination service not started: {exc}", file=sys.stderr)
        sys.exit(2)
    # Imported after the check: a refused start needs (and waits for) none of the web application.
    from aiohttp import web

    from bot.service.access_log import PathOnlyAccessLogger
    from bot.service.app import create_app

    web.run_app(create_app(settings), host=settings.service_host, port=settings.service_port, print=None,
                access_log_class=PathOnlyAccessLogger)


if __name__ == "__main__":
    main()

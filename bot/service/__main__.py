"""`python -m bot.service`: run the coordination service."""
from __future__ import annotations

import logging

from aiohttp import web

from bot.core.config import Settings
from bot.service.access_log import PathOnlyAccessLogger
from bot.service.app import create_app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env()
    web.run_app(create_app(settings), host=settings.service_host, port=settings.service_port, print=None,
                access_log_class=PathOnlyAccessLogger)


if __name__ == "__main__":
    main()

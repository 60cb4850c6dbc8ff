"""The service's HTTP access log without query strings: they carry credentials and personal data
(`/chat?token=` is a citizen's signed link naming their phone; `/fake-sms/messages?msisdn=`)."""
from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger


class PathOnlyAccessLogger(AbstractAccessLogger):
    def log(self, request, response, time: float) -> None:
        self.logger.info("%s %s %s %.1fms", request.method, request.path, response.status, time * 1000)

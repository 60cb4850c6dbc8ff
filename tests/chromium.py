"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright (no browser
download). Screenshots go to results/screenshots, or to SCREENSHOT_DIR (`make screenshots` sets
docs/screenshots, where the committed pictures live)."""
from __future__ import annotations

import os
import shutil
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

requires_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)",
)


def screenshot_path(name: str) -> str:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "results" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"{name}.png")


@asynccontextmanager
async def chromium_page(**context_options):
    from playwright.async_api import async_playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), "chromium missing"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            options = {"locale": "da-DK", "timezone_id": "Europe/Copenhagen",
                       "viewport": {"width": 1280, "height": 900}, **context_options}
            context = await browser.new_context(**options)
            yield await context.new_page()
        finally:
            await browser.close()

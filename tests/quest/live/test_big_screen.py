"""The big screen in real Chromium: a new leader shows within a second of the solve."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.live import Expo

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "browser" / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


async def test_new_leader_on_the_big_screen_within_a_second(expo: Expo) -> None:
    if not CHROMIUM.exists():  # noqa: ASYNC240
        pytest.fail("no chromium at /usr/bin/chromium: `make browser-deps` installs it")
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await expo.solve("steady", "dna", "T")  # 80 points
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            # wait_for_function evaluates its predicate with eval, which the CSP forbids
            page = await browser.new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
            await page.goto(f"{expo.server.url}/board/expo")
            await page.wait_for_selector("#link[data-state='live']", timeout=5000)
            await page.wait_for_function("document.body.dataset.leader === 'steady'", timeout=3000)

            await expo.solve("rocket", "luhn", 3)  # 100 points: the new leader
            solved = time.monotonic()
            await page.wait_for_function(
                "document.querySelector('#rows li:first-child .handle')?.textContent === 'rocket'",
                timeout=1000,
            )
            assert time.monotonic() - solved < 1.0
            rows = await page.locator("#rows li .handle").all_text_contents()
            assert rows[:2] == ["rocket", "steady"]

            r = await expo.staff_call(
                "POST", "/api/admin/announcements", {"quest": "expo", "text": "Finals at 5 pm"}
            )
            assert r.status_code == 202
            await page.wait_for_selector("#banner:not([hidden])", timeout=2000)
            assert await page.locator("#banner").text_content() == "Finals at 5 pm"
            await page.wait_for_timeout(700)  # let the FLIP animation settle for the picture
            fits = await page.evaluate(
                "document.documentElement.scrollHeight <= innerHeight"
                " && document.documentElement.scrollWidth <= innerWidth"
            )
            assert fits, "the big screen must not scroll"
            await page.screenshot(path=str(ARTIFACTS / "big_screen.png"))

            # The network drops (server restarts): the page reconnects by itself.
            expo.server.kill()
            await page.wait_for_selector("#link[data-state='offline']", timeout=5000)
            expo.server.start()
            await page.wait_for_selector("#link[data-state='live']", timeout=20000)
            await expo.solve("phoenix", "luhn", 3)
            await expo.solve("phoenix", "dna", "thymine")
            await page.wait_for_function("document.body.dataset.leader === 'phoenix'", timeout=3000)
        finally:
            await browser.close()

"""A staff member in real Chromium: a broken upload shows every error, a good one imports,
and the charts render with data."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from tests.support.app import QUEST_DOC, Server
from tests.support.browser import (
    ARGS,
    CHROMIUM,
    LAPTOP,
    check_page,
    make_staff,
    need_chromium,
    watch_console,
)


def play_some(url: str) -> None:
    """Two players answer through the JSON API so the charts have data."""
    for handle, answer in (("alpha", 3), ("bravo", 4)):
        r = httpx.post(f"{url}/api/players", json={"handle": handle, "password": "password123"})
        token = r.json()["token"]
        listing = httpx.get(f"{url}/api/quests/expo/challenges").json()
        luhn = next(c["id"] for c in listing if c["slug"] == "luhn")
        httpx.post(f"{url}/api/challenges/{luhn}/attempts", json={"answer": answer},
                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip


async def test_staff_upload_and_charts(
    live_server: Server, server_env: dict[str, str], tmp_path: Path
) -> None:
    need_chromium()
    from playwright.async_api import async_playwright

    make_staff(server_env, "boss")
    broken = {**QUEST_DOC, "tracks": [{"slug": "fintech", "title": "Fintech"}]}
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    (tmp_path / "good.json").write_text(json.dumps(QUEST_DOC))
    base = live_server.url
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport=LAPTOP)
            errors = watch_console(page)
            await page.goto(base + "/login")
            await check_page(page, "login", errors)
            await page.fill("#f-username", "boss")
            await page.fill("#f-password", "password123")
            await page.click("form button[type=submit]")
            await page.wait_for_url(base + "/staff")

            await page.set_input_files("#f-document", str(tmp_path / "broken.json"))
            await page.click("#upload-h ~ form button[type=submit]")
            await page.wait_for_selector("#upload-errors")
            listed = await page.locator("#upload-errors li").all_text_contents()
            assert any("challenges[2].track" in e for e in listed), listed
            assert any("challenges[3].track" in e for e in listed), listed
            await check_page(page, "staff-upload-errors", errors)

            await page.set_input_files("#f-document", str(tmp_path / "good.json"))
            await page.click("#upload-h ~ form button[type=submit]")
            await page.wait_for_selector("text=Quest expo created.")
            await check_page(page, "staff-home", errors)

            await asyncio.to_thread(play_some, base)
            await page.goto(base + "/staff/quests/expo")
            assert await page.locator("svg.chart").count() == 3
            assert await page.locator("svg.chart rect.bar").count() >= 5
            assert (await page.text_content("#conversion-rate") or "").endswith("%")
            await check_page(page, "staff-charts", errors)
            await page.goto(base + "/staff/quests/expo/preview/swift")
            await check_page(page, "staff-preview", errors)
            await page.goto(base + "/staff/players")
            await check_page(page, "staff-players", errors)
            await page.click("text=alpha")
            await check_page(page, "staff-player", errors)
            await page.goto(base + "/staff/accounts")
            await check_page(page, "staff-accounts", errors)
        finally:
            await browser.close()

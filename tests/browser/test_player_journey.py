"""A new player on a phone in real Chromium: sign up, solve each kind, rank, Chinese, convert."""

from __future__ import annotations

import time

import httpx

from challenges.kinds import booth_code
from tests.support.app import QUEST_DOC, Server
from tests.support.browser import (
    ARGS,
    CHROMIUM,
    PHONE,
    WEIGHT_LIMIT,
    check_page,
    first_load_weight,
    make_staff,
    need_chromium,
    staff_token,
    watch_console,
)

SECRET = QUEST_DOC["challenges"][4]["secret"]


async def solve(page, url: str, fill) -> None:  # type: ignore[no-untyped-def]
    await page.goto(url)
    await fill()
    await page.click("#answer-form button[type=submit]")
    await page.wait_for_selector("#feedback .feedback.ok", timeout=5000)


async def test_a_player_on_a_phone(live_server: Server, server_env: dict[str, str]) -> None:
    need_chromium()
    from playwright.async_api import async_playwright

    make_staff(server_env, "boss")
    token = staff_token(live_server.url, "boss")
    async with httpx.AsyncClient(base_url=live_server.url) as api:
        r = await api.post(
            "/api/admin/quests", json=QUEST_DOC, headers={"Authorization": f"Bearer {token}"}
        )
        listing = (await api.get("/api/quests/expo/challenges")).json()
    assert r.status_code == 201, r.text
    booth = next(c["id"] for c in listing if c["slug"] == "booth")  # the QR code names it
    base = live_server.url
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for path in ("/", "/signup", "/play/expo"):
                weight = await first_load_weight(browser, base + path)
                assert weight < WEIGHT_LIMIT, (path, weight)
            context = await browser.new_context(viewport=PHONE, locale="en-GB")
            page = await context.new_page()
            errors = watch_console(page)

            await page.goto(base + "/")
            await check_page(page, "home", errors)
            await page.click("text=Sign up to play")
            await check_page(page, "signup", errors)
            await page.fill("#f-handle", "x!")
            await page.fill("#f-password", "short")
            await page.click("form button[type=submit]")
            await page.wait_for_selector("#e-handle")
            assert await page.input_value("#f-handle") == "x!"
            await check_page(page, "signup-errors", errors)
            await page.fill("#f-handle", "phone_player")
            await page.fill("#f-password", "password123")
            await page.click("form button[type=submit]")
            await page.wait_for_url(base + "/")

            await page.goto(base + "/play/expo")
            assert (await page.text_content("#my-rank") or "").strip() == "–"
            await check_page(page, "map", errors)

            await page.goto(base + "/play/expo/swift")
            await check_page(page, "challenge-choice", errors)
            await solve(page, base + "/play/expo/swift",
                        lambda: page.check("input[value='A network']"))  # fmt: skip
            assert "You are now #1" in (await page.text_content("#feedback") or "")
            await check_page(page, "challenge-feedback", errors)
            await solve(page, base + "/play/expo/dna", lambda: page.fill("#f-answer", "thymine"))
            await solve(page, base + "/play/expo/luhn", lambda: page.fill("#f-answer", "3"))

            code = booth_code(SECRET, now=time.time())
            await page.goto(f"{base}/play/expo/checkin?booth={booth}&code={code}")
            await page.wait_for_url(base + "/play/expo/booth")
            assert "Correct!" in (await page.text_content("#feedback") or "")
            await check_page(page, "checkin-result", errors)
            await page.goto(base + "/play/expo/checkin")
            await check_page(page, "checkin", errors)

            await page.goto(base + "/play/expo")
            assert "#1" in (await page.text_content("#my-rank") or "")
            assert "330" in (await page.text_content("#my-score") or "")

            await page.click("a[lang='zh-Hant']")
            await page.wait_for_selector("html[lang='zh-Hant']")
            assert "下一步" in (await page.content())
            await check_page(page, "map-zh", errors)

            await page.goto(base + "/me")
            await check_page(page, "me-zh", errors)
            await page.fill("#f-full_name", "陳大文")
            await page.fill("#f-email", "tai.man@example.com")
            await page.select_option("#f-education_level", "master")
            await page.check("input[name=sectors][value=fintech]")
            await page.select_option("#f-experience_level", "entry")
            await page.check("input[name=regions][value=hk]")
            await page.click("#convert button[type=submit]")
            await page.wait_for_selector("#e-consent")
            await page.check("input[name=consent]")
            await page.click("#convert button[type=submit]")
            await page.wait_for_selector("text=你已成為求職者")
            await check_page(page, "me-converted-zh", errors)
            await context.close()
        finally:
            await browser.close()

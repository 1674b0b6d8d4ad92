"""The job pages and the recruiter console in real Chromium: a visitor filters the expo's
jobs on a phone, a jobseeker says "I'm interested" from "Jobs for you", a recruiter searches,
opens the candidate, writes a private note, shortlists and downloads the CSV. Every page:
axe-core (no serious/critical violation), no console error, screenshots at both sizes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import httpx

from tests.support.app import Server
from tests.support.browser import (
    ARGS,
    CHROMIUM,
    LAPTOP,
    PHONE,
    ROOT,
    check_page,
    need_chromium,
    watch_console,
)
from tests.support.handoff import body


def prepare(url: str, env: dict[str, str]) -> str:
    """The demo jobs, a recruiter, and a jobseeker delivered to the job module."""
    subprocess.run([sys.executable, "-m", "quest.cli", "demo"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "quest.cli", "users", "create", "--role", "recruiter",
         "--username", "hirer"],
        input=b"password123\n", env=env, cwd=ROOT, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    r = httpx.post(f"{url}/api/players", json={"handle": "seeker", "password": "password123"})
    token = r.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    r = httpx.post(f"{url}/api/me/jobseeker", json=body(full_name="Ada Lovelace"), headers=headers)
    assert r.status_code == 201, r.text
    deadline = time.monotonic() + 30
    while httpx.get(f"{url}/api/me/job-matches", headers=headers).status_code != 200:
        assert time.monotonic() < deadline, "the handoff did not arrive"
        time.sleep(0.2)
    return str(r.json()["jobseeker_id"])


async def log_in(page, base: str, username: str, lands: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(base + "/login")
    await page.fill("#f-username", username)
    await page.fill("#f-password", "password123")
    await page.click("main form button[type=submit]")
    await page.wait_for_url(base + lands)


async def test_jobs_and_recruiters(live_server: Server, server_env: dict[str, str]) -> None:
    need_chromium()
    from playwright.async_api import async_playwright

    base = live_server.url
    candidate = await asyncio.to_thread(prepare, base, server_env)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            # A visitor on a phone: every filter as a plain GET form, then one job.
            context = await browser.new_context(viewport=PHONE, locale="en-GB")
            page = await context.new_page()
            errors = watch_console(page)
            await page.goto(base + "/jobs")
            assert "2,600 jobs" in (await page.text_content("#results-h") or "")
            await check_page(page, "jobs", errors)
            await page.select_option("#f-sector", "fintech")
            await page.select_option("#f-programme", "innohk")
            await page.fill("#f-q", "research")
            await page.click("form[role=search] button[type=submit]")
            await page.wait_for_url("**/jobs?*sector=fintech*")
            assert "programme=innohk" in page.url
            assert await page.locator("#f-sector").input_value() == "fintech"
            await check_page(page, "jobs-filtered", errors)
            await page.click("ol.jobs li h3 a >> nth=0")
            await page.wait_for_selector("h1")
            assert "/jobs/" in page.url
            await check_page(page, "job-detail", errors)
            await context.close()

            # The jobseeker: "Jobs for you" with reasons, one click, then in Chinese.
            context = await browser.new_context(viewport=PHONE, locale="en-GB")
            page = await context.new_page()
            errors = watch_console(page)
            await log_in(page, base, "seeker", "/")
            await page.goto(base + "/jobs")
            assert await page.locator(".for-you ol.jobs > li").count() == 5
            assert await page.locator(".for-you .why li").count() >= 5
            await check_page(page, "jobs-for-you", errors)
            await page.click(".for-you form.interest button >> nth=0")
            await page.wait_for_selector("text=the employer can now see that you are interested")
            assert await page.locator(".for-you >> text=Interest sent").count() == 1
            await check_page(page, "jobs-interest-sent", errors)
            await page.click("a[hreflang=zh-Hant]")
            await page.wait_for_selector("text=為你推薦的職位")
            await check_page(page, "jobs-zh", errors)
            await context.close()

            # A recruiter on a laptop, keyboard first: search, candidate, note, shortlist, CSV.
            context = await browser.new_context(viewport=LAPTOP, locale="en-GB")
            page = await context.new_page()
            errors = watch_console(page)
            await log_in(page, base, "hirer", "/recruiters")
            assert (await page.text_content("#results-h") or "").strip() == "1 candidate"
            await check_page(page, "recruiters", errors)
            await page.focus("#f-q")
            await page.keyboard.type("lovelace")
            await page.select_option("#f-sort", "date")
            await page.fill("#f-min_percentile", "0")
            await page.keyboard.press("Enter")
            await page.wait_for_url("**/recruiters?*q=lovelace*")
            assert await page.locator(f"#c-{candidate}").count() == 1
            href = await page.get_attribute("a[download]", "href")
            assert href and href.startswith("/api/recruiter/candidates.csv?q=lovelace")
            csv = await page.request.get(base + href)  # the page's session cookie
            assert csv.status == 200 and "Ada Lovelace" in await csv.text()
            await check_page(page, "recruiters-filtered", errors)
            await page.click(f"#c-{candidate}-name a")
            await page.wait_for_selector("#notes-h")
            assert await page.locator("#interests-h ~ ul li").count() == 1
            await check_page(page, "recruiter-candidate", errors)
            await page.fill("#f-text", "Great at the fintech track; call on Monday.")
            await page.click("#notes-h ~ form button[type=submit]")
            await page.wait_for_selector("text=Note saved.")
            assert await page.locator(".notes li").count() == 1
            await page.click("text=Add to my shortlist")
            await page.wait_for_selector("text=On your shortlist")
            await page.goto(base + "/recruiters/shortlist")
            assert await page.locator(f"#c-{candidate}").count() == 1
            await check_page(page, "recruiter-shortlist", errors)
            await page.click("a[hreflang=zh-Hant]")
            await page.wait_for_selector("text=從我的候選名單移除")
            await check_page(page, "recruiter-shortlist-zh", errors)
            await page.goto(base + f"/recruiters/candidates/{candidate}")
            await check_page(page, "recruiter-candidate-zh", errors)
            await context.close()
        finally:
            await browser.close()

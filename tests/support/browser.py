"""Chromium for page tests: launch args, axe-core, console errors, page weight, screenshots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "browser" / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 768}
WEIGHT_LIMIT = 150 * 1024

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""

WEIGHT = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const size = e => e.transferSize || e.encodedBodySize || 0;
  return (nav ? size(nav) : 0) + resources.reduce((sum, e) => sum + size(e), 0);
}"""


def need_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail("no chromium at /usr/bin/chromium: `make browser-deps` installs it")
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `make browser-deps`")


async def check_page(page: Any, name: str, errors: list[str]) -> None:
    """axe (no serious/critical violation), no console errors, screenshots at both sizes."""
    # Through DevTools, not a <script> tag: the pages' CSP (script-src 'self') stays on.
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Runtime.evaluate", {"expression": AXE.read_text()})
    violations = await page.evaluate(AXE_RUN)
    assert violations == [], f"{name}: {violations}"
    assert errors == [], f"{name}: console errors {errors}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        await page.set_viewport_size(viewport)
        await page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    await page.set_viewport_size(size)


async def first_load_weight(browser: Any, url: str) -> int:
    """Bytes transferred for a page in a fresh (cold-cache) context."""
    context = await browser.new_context(viewport=PHONE)
    try:
        page = await context.new_page()
        await page.goto(url, wait_until="load")
        return int(await page.evaluate(WEIGHT))
    finally:
        await context.close()


def watch_console(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def make_staff(env: dict[str, str], username: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "quest.cli", "users", "create", "--role", "staff", "--username",
         username],
        input=b"password123\n", env=env, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip


def staff_token(url: str, username: str) -> str:
    r = httpx.post(f"{url}/api/auth/token", data={"username": username, "password": "password123"})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])

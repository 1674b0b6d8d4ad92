"""The pages keep to their Content-Security-Policy (`script-src 'self'; style-src 'self'`):
no inline script, no inline event handler, no style attribute or element in any template,
and the pages' scripts get the CSRF token from a meta tag."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

TEMPLATES = Path(__file__).resolve().parents[2] / "webui" / "templates"
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
STYLE = re.compile(r"""\sstyle\s*=|<style\b""", re.I)


def templates() -> list[Path]:
    found = sorted(TEMPLATES.rglob("*.html"))
    assert found
    return found


def test_no_inline_script_handler_or_style_in_templates() -> None:
    problems = []
    for path in templates():
        text = path.read_text()
        name = path.relative_to(TEMPLATES)
        for attrs in SCRIPT.findall(text):
            data_block = 'type="application/json"' in attrs or 'type="application/ld+json"' in attrs
            if "src=" not in attrs and not data_block:
                problems.append(f"{name}: inline <script{attrs}>")
        problems += [f"{name}: inline handler {m.group().strip()}" for m in HANDLER.finditer(text)]
        problems += [f"{name}: inline style {m.group().strip()}" for m in STYLE.finditer(text)]
    assert problems == []


async def test_scripts_get_the_csrf_token_from_a_meta_tag(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    assert re.search(r'<meta name="csrf-token" content="[0-9a-f]{64}">', r.text)

"""Helpers for page tests: read the CSRF token from a page, post forms like a browser."""

from __future__ import annotations

import re
from typing import Any

import httpx

CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, page: str, action: str | None = None, **fields: Any
) -> httpx.Response:
    """GET `page`, then POST `fields` (with the page's CSRF token) to `action` (or `page`)."""
    r = await client.get(page)
    assert r.status_code == 200, r.text
    data = {"csrf_token": csrf_of(r.text), **fields}
    return await client.post(action or page, data=data)


async def signup(client: httpx.AsyncClient, handle: str, password: str = "password123") -> None:
    r = await post_form(client, "/signup", handle=handle, password=password)
    assert r.status_code == 303, r.text


async def answer(client: httpx.AsyncClient, challenge: str, **fields: object) -> httpx.Response:
    page = await client.get(f"/play/expo/{challenge}")
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_of(page.text), **fields}
    return await client.post(f"/play/expo/{challenge}", data=data)

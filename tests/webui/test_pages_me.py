"""The player's page: progress, ranks on each board, and the jobseeker conversion form."""

from __future__ import annotations

import httpx

from tests.support.pages import answer, csrf_of, signup


async def test_me_needs_a_player(client: httpx.AsyncClient) -> None:
    r = await client.get("/me")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/me"


async def test_me_shows_progress_and_boards(client: httpx.AsyncClient, quest: dict) -> None:
    await signup(client, "progress")
    empty = await client.get("/me")
    assert "You have not solved anything yet." in empty.text
    await answer(client, "luhn", answer="3")
    r = await client.get("/me")
    assert "Expo Quest" in r.text and "1 of 5 challenges solved" in r.text
    assert "Overall" in r.text and "Today" in r.text and "#1 / 1" in r.text
    assert "Fintech: 1/3" in r.text


async def test_conversion_errors_next_to_fields_then_success(
    client: httpx.AsyncClient, quest: dict
) -> None:
    await signup(client, "hireme")
    page = await client.get("/me")
    assert 'action="/me/jobseeker"' in page.text
    bad = await client.post(
        "/me/jobseeker",
        data={
            "csrf_token": csrf_of(page.text), "full_name": "Ada Lovelace", "email": "nope",
            "phone": "12", "education_level": "master", "experience_level": "entry",
            "regions": "hk",
        },
    )  # fmt: skip
    assert bad.status_code == 200
    for field in ("email", "phone", "sectors"):
        assert f'id="e-{field}"' in bad.text, field
    assert 'value="Ada Lovelace"' in bad.text and 'value="master" selected' in bad.text
    data = {
        "csrf_token": csrf_of(bad.text), "full_name": "Ada Lovelace", "email": "ada@example.com",
        "education_level": "master", "experience_level": "entry", "regions": ["hk", "gba"],
        "sectors": ["fintech"], "notice_version": csrf_of(bad.text) and _notice_version(bad.text),
    }  # fmt: skip
    no_consent = await client.post("/me/jobseeker", data=data)
    assert no_consent.status_code == 200 and 'id="e-consent"' in no_consent.text
    ok = await client.post("/me/jobseeker", data={**data, "consent": "yes"})
    assert ok.status_code == 303, ok.text
    after = await client.get("/me")
    assert "You are now a jobseeker" in after.text and 'action="/me/jobseeker"' not in after.text
    mine = await client.get("/api/me/jobseeker")
    assert mine.status_code == 200 and mine.json()["regions"] == ["hk", "gba"]


def _notice_version(html: str) -> str:
    import re

    match = re.search(r'name="notice_version" value="([^"]+)"', html)
    assert match
    return match.group(1)

"""Abuse limits of playing: wrong answers counted atomically, wrong booth codes per player,
and a booth code matched only to the booth the player names (issue 9)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func
from sqlmodel import select

from challenges.kinds import booth_code
from challenges.models import Attempt
from quest.core.settings import Settings
from tests.support.app import QUEST_DOC, auth, register

SECRET = QUEST_DOC["challenges"][4]["secret"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"wrong_answer_limit": 10, "wrong_answer_window_s": 60, "wrong_code_limit": 4}
    )


async def recorded(app: FastAPI, challenge_id: int) -> int:
    async with app.state.tq.readmaker() as session:
        count = (
            await session.exec(
                select(func.count())
                .select_from(Attempt)
                .where(Attempt.challenge_id == challenge_id)
            )
        ).one()
    return int(count)


async def attempt(
    client: httpx.AsyncClient, token: str, cid: int, answer: object, key: str | None = None
) -> httpx.Response:
    headers = auth(token) | ({"Idempotency-Key": key} if key else {})
    url = f"/api/challenges/{cid}/attempts"
    return await client.post(url, json={"answer": answer}, headers=headers)


async def _away_from_a_step_boundary() -> None:
    if time.time() % 30 > 25:
        await asyncio.sleep(30 - time.time() % 30 + 0.2)


async def test_concurrent_wrong_answers_are_counted_before_judging(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "swarm")
    replies = await asyncio.gather(*(attempt(client, token, quest["luhn"], 7) for _ in range(40)))
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200] * 10 + [429] * 30, statuses
    for r in replies:
        if r.status_code == 429:
            assert r.json()["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1
    assert await recorded(app, quest["luhn"]) == 10


async def test_a_correct_answer_after_wrong_ones_within_the_limit(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "nearly")
    for _ in range(9):
        assert (await attempt(client, token, quest["luhn"], 7)).json()["correct"] is False
    r = await attempt(client, token, quest["luhn"], 3)
    assert r.status_code == 200 and r.json()["correct"] is True
    # The correct answer took no wrong-answer slot: one more wrong answer still fits.
    r = await attempt(client, token, quest["dna"], "adenine")
    assert r.status_code == 200 and r.json()["correct"] is False
    r = await attempt(client, token, quest["dna"], "cytosine")
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"


async def test_idempotent_replays_count_nothing_twice(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "replayer")
    first = await attempt(client, token, quest["luhn"], 7, "k-0")
    for _ in range(5):
        again = await attempt(client, token, quest["luhn"], 7, "k-0")
        assert again.status_code == 200 and again.json() == first.json()
    for n in range(1, 10):  # 1 + 9 = the limit of 10
        assert (await attempt(client, token, quest["luhn"], 7, f"k-{n}")).status_code == 200
    assert (await attempt(client, token, quest["luhn"], 7, "k-10")).status_code == 429


async def test_a_bare_code_names_no_booth_and_is_not_searched(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "bare")
    await _away_from_a_step_boundary()
    r = await client.post("/api/checkins", json={"code": booth_code(SECRET)}, headers=auth(token))
    assert r.status_code == 422 and r.json()["code"] == "booth_required", r.text


async def test_a_code_is_matched_to_the_booth_named(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    booth = quest["booth"]
    await _away_from_a_step_boundary()
    code = booth_code(SECRET)
    for n, body in enumerate(
        (
            {"booth": booth, "code": code},
            {"booth": str(booth), "code": code},
            {"booth": "aeroism", "code": code},
            {"code": f"{booth}-{code}"},
            {"code": f"{booth} {code}"},
        )
    ):
        token = await register(client, f"visitor{n}")
        r = await client.post("/api/checkins", json=body, headers=auth(token))
        assert r.status_code == 200, (body, r.text)
        assert r.json()["booth"] == "aeroism" and r.json()["points_awarded"] == 100
    token = await register(client, "lost")
    for body, code_ in (
        ({"booth": 999_999, "code": code}, "unknown_booth"),
        ({"booth": "nowhere", "code": code}, "unknown_booth"),
        ({"booth": quest["luhn"], "code": code}, "unknown_booth"),  # not a booth
        ({"booth": booth, "code": f"999999-{code}"}, "booth_mismatch"),
        ({"booth": booth, "code": "12"}, "invalid_code"),
    ):
        r = await client.post("/api/checkins", json=body, headers=auth(token))
        assert r.status_code == 422 and r.json()["code"] == code_, (body, r.text)


async def test_wrong_booth_codes_are_limited_per_player(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    booth = quest["booth"]
    guesser = await register(client, "guesser")
    replies = await asyncio.gather(
        *(
            client.post(
                "/api/checkins",
                json={"booth": booth, "code": f"{n:06d}"},
                headers=auth(guesser),
            )
            for n in range(20)
        )
    )
    codes = sorted(r.json()["code"] for r in replies)
    assert codes == ["invalid_code"] * 4 + ["rate_limited"] * 16, codes
    assert all(int(r.headers["Retry-After"]) >= 1 for r in replies if r.status_code == 429)
    await _away_from_a_step_boundary()
    right = {"booth": booth, "code": booth_code(SECRET)}
    r = await client.post("/api/checkins", json=right, headers=auth(guesser))
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    # The attempts API on the booth's challenge counts against the same limit.
    r = await attempt(client, guesser, booth, booth_code(SECRET))
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    # Another player is not held back.
    other = await register(client, "honest")
    r = await client.post("/api/checkins", json=right, headers=auth(other))
    assert r.status_code == 200, r.text

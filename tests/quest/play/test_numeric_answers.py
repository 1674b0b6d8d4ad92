"""Non-finite numbers are malformed answers (422), in attempts and in quest documents."""

from __future__ import annotations

import copy
import json

import httpx
import pytest

from tests.support.app import QUEST_DOC, auth, register


async def _raw_attempt(
    client: httpx.AsyncClient, token: str, cid: int, body: str
) -> httpx.Response:
    return await client.post(
        f"/api/challenges/{cid}/attempts",
        content=body.encode(),
        headers={**auth(token), "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    "body",
    [
        '{"answer": NaN}',
        '{"answer": Infinity}',
        '{"answer": -Infinity}',
        '{"answer": 1e400}',
        '{"answer": "NaN"}',
        '{"answer": "Infinity"}',
        '{"answer": "1e400"}',
    ],
)
async def test_non_finite_numeric_answers_are_422(
    client: httpx.AsyncClient, quest: dict[str, int], body: str
) -> None:
    token = await register(client, "nan")
    r = await _raw_attempt(client, token, quest["luhn"], body)
    assert r.status_code == 422, r.text
    assert set(r.json()) >= {"detail", "code"}
    # Nothing was counted: the player still solves it, and no wrong attempt is recorded.
    r = await _raw_attempt(client, token, quest["luhn"], '{"answer": 3}')
    assert r.status_code == 200 and r.json()["correct"] is True


async def test_a_text_challenge_takes_nan_as_text(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "texty")
    r = await _raw_attempt(client, token, quest["dna"], '{"answer": "NaN"}')
    assert r.status_code == 200 and r.json()["correct"] is False


@pytest.mark.parametrize(
    ("field", "literal"), [("answer", "NaN"), ("answer", "Infinity"), ("tolerance", "1e400")]
)
async def test_documents_with_non_finite_numbers_are_422(
    client: httpx.AsyncClient, staff: str, field: str, literal: str
) -> None:
    doc = copy.deepcopy(QUEST_DOC)
    doc["challenges"][0][field] = "__HERE__"
    body = json.dumps(doc).replace('"__HERE__"', literal)
    r = await client.post(
        "/api/admin/quests",
        content=body.encode(),
        headers={**auth(staff), "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(f"challenges[0].{field}"), r.text

"""Attempts end to end: every status the contract names, idempotency, concurrency."""

from __future__ import annotations

import asyncio

import httpx

from challenges.kinds import booth_code
from tests.support.app import QUEST_DOC, auth, register


async def attempt(
    client: httpx.AsyncClient, token: str, cid: int, answer: object, **headers: str
) -> httpx.Response:
    return await client.post(
        f"/api/challenges/{cid}/attempts",
        json={"answer": answer},
        headers={**auth(token), **headers},
    )


async def test_correct_then_already_solved(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "alice")
    r = await attempt(client, token, quest["luhn"], "3")
    assert r.status_code == 200
    body = r.json()
    assert body == {
        "correct": True,
        "points_awarded": 100,
        "score": 100,
        "rank": 1,
        "attempts_left": None,
    }
    r = await attempt(client, token, quest["luhn"], 3)
    assert r.status_code == 409 and r.json()["code"] == "already_solved"


async def test_wrong_answer_and_attempt_cap(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "bob")
    r = await attempt(client, token, quest["swift"], "A bird")
    assert r.status_code == 200 and r.json()["correct"] is False and r.json()["attempts_left"] == 1
    r = await attempt(client, token, quest["swift"], "A car")
    assert r.json()["attempts_left"] == 0
    r = await attempt(client, token, quest["swift"], "A network")
    assert r.status_code == 429 and r.json()["code"] == "attempts_exhausted"
    listing = (await client.get("/api/quests/expo/challenges", headers=auth(token))).json()
    assert {c["slug"]: c["state"] for c in listing}["swift"] == "exhausted"


async def test_locked_until_prerequisite(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    token = await register(client, "carol")
    r = await attempt(client, token, quest["later"], "crispr")
    assert r.status_code == 403 and r.json()["code"] == "locked"
    assert (await attempt(client, token, quest["dna"], "  Thymine ")).json()["correct"] is True
    r = await attempt(client, token, quest["later"], "CRYSPR")
    assert r.status_code == 200 and r.json()["correct"] is True


async def test_closed_quest(client: httpx.AsyncClient, quest: dict[str, int], staff: str) -> None:
    token = await register(client, "dave")
    r = await client.patch("/api/admin/quests/expo", json={"status": "paused"}, headers=auth(staff))
    assert r.status_code == 200 and r.json()["status"] == "paused"
    r = await attempt(client, token, quest["luhn"], 3)
    assert r.status_code == 403 and r.json()["code"] == "quest_closed"


async def test_idempotent_replay(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    token = await register(client, "erin")
    first = await attempt(client, token, quest["swift"], "A bird", **{"Idempotency-Key": "k-1"})
    again = await attempt(client, token, quest["swift"], "A bird", **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again.json()["attempts_left"] == 1  # counted once
    solved = await attempt(client, token, quest["swift"], "A network", **{"Idempotency-Key": "k-2"})
    replay = await attempt(client, token, quest["swift"], "A network", **{"Idempotency-Key": "k-2"})
    assert solved.json() == replay.json() and solved.json()["points_awarded"] == 50
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    assert board["entries"][0]["score"] == 50


async def test_hundred_concurrent_correct_award_once(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "frank")
    results = await asyncio.gather(*(attempt(client, token, quest["luhn"], 3) for _ in range(100)))
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(200) == 1, statuses
    assert statuses.count(409) == 99
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    assert board["entries"][0]["score"] == 100 and board["total"] == 1


async def test_wrong_answer_rate_limit(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    token = await register(client, "gina")
    for _ in range(5):
        assert (await attempt(client, token, quest["luhn"], 7)).status_code == 200
    r = await attempt(client, token, quest["luhn"], 3)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) >= 1


async def test_checkin_with_rotating_code(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    token = await register(client, "hank")
    secret = QUEST_DOC["challenges"][4]["secret"]
    booth = quest["booth"]
    r = await client.post(
        "/api/checkins", json={"booth": booth, "code": "000000"}, headers=auth(token)
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_code"
    r = await client.post(
        "/api/checkins", json={"code": f"{booth}-{booth_code(secret)}"}, headers=auth(token)
    )
    assert r.status_code == 200, r.text
    assert r.json()["booth"] == "aeroism" and r.json()["points_awarded"] == 100
    r = await client.post(
        "/api/checkins", json={"booth": booth, "code": booth_code(secret)}, headers=auth(token)
    )
    assert r.status_code == 409


async def test_checkin_refuses_the_code_of_a_closed_quest(
    client: httpx.AsyncClient, quest: dict[str, int], staff: str
) -> None:
    token = await register(client, "late_hank")
    secret = QUEST_DOC["challenges"][4]["secret"]
    r = await client.patch("/api/admin/quests/expo", json={"status": "closed"}, headers=auth(staff))
    assert r.status_code == 200
    r = await client.post(
        "/api/checkins",
        json={"booth": quest["booth"], "code": booth_code(secret)},
        headers=auth(token),
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_code"


async def test_answers_never_leave_the_server(
    client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "ivan")
    for cid in quest.values():
        text = (await client.get(f"/api/challenges/{cid}", headers=auth(token))).text
        assert "JBSWY3DP" not in text and '"answer"' not in text and "thymine" not in text


async def test_hint_cost_is_deducted(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    token = await register(client, "jane")
    detail = (await client.get(f"/api/challenges/{quest['swift']}", headers=auth(token))).json()
    assert detail["hints"] == [{"n": 0, "cost": 10, "unlocked": False, "text": None}]
    r = await client.post(f"/api/challenges/{quest['swift']}/hints/0", headers=auth(token))
    assert r.status_code == 200 and r.json()["text"] == "Banks use it"
    r = await attempt(client, token, quest["swift"], "A network")
    assert r.json()["points_awarded"] == 40


async def test_hint_refusals(client: httpx.AsyncClient, quest: dict[str, int], staff: str) -> None:
    token = await register(client, "june")
    url = f"/api/challenges/{quest['swift']}/hints"
    r = await client.post(f"{url}/1", headers=auth(token))
    assert r.status_code == 404 and r.json()["code"] == "hint_not_found"
    r = await client.post("/api/challenges/99999/hints/0", headers=auth(token))
    assert r.status_code == 404 and r.json()["code"] == "challenge_not_found"
    r = await client.patch("/api/admin/quests/expo", json={"status": "paused"}, headers=auth(staff))
    assert r.status_code == 200
    r = await client.post(f"{url}/0", headers=auth(token))
    assert r.status_code == 403 and r.json()["code"] == "locked"


async def test_bad_input(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    token = await register(client, "kate")
    url = f"/api/challenges/{quest['luhn']}/attempts"
    r = await client.post(
        url, content=b"{not json", headers={**auth(token), "content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["code"] == "malformed_json"
    r = await client.post(url, json={"answer": {"x": 1}}, headers=auth(token))
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    r = await client.post(url, json={"answer": "x" * 2001}, headers=auth(token))
    assert r.status_code == 422 and r.json()["code"] == "answer_too_long"
    r = await client.post(url, json={"answer": ["x"] * 51}, headers=auth(token))
    assert r.status_code == 422 and r.json()["code"] == "answer_too_long"
    r = await client.post(url, json={"answer": 3})
    assert r.status_code == 401
    r = await client.post(url, json={"answer": 3}, headers=auth("not-a-token"))
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    r = await client.post("/api/challenges/99999/attempts", json={"answer": 3}, headers=auth(token))
    assert r.status_code == 404
    r = await client.post(
        url,
        content=b'{"answer": "' + b"x" * 2_000_000 + b'"}',
        headers={**auth(token), "content-type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"
    # nothing was counted by any of the above
    assert (await client.post(url, json={"answer": 3}, headers=auth(token))).json()[
        "correct"
    ] is True

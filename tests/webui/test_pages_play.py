"""The quest map and challenge pages with JavaScript off: forms post, then redirect."""

from __future__ import annotations

import time

import httpx

from challenges.kinds import booth_code
from tests.support.app import QUEST_DOC, auth
from tests.support.pages import answer, csrf_of, post_form, signup

SECRET = QUEST_DOC["challenges"][4]["secret"]


async def test_map_shows_tracks_states_and_next(client: httpx.AsyncClient, quest: dict) -> None:
    anonymous = await client.get("/play/expo")
    assert anonymous.status_code == 200 and "Sign up or log in to play" in anonymous.text
    await signup(client, "mapper")
    r = await client.get("/play/expo")
    assert "Fintech" in r.text and "Biotech" in r.text
    assert "Locked" in r.text and "Next up:" in r.text
    assert 'href="/play/expo/luhn"' in r.text


async def test_js_off_solve_each_kind_and_see_rank(client: httpx.AsyncClient, quest: dict) -> None:
    await signup(client, "solver")
    r = await answer(client, "luhn", answer="3")
    assert r.status_code == 303 and r.headers["location"] == "/play/expo/luhn"
    page = await client.get("/play/expo/luhn")
    assert "Correct!" in page.text and "You earned 100 points." in page.text
    assert "You are now #1 with 100 points." in page.text
    assert "You have solved this one." in page.text
    again = await client.get("/play/expo/luhn")
    assert "Correct!" not in again.text  # the flash is shown once

    r = await answer(client, "swift", answer="A network")
    assert "Correct!" in (await client.get(r.headers["location"])).text
    r = await answer(client, "dna", answer="  Thymine ")
    assert "Correct!" in (await client.get(r.headers["location"])).text
    r = await answer(client, "later", answer="CRISPR")
    assert "Correct!" in (await client.get(r.headers["location"])).text
    r = await answer(client, "booth", answer=booth_code(SECRET, now=time.time()))
    page = await client.get(r.headers["location"])
    assert "Correct!" in page.text
    board = (await client.get("/api/quests/expo/leaderboard")).json()
    assert board["entries"][0]["player"]["handle"] == "solver"
    assert board["entries"][0]["score"] == 390


async def test_wrong_answer_keeps_input_and_counts_down(
    client: httpx.AsyncClient, quest: dict
) -> None:
    await signup(client, "wrongun")
    r = await answer(client, "swift", answer="A bird")
    page = await client.get(r.headers["location"])
    assert "Not quite." in page.text and "1 attempt left." in page.text
    r = await answer(client, "dna", answer="guanine")
    page = await client.get(r.headers["location"])
    assert 'value="guanine"' in page.text


async def test_empty_answer_rerenders_with_the_message(
    client: httpx.AsyncClient, quest: dict
) -> None:
    await signup(client, "blank")
    r = await answer(client, "luhn", answer="  ")
    assert r.status_code == 200 and 'id="e-answer"' in r.text and "Type a number first." in r.text


async def test_locked_challenge_and_refusals(client: httpx.AsyncClient, quest: dict) -> None:
    await signup(client, "hasty")
    page = await client.get("/play/expo/later")
    assert "Locked: solve DNA first." in page.text and 'id="answer-form"' not in page.text
    r = await client.post(
        "/play/expo/later", data={"csrf_token": csrf_of(page.text), "answer": "crispr"}
    )
    assert r.status_code == 303
    shown = await client.get(r.headers["location"])
    assert "locked: solve its prerequisites first" in shown.text


async def test_hint_unlock_shows_text_and_cost(client: httpx.AsyncClient, quest: dict) -> None:
    await signup(client, "hinted")
    page = await client.get("/play/expo/swift")
    assert "Banks use it" not in page.text and "costs 10 points" in page.text
    r = await client.post("/play/expo/swift/hints/0", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    page = await client.get("/play/expo/swift")
    assert "Banks use it" in page.text
    r = await answer(client, "swift", answer="A network")
    assert "You earned 40 points." in (await client.get(r.headers["location"])).text


async def test_checkin_from_a_qr_link(client: httpx.AsyncClient, quest: dict) -> None:
    code, booth = booth_code(SECRET, now=time.time()), quest["booth"]
    r = await client.get(f"/play/expo/checkin?booth={booth}&code={code}")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    await signup(client, "visitor")
    page = await client.get(f"/play/expo/checkin?booth={booth}&code={code}")
    assert f'value="{code}"' in page.text and "checkin.js" in page.text
    assert f'value="{booth}" selected' in page.text
    bad = await post_form(client, "/play/expo/checkin", code="12")
    assert bad.status_code == 200 and "A booth code is 6 digits." in bad.text
    bare = await post_form(client, "/play/expo/checkin", code=code)
    assert bare.status_code == 200 and "Choose the booth" in bare.text
    r = await client.post(
        "/play/expo/checkin", data={"csrf_token": csrf_of(page.text), "booth": booth, "code": code}
    )
    assert r.status_code == 303 and r.headers["location"] == "/play/expo/booth"
    assert "Correct!" in (await client.get("/play/expo/booth")).text


async def test_checkin_twice_sends_the_player_to_the_booth_with_the_refusal(
    client: httpx.AsyncClient, quest: dict
) -> None:
    await signup(client, "twice")
    code = booth_code(SECRET, now=time.time())
    for _ in range(2):
        r = await post_form(client, "/play/expo/checkin", booth=quest["booth"], code=code)
        assert r.status_code == 303 and r.headers["location"] == "/play/expo/booth"
    shown = await client.get("/play/expo/booth")
    assert "You have already solved this challenge." in shown.text


async def test_checkin_page_refuses_the_code_of_a_closed_quest(
    client: httpx.AsyncClient, quest: dict, staff: str
) -> None:
    await signup(client, "toolate")
    r = await client.patch("/api/admin/quests/expo", json={"status": "closed"}, headers=auth(staff))
    assert r.status_code == 200
    code = f"{quest['booth']}-{booth_code(SECRET, now=time.time())}"
    r = await post_form(client, "/play/expo/checkin", code=code)
    assert r.status_code == 200 and "That code is not valid" in r.text
    shown = await client.get("/play/expo/booth")
    assert "Correct!" not in shown.text and "You have solved this one." not in shown.text


async def test_hint_of_a_challenge_not_open_is_refused_on_the_page(
    client: httpx.AsyncClient, quest: dict, staff: str
) -> None:
    await signup(client, "peeker")
    page = await client.get("/play/expo/swift")
    r = await client.post("/play/expo/swift/hints/7", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    r = await client.patch("/api/admin/quests/expo", json={"status": "paused"}, headers=auth(staff))
    assert r.status_code == 200
    r = await client.post("/play/expo/swift/hints/0", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert "Banks use it" not in (await client.get("/play/expo/swift")).text


async def test_chinese_play_pages(client: httpx.AsyncClient, quest: dict) -> None:
    await signup(client, "zh_player")
    await client.get("/lang/zh-Hant")
    r = await client.get("/play/expo")
    assert "下一步" in r.text and "未解鎖" in r.text
    r = await answer(client, "luhn", answer="3")
    page = await client.get(r.headers["location"])
    assert "答對了！" in page.text and "你獲得 100 分。" in page.text


async def test_unknown_challenge_is_an_html_404(client: httpx.AsyncClient, quest: dict) -> None:
    r = await client.get("/play/expo/nope")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "There is no such challenge." in r.text

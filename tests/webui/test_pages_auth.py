"""Sign up, log in, log out and CSRF rejection through the HTML forms."""

from __future__ import annotations

import httpx

from tests.support.pages import csrf_of, post_form, signup


async def test_home_lists_quests_and_invites_to_join(
    client: httpx.AsyncClient, quest: dict
) -> None:
    r = await client.get("/")
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    assert "Expo Quest" in r.text and 'href="/signup"' in r.text
    assert '<main id="main"' in r.text and 'lang="en"' in r.text


async def test_signup_sets_an_httponly_lax_session_and_greets(client: httpx.AsyncClient) -> None:
    r = await post_form(client, "/signup", handle="ada_l", password="password123")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "tq_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    home = await client.get("/")
    assert "ada_l" in home.text and 'action="/logout"' in home.text


async def test_signup_errors_are_shown_next_to_fields_and_input_kept(
    client: httpx.AsyncClient,
) -> None:
    r = await post_form(client, "/signup", handle="a!", password="short", email="x@example.com")
    assert r.status_code == 200
    assert 'id="e-handle"' in r.text and 'id="e-password"' in r.text
    assert 'value="a!"' in r.text and 'value="x@example.com"' in r.text
    assert 'aria-invalid="true"' in r.text


async def test_taken_handle(client: httpx.AsyncClient) -> None:
    await signup(client, "grace")
    client.cookies.clear()
    r = await post_form(client, "/signup", handle="GRACE", password="password123")
    assert r.status_code == 200 and "That handle is taken" in r.text


async def test_login_logout_and_wrong_password(client: httpx.AsyncClient) -> None:
    await signup(client, "linus")
    page = await client.get("/")
    r = await client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert "linus" not in (await client.get("/")).text
    bad = await post_form(client, "/login", username="linus", password="nope-nope")
    assert bad.status_code == 200 and "Wrong handle or password" in bad.text
    assert 'value="linus"' in bad.text
    good = await post_form(client, "/login", username="linus", password="password123", next="/me")
    assert good.status_code == 303 and good.headers["location"] == "/me"


async def test_login_refuses_offsite_next(client: httpx.AsyncClient) -> None:
    await signup(client, "mallory")
    client.cookies.clear()
    r = await post_form(
        client, "/login", username="mallory", password="password123", next="//evil.example/"
    )
    assert r.headers["location"] == "/"


async def test_forms_without_a_valid_csrf_token_are_refused(client: httpx.AsyncClient) -> None:
    await client.get("/signup")
    r = await client.post("/signup", data={"handle": "eve_x", "password": "password123"})
    assert r.status_code == 403 and "expired" in r.text
    r = await client.post(
        "/signup", data={"handle": "eve_x", "password": "password123", "csrf_token": "0" * 64}
    )
    assert r.status_code == 403
    fresh = httpx.AsyncClient(transport=client._transport, base_url="http://test")
    async with fresh:  # a token lifted from another browser does not fit this one's cookie
        page = await client.get("/signup")
        r = await fresh.post(
            "/signup",
            data={"csrf_token": csrf_of(page.text), "handle": "eve_y", "password": "password123"},
        )
        assert r.status_code == 403


async def test_a_token_stops_working_after_login(client: httpx.AsyncClient) -> None:
    before = csrf_of((await client.get("/login")).text)
    await signup(client, "turing")
    r = await client.post("/logout", data={"csrf_token": before})
    assert r.status_code == 403


async def test_chinese_from_accept_language_and_the_switch(
    client: httpx.AsyncClient, quest: dict
) -> None:
    r = await client.get("/", headers={"Accept-Language": "zh-HK,zh;q=0.9,en;q=0.5"})
    assert 'lang="zh-Hant"' in r.text and "進行中的任務" in r.text
    r = await client.get("/lang/zh-Hant?next=/login")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = await client.get("/login")
    assert "登入" in r.text and "密碼" in r.text
    r = await client.get("/lang/en?next=https://evil.example/")
    assert r.headers["location"] == "/"
    assert "Log in" in (await client.get("/login")).text


async def test_unknown_pages_render_html_errors(client: httpx.AsyncClient, quest: dict) -> None:
    pages = {
        "/play/nope": "There is no such quest.",
        "/play/expo/nope": "There is no such challenge.",
    }
    for signed_in in (False, True):  # an unknown page is a 404 page, never a log-in redirect
        if signed_in:
            await signup(client, "wanderer")
        for path, message in pages.items():
            r = await client.get(path)
            assert r.status_code == 404, (path, r.status_code, r.headers.get("location"))
            assert r.headers["content-type"].startswith("text/html"), path
            assert f'<p class="error-text">{message}</p>' in r.text, path
            assert '<main id="main"' in r.text and 'href="/"' in r.text, path
    api = await client.get("/api/quests/nope")
    assert api.status_code == 404 and api.json()["code"] == "quest_not_found"

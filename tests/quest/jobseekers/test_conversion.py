"""Conversion: validation, the notice, profile reads and updates, and what reaches recruiters."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from quest.jobseekers.notice import NOTICE_VERSION, notice
from tests.support.app import auth, make_account, register
from tests.support.handoff import body, convert, delivered


async def post(client: httpx.AsyncClient, token: str, data: dict[str, Any]) -> httpx.Response:
    return await client.post("/api/me/jobseeker", json=data, headers=auth(token))


async def test_convert_and_reach_recruiters(
    app: FastAPI, client: httpx.AsyncClient, quest: dict[str, int]
) -> None:
    token = await register(client, "alice")
    r = await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(token)
    )
    assert r.json()["correct"] is True
    r = await post(client, token, body())
    assert r.status_code == 201, r.text
    assert r.json()["handoff"] == {"status": "pending"}
    jid = r.json()["jobseeker_id"]
    [event] = await delivered(app)
    assert (event.type, event.status, event.attempts) == ("candidate.converted", "delivered", 1)
    rec = await make_account(app, "rec", "recruiter")
    page = (await client.get("/api/recruiter/candidates", headers=auth(rec))).json()
    assert [c["id"] for c in page["items"]] == [jid]
    seen = (await client.get(f"/api/recruiter/candidates/{jid}", headers=auth(rec))).json()
    assert seen["email"] == "tai.man@example.com"
    assert seen["assessment"]["score"] == 100
    assert seen["assessment"]["percentile"] == 100.0
    mine = (await client.get("/api/me/jobseeker", headers=auth(token))).json()
    assert mine["jobseeker_id"] == jid and mine["handoff"] == {"status": "delivered"}
    assert mine["consent"]["notice_version"] == NOTICE_VERSION
    assert mine["consent_history"][0]["share_with_employers"] is True
    assert mine["assessment"]["quest"] == "expo"
    again = await post(client, token, body())
    assert (again.status_code, again.json()["code"]) == (409, "already_jobseeker")


@pytest.mark.parametrize(
    ("consent", "code"),
    [
        (None, "consent_required"),
        ({"share_with_employers": False, "notice_version": NOTICE_VERSION}, "consent_required"),
        ({"notice_version": NOTICE_VERSION}, "consent_required"),
        ({"share_with_employers": True, "notice_version": "2019-01"}, "notice_outdated"),
        ({"share_with_employers": True}, "notice_outdated"),
    ],
)
async def test_consent_is_required(
    client: httpx.AsyncClient, consent: dict[str, Any] | None, code: str
) -> None:
    token = await register(client, "carol")
    data = body(consent=consent)
    if consent is None:
        del data["consent"]
    r = await post(client, token, data)
    assert (r.status_code, r.json()["code"]) == (422, code)
    assert (await client.get("/api/me/jobseeker", headers=auth(token))).status_code == 404


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "5123 4567"}, "phone"),
        ({"phone": "+852 12"}, "phone"),
        ({"phone": "+1234567890123456"}, "phone"),
        ({"phone": "+852 abc 4567"}, "phone"),
        ({"links": ["ftp://example.com/cv"]}, "links.0"),
        ({"links": ["https://ok.example", "javascript:alert(1)"]}, "links.1"),
        ({"sectors": ["ai-data", "mining"]}, "sectors.1"),
        ({"sectors": []}, "sectors"),
        ({"regions": ["mars"]}, "regions.0"),
        ({"education_level": "kindergarten"}, "education_level"),
        ({"experience_level": "guru"}, "experience_level"),
        ({"full_name": "  "}, "full_name"),
    ],
)
async def test_bad_fields_are_named(
    client: httpx.AsyncClient, change: dict[str, Any], path: str
) -> None:
    token = await register(client, "dave")
    r = await post(client, token, body(**change))
    assert r.status_code == 422, r.text
    payload = r.json()
    assert payload["code"] == "invalid_request"
    assert path in [e["path"] for e in payload["errors"]]
    assert payload["detail"].startswith(path)


async def test_good_variants_are_accepted(client: httpx.AsyncClient) -> None:
    token = await register(client, "erin")
    r = await post(
        client,
        token,
        body(phone="+44 20-7946-0958", links=["http://example.com/a b".replace(" ", "")]),
    )
    assert r.status_code == 201, r.text
    no_optional = body()
    for key in ("phone", "field_of_study", "links"):
        del no_optional[key]
    other = await register(client, "frank")
    assert (await post(client, other, no_optional)).status_code == 201


async def test_only_players_convert(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/me/jobseeker", json=body())).status_code == 401
    rec = await make_account(app, "rec", "recruiter")
    r = await post(client, rec, body())
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")


async def test_notice_in_two_languages(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/me/jobseeker/notice")
    assert r.status_code == 200
    data = r.json()
    assert data["version"] == NOTICE_VERSION
    for lang in ("en", "zh-Hant"):
        text = data[lang]
        for key in ("purpose", "recipients", "access_and_deletion", "required_fields", "version"):
            assert text[key], (lang, key)
        assert "email" in text["required_fields"]
    assert "個人資料" in data["zh-Hant"]["title"]
    assert notice("zh-HK").lang == "zh-Hant" and notice("fr").lang == "en"


async def test_patch_updates_and_emits(app: FastAPI, client: httpx.AsyncClient) -> None:
    token = await register(client, "gina")
    jid = await convert(client, token)
    r = await client.patch(
        "/api/me/jobseeker",
        json={"experience_level": "mid", "phone": None, "sectors": ["biotech"]},
        headers=auth(token),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["experience_level"], r.json()["phone"]) == ("mid", None)
    bad = await client.patch("/api/me/jobseeker", json={"email": None}, headers=auth(token))
    assert (bad.status_code, bad.json()["errors"][0]["path"]) == (422, "email")
    bad = await client.patch("/api/me/jobseeker", json={"regions": ["moon"]}, headers=auth(token))
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "regions.0"
    done = await delivered(app)
    assert [e.type for e in done] == ["candidate.converted", "candidate.updated"]
    rec = await make_account(app, "rec", "recruiter")
    seen = (await client.get(f"/api/recruiter/candidates/{jid}", headers=auth(rec))).json()
    assert seen["experience_level"] == "mid" and seen["sectors"] == ["biotech"]
    other = await register(client, "hank")
    missing = await client.patch("/api/me/jobseeker", json={}, headers=auth(other))
    assert (missing.status_code, missing.json()["code"]) == (404, "not_a_jobseeker")


async def test_no_personal_data_in_logs(
    app: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await register(client, "ivan")
    # Everything at INFO (production), and our own loggers at DEBUG too.
    with caplog.at_level(logging.INFO), caplog.at_level(logging.DEBUG, logger="talentquest"):
        await convert(client, token, email="secret.person@example.org", full_name="Zed Secretname")
        await client.patch(
            "/api/me/jobseeker", json={"email": "other.secret@example.org"}, headers=auth(token)
        )
        await delivered(app)
        await client.post("/api/me/jobseeker", json=body(email="bad@"), headers=auth(token))
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "jobseeker" in text  # the conversion was logged, by id
    for secret in ("secret.person", "other.secret", "Secretname", "5123-4567"):
        assert secret not in text

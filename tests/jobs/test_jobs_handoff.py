"""The handoff receiver: signatures, once-only delivery, consent withdrawal, erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.models import Candidate, ErasedCandidate, ReceivedWebhook
from jobs.schemas import HANDOFF_EVENT, CandidateConverted
from tests.support.jobs import Send, as_, envelope, profile

RECRUITER = as_(900, "recruiter")


async def candidate_ids(client: httpx.AsyncClient) -> set[str]:
    r = await client.get("/api/recruiter/candidates", headers=RECRUITER)
    assert r.status_code == 200, r.text
    body = r.json()
    return {item["id"] for item in body["items"]}


async def count(sessionmaker: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessionmaker() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_schema_round_trip() -> None:
    event = HANDOFF_EVENT.validate_python(envelope("converted", profile("js_0", 1)))
    assert isinstance(event, CandidateConverted)
    assert HANDOFF_EVENT.validate_json(event.model_dump_json()) == event


async def test_converted_candidate_reaches_recruiters(
    client: httpx.AsyncClient, send: Send
) -> None:
    r = await send(envelope("converted", profile("js_1", 101)))
    assert (r.status_code, r.json()) == (200, {"status": "applied"})
    assert "js_1" in await candidate_ids(client)
    seen = (await client.get("/api/recruiter/candidates/js_1", headers=RECRUITER)).json()
    assert seen["email"] == "js_1@example.com"
    assert seen["assessment"]["percentile"] == 88.5


async def test_same_webhook_id_applies_once(
    client: httpx.AsyncClient, send: Send, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first = envelope("converted", profile("js_2", 102, full_name="Ada First"))
    assert (await send(first, msg_id="msg_fixed")).json() == {"status": "applied"}
    retry = envelope("updated", profile("js_2", 102, full_name="Ada Second"))
    again = await send(retry, msg_id="msg_fixed")
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    seen = (await client.get("/api/recruiter/candidates/js_2", headers=RECRUITER)).json()
    assert seen["full_name"] == "Ada First"
    async with sessionmaker() as session:
        stmt = select(func.count()).where(col(ReceivedWebhook.webhook_id) == "msg_fixed")
        assert (await session.exec(stmt)).one() == 1


async def test_forged_signature_is_401_and_applies_nothing(
    client: httpx.AsyncClient, send: Send, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    before = await count(sessionmaker, ReceivedWebhook)
    forged = "whsec_" + "Zm9yZ2VkLXNlY3JldC1mb3JnZWQtc2VjcmV0LTEyMzQ="
    r = await send(envelope("converted", profile("js_3", 103)), secret=forged)
    assert (r.status_code, r.json()["code"]) == (401, "invalid_signature")
    assert await count(sessionmaker, ReceivedWebhook) == before
    assert "js_3" not in await candidate_ids(client)
    bare = await client.post("/api/jobs/handoff", content=b"{}")
    assert (bare.status_code, bare.json()["code"]) == (401, "invalid_signature")
    junk = await client.post(
        "/api/jobs/handoff",
        content=b"\xff\xfe",
        headers={"webhook-id": "x", "webhook-timestamp": "1", "webhook-signature": "nonsense"},
    )
    assert junk.status_code == 401


async def test_stale_timestamp_is_401(client: httpx.AsyncClient, send: Send) -> None:
    stale = datetime.now(UTC) - timedelta(minutes=10)
    r = await send(envelope("converted", profile("js_4", 104)), sent_at=stale)
    assert (r.status_code, r.json()["code"]) == (401, "invalid_signature")
    assert "js_4" not in await candidate_ids(client)


async def test_malformed_event_is_422_and_can_be_fixed(
    send: Send, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    bad = envelope("converted", profile("js_5", 105, sectors=["underwater-basket-weaving"]))
    r = await send(bad, msg_id="msg_bad")
    assert (r.status_code, r.json()["code"]) == (422, "invalid_event")
    assert "sectors" in r.json()["detail"]
    good = await send(envelope("converted", profile("js_5", 105)), msg_id="msg_bad")
    assert good.json() == {"status": "applied"}  # the failed attempt recorded nothing


async def test_unknown_event_type_is_acknowledged(send: Send) -> None:
    r = await send({"type": "candidate.promoted", "timestamp": "2026-03-01T00:00:00Z", "data": {}})
    assert (r.status_code, r.json()) == (200, {"status": "ignored"})


async def test_older_event_does_not_overwrite_newer(client: httpx.AsyncClient, send: Send) -> None:
    now = datetime.now(UTC)
    await send(envelope("converted", profile("js_6", 106, full_name="New Name"), at=now))
    late = envelope("updated", profile("js_6", 106, full_name="Old Name"), at=now - timedelta(1))
    assert (await send(late)).json() == {"status": "applied"}
    seen = (await client.get("/api/recruiter/candidates/js_6", headers=RECRUITER)).json()
    assert seen["full_name"] == "New Name"


async def test_consent_withdrawn_leaves_recruiter_views(
    client: httpx.AsyncClient, send: Send, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await send(envelope("converted", profile("js_7", 107)))
    assert (
        await client.post("/api/recruiter/shortlist/js_7", headers=RECRUITER)
    ).status_code == 201
    ref = {"candidate_id": "js_7", "account_id": 107}
    assert (await send(envelope("consent_withdrawn", ref))).json() == {"status": "applied"}
    assert "js_7" not in await candidate_ids(client)
    view = await client.get("/api/recruiter/candidates/js_7", headers=RECRUITER)
    assert (view.status_code, view.json()["code"]) == (404, "candidate_not_found")
    shortlist = (await client.get("/api/recruiter/shortlist", headers=RECRUITER)).json()
    assert "js_7" not in {i["id"] for i in shortlist["items"]}
    csv_text = (await client.get("/api/recruiter/candidates.csv", headers=RECRUITER)).text
    assert "js_7" not in csv_text
    async with sessionmaker() as session:
        row = (await session.exec(select(Candidate).where(Candidate.candidate_id == "js_7"))).one()
        assert (row.full_name, row.email, row.phone, row.links) == ("", "", None, [])
    # The player can still see matches: only what matching needs is kept.
    matches = await client.get("/api/me/job-matches", headers=as_(107, "player"))
    assert matches.status_code == 200


async def test_erased_deletes_personal_data(
    client: httpx.AsyncClient, send: Send, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    sent = datetime.now(UTC)
    await send(envelope("converted", profile("js_8", 108), at=sent - timedelta(seconds=5)))
    ref = {"candidate_id": "js_8", "account_id": 108}
    assert (await send(envelope("erased", ref, at=sent))).json() == {"status": "applied"}
    async with sessionmaker() as session:
        stmt = select(Candidate).where(col(Candidate.candidate_id) == "js_8")
        assert (await session.exec(stmt)).first() is None
        assert await session.get(ErasedCandidate, "js_8") is not None
    assert "js_8" not in await candidate_ids(client)
    # An update sent before the erasure but delivered after it does not bring it back.
    late = envelope("updated", profile("js_8", 108), at=sent - timedelta(seconds=1))
    assert (await send(late)).status_code == 200
    async with sessionmaker() as session:
        stmt = select(Candidate).where(col(Candidate.candidate_id) == "js_8")
        assert (await session.exec(stmt)).first() is None
    gone = await client.get("/api/me/job-matches", headers=as_(108, "player"))
    assert (gone.status_code, gone.json()["code"]) == (404, "not_a_jobseeker")

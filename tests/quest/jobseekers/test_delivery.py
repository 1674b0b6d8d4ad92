"""Delivery to a real HTTP receiver: signatures, outage and recovery, retries, dead and redrive."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlmodel import update
from standardwebhooks import Webhook

from jobs.schemas import HANDOFF_EVENT, CandidateConverted
from kit.time import utcnow
from quest.jobseekers import outbox as handoff
from quest.jobseekers.models import HandoffEvent
from tests.support.app import auth, make_account, make_staff, register
from tests.support.handoff import Receiver, convert, delivered, events, eventually


async def test_signed_standard_webhooks(
    hooked_app: FastAPI, receiver: Receiver, settings: object
) -> None:
    transport = httpx.ASGITransport(app=hooked_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        token = await register(client, "alice")
        jid = await convert(client, token)
        [row] = await delivered(hooked_app)
    assert row.status == "delivered"
    [got] = receiver.requests
    assert got.verified and got.webhook_id == row.webhook_id
    event = HANDOFF_EVENT.validate_json(got.body)
    assert isinstance(event, CandidateConverted)
    assert event.data.candidate_id == jid and event.data.email == "tai.man@example.com"
    assert event.data.consent.share_with_employers is True


async def test_outage_then_recovery_delivers_everything_once(
    hooked_app: FastAPI, receiver: Receiver
) -> None:
    receiver.default, receiver.retry_after = 503, "1"
    transport = httpx.ASGITransport(app=hooked_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        ids = [await convert(client, await register(client, f"player{i}")) for i in range(5)]

        async def failing_twice() -> bool:
            rows = await events(hooked_app)
            return all(r.attempts >= 2 for r in rows)

        await eventually(failing_twice)
        rows = await events(hooked_app)
        assert {r.status for r in rows} == {"pending"}
        assert all(r.last_error and "503" in r.last_error for r in rows)
        staff = await make_staff(hooked_app)
        page = (await client.get("/api/admin/handoffs?status=pending", headers=auth(staff))).json()
        assert page["counts"]["pending"] == 5 and len(page["items"]) == 5
        assert all(i["next_attempt_at"] for i in page["items"])
        receiver.default = 200
        rows = await delivered(hooked_app, within=20)
    assert {r.status for r in rows} == {"delivered"}
    applied = receiver.applied()
    assert len(applied) == 5
    assert {e["data"]["candidate_id"] for e in applied.values()} == set(ids)
    # every attempt of one event carried the same webhook-id, each one properly signed
    for row in rows:
        tries = [r for r in receiver.requests if r.webhook_id == row.webhook_id]
        assert len(tries) == row.attempts >= 3
        assert all(t.verified for t in tries)
        assert len({t.body for t in tries}) == 1


async def test_retry_after_is_honoured(hooked_app: FastAPI, receiver: Receiver) -> None:
    receiver.script, receiver.retry_after = [503], "120"
    transport = httpx.ASGITransport(app=hooked_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await convert(client, await register(client, "bob"))

        async def tried() -> bool:
            return (await events(hooked_app))[0].attempts == 1

        await eventually(tried)
    [row] = await events(hooked_app)
    assert row.status == "pending"
    assert row.next_attempt_at - utcnow() > timedelta(seconds=100)


async def test_lost_reply_redelivers_with_the_same_id(
    hooked_app: FastAPI, receiver: Receiver
) -> None:
    """The receiver applied the event but the answer was a 500: the retry has the same id."""
    receiver.script = [500]
    transport = httpx.ASGITransport(app=hooked_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await convert(client, await register(client, "carl"))
        [row] = await delivered(hooked_app)
    assert row.attempts == 2
    assert [r.webhook_id for r in receiver.requests] == [row.webhook_id] * 2


async def test_dead_after_deadline_and_redrive(hooked_app: FastAPI, receiver: Receiver) -> None:
    receiver.default = 500
    state = hooked_app.state.tq
    transport = httpx.ASGITransport(app=hooked_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await convert(client, await register(client, "dora"))
        async with state.sessionmaker() as session, session.begin():
            await session.exec(update(HandoffEvent).values(retry_until=utcnow()))

        async def dead() -> bool:
            return (await events(hooked_app))[0].status == "dead"

        await eventually(dead)
        staff = await make_staff(hooked_app)
        page = (await client.get("/api/admin/handoffs?status=dead", headers=auth(staff))).json()
        assert page["counts"]["dead"] == 1
        [item] = page["items"]
        assert item["last_error"].startswith("HTTP 500") and item["next_attempt_at"] is None
        player = await register(client, "eve")
        assert (
            await client.post(f"/api/admin/handoffs/{item['id']}/redrive", headers=auth(player))
        ).status_code == 403
        receiver.default = 200
        r = await client.post(f"/api/admin/handoffs/{item['id']}/redrive", headers=auth(staff))
        assert r.status_code == 200 and r.json()["status"] == "pending"
        [row] = await delivered(hooked_app)
        assert row.status == "delivered" and row.webhook_id == item["webhook_id"]
        again = await client.post(f"/api/admin/handoffs/{item['id']}/redrive", headers=auth(staff))
        assert (again.status_code, again.json()["code"]) == (409, "already_delivered")
        none = await client.post("/api/admin/handoffs/999/redrive", headers=auth(staff))
        assert none.status_code == 404
        bad = await client.get("/api/admin/handoffs?status=lost", headers=auth(staff))
        assert bad.status_code == 422


async def test_leases_keep_two_relays_apart(relayless_app: FastAPI) -> None:
    """Two claimers never get the same event; a lease keeps others off until it expires."""
    app, state = relayless_app, relayless_app.state.tq
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for handle in ("fay", "gil", "hal"):
            await convert(client, await register(client, handle))
    await asyncio.sleep(1.5)  # longer than a relay's poll: with no relay, nothing moves
    rows = await events(app)
    assert [(r.status, r.attempts, r.lease_owner) for r in rows] == [("pending", 0, None)] * 3
    ids = [r.id for r in rows]
    now = utcnow() + timedelta(seconds=1)

    async def claim(token: str, at: datetime, limit: int = 100) -> list[HandoffEvent]:
        async with state.sessionmaker() as session, session.begin():
            return await handoff.claim(session=session, token=token, now=at, limit=limit)

    a, b = await asyncio.gather(claim("a", now, limit=2), claim("b", now, limit=2))
    assert sorted(r.id for r in a + b) == ids  # each event to exactly one claimer
    assert {len(a), len(b)} == {1, 2}
    assert await claim("c", now + handoff.LEASE - timedelta(seconds=1)) == []  # leases hold
    owners = {r.id: "a" for r in a} | {r.id: "b" for r in b}
    assert {r.id: r.lease_owner for r in await events(app)} == owners
    taken = await claim("d", now + handoff.LEASE + timedelta(seconds=1))  # a crashed relay's
    assert sorted(r.id for r in taken) == ids
    # The first holder's late result no longer counts: its lease was taken over.
    await handoff.record(state, a, [handoff.Outcome(True)] * len(a), token="a")
    rows = await events(app)
    assert [(r.status, r.attempts, r.lease_owner) for r in rows] == [("pending", 0, "d")] * 3


async def test_forged_and_replayed_webhooks_are_refused(
    app: FastAPI, client: httpx.AsyncClient, settings: object
) -> None:
    token = await register(client, "gus")
    jid = await convert(client, token)
    [row] = await delivered(app)
    secret = app.state.tq.settings.resolved_handoff_secret
    rec = await make_account(app, "rec", "recruiter")
    payload = json.loads(row.payload)
    payload["data"]["candidate_id"] = "js_forged"
    body = json.dumps(payload)

    def signed(msg_id: str, at: datetime, key: str, data: str = body) -> dict[str, str]:
        return {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(key).sign(msg_id, at, data),
        }

    now = datetime.now(UTC)
    forged = await client.post(
        "/api/jobs/handoff", content=body, headers=signed("msg_f", now, "whsec_" + "QUJD" * 8)
    )
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_signature")
    stale = await client.post(
        "/api/jobs/handoff", content=body, headers=signed("msg_s", now - timedelta(hours=1), secret)
    )
    assert stale.status_code == 401
    tampered = signed("msg_t", now, secret, row.payload)
    bad = await client.post("/api/jobs/handoff", content=body, headers=tampered)
    assert bad.status_code == 401
    page = (await client.get("/api/recruiter/candidates", headers=auth(rec))).json()
    assert [c["id"] for c in page["items"]] == [jid]
    again = signed(row.webhook_id, now, secret, row.payload)
    replay = await client.post("/api/jobs/handoff", content=row.payload, headers=again)
    assert replay.status_code == 200 and replay.json() == {"status": "duplicate"}


def test_backoff_schedule() -> None:
    rng = random.Random(7)
    delays = [handoff.backoff_s(n, rng) for n in range(1, 16)]
    for n, d in enumerate(delays, start=1):
        base = min(600.0, 2.0 ** (n - 1))
        assert 0.8 * base <= d <= min(600.0, 1.2 * base)
    assert max(delays) <= 600.0
    # an hour's outage is far inside the 24 h before an event goes dead
    assert sum(handoff.backoff_s(n, rng) for n in range(1, 20)) < 3 * 3600
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert handoff.retry_after_s("30", now) == 30.0
    assert handoff.retry_after_s("Sun, 01 Mar 2026 00:01:00 GMT", now) == 60.0
    assert handoff.retry_after_s("soon", now) is None

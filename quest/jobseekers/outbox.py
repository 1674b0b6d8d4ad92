"""The handoff outbox and its relay: events written with the change, delivered as Standard Webhooks.

`enqueue` adds an event row to the caller's transaction. After that transaction commits,
the relay of this process is woken (an asyncio.Event in `state.extras`); it also polls every
second. A relay claims due rows under a lease (plus `FOR UPDATE SKIP LOCKED` on PostgreSQL),
so several processes never deliver the same row at once, posts each one signed with the same
`webhook-id` on every retry, and backs off exponentially (with jitter, honouring
`Retry-After`) until a 2xx, or gives up to `dead` once the event's deadline has passed.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import BaseModel
from sqlalchemy import ColumnElement, event, func, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from standardwebhooks import Webhook
from starlette.types import ASGIApp

from kit.loops import check_stop
from kit.time import utcnow
from quest.core.errors import Conflict, NotFound
from quest.core.origins import site
from quest.core.state import AppState
from quest.jobseekers.models import HandoffEvent
from quest.jobseekers.schemas import HandoffItem, HandoffPage

log = logging.getLogger("talentquest.handoff")

STATUSES = ("pending", "delivered", "dead")
GIVE_UP_AFTER = timedelta(hours=24)
MAX_DELAY_S = 600.0
MAX_RETRY_AFTER_S = 3600.0
LEASE = timedelta(seconds=60)  # longer than one request's timeout (10 s) by a wide margin
POLL_S = 1.0
BATCH = 100
IN_FLIGHT = 20
BUILT_IN_PATH = "/api/jobs/handoff"
WAKE_KEY = "handoff_wake"
_WRITTEN = "tq_handoff_written"  # session.info flag: this transaction wrote outbox rows

# One wake-up Event per running relay, found from the engine a committing session used.
_wakers: dict[Engine, asyncio.Event] = {}


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_WRITTEN, False):
        waker = _wakers.get(session.bind) if isinstance(session.bind, Engine) else None
        if waker is not None:
            waker.set()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def mark_written(session: AsyncSession) -> None:
    """Wake this process's relay once the session's transaction commits."""
    session.sync_session.info[_WRITTEN] = True


def enqueue(
    *, session: AsyncSession, event: BaseModel, account_id: int, candidate_id: str
) -> HandoffEvent:
    """Add one event (a `jobs.schemas` envelope) to the outbox, inside the caller's transaction."""
    now = utcnow()
    row = HandoffEvent(
        webhook_id=f"msg_{uuid.uuid4().hex}",
        type=str(getattr(event, "type", "")),
        account_id=account_id,
        candidate_id=candidate_id,
        payload=event.model_dump_json(),
        next_attempt_at=now,
        retry_until=now + GIVE_UP_AFTER,
        created_at=now,
    )
    session.add(row)
    mark_written(session)
    return row


def backoff_s(attempts: int, rng: random.Random | None = None) -> float:
    """Delay before attempt `attempts + 1`: 1 s, 2 s, 4 s... capped at 10 min, ±20 % jitter."""
    base = min(MAX_DELAY_S, 2.0 ** max(0, attempts - 1))
    jitter = (rng or random).uniform(0.8, 1.2)
    return min(MAX_DELAY_S, base * jitter)


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Seconds asked for by a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(MAX_RETRY_AFTER_S, float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(MAX_RETRY_AFTER_S, max(0.0, (when - now).total_seconds()))


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str | None = None
    retry_after: float | None = None


@dataclass
class Relay:
    """One process's deliverer: where to post, how to sign, and who holds a lease."""

    client: httpx.AsyncClient
    url: str
    webhook: Webhook
    owner: str
    claims: int = 0

    def token(self) -> str:
        self.claims += 1
        return f"{self.owner}:{self.claims}"[:64]

    async def post(self, row: HandoffEvent) -> Outcome:
        sent_at = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": row.webhook_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": self.webhook.sign(row.webhook_id, sent_at, row.payload),
        }
        try:
            response = await self.client.post(
                self.url, content=row.payload.encode(), headers=headers
            )
        except httpx.HTTPError as exc:
            return Outcome(False, f"{type(exc).__name__}: {exc}"[:500])
        except Exception as exc:  # an in-process receiver that raised: retry like a 500
            return Outcome(False, f"{type(exc).__name__}"[:500])
        if 200 <= response.status_code < 300:
            return Outcome(True)
        wait = retry_after_s(response.headers.get("retry-after"), sent_at)
        return Outcome(False, f"HTTP {response.status_code}: {response.text[:300]}", wait)


def _due(now: datetime) -> ColumnElement[bool]:
    earlier = aliased(HandoffEvent)
    blocked = (
        select(earlier.id)
        .where(
            earlier.candidate_id == HandoffEvent.candidate_id,
            col(earlier.id) < col(HandoffEvent.id),
            earlier.status == "pending",
        )
        .exists()
    )
    # One event per candidate in flight, in order: a withdrawal never overtakes its conversion.
    return (
        (col(HandoffEvent.status) == "pending")
        & (col(HandoffEvent.next_attempt_at) <= now)
        & or_(col(HandoffEvent.lease_until).is_(None), col(HandoffEvent.lease_until) < now)
        & ~blocked
    )


async def claim(
    *, session: AsyncSession, token: str, now: datetime, limit: int = BATCH
) -> list[HandoffEvent]:
    """Lease up to `limit` due events to `token`. SQLite's BEGIN IMMEDIATE serialises claimers."""
    query = select(HandoffEvent).where(_due(now)).order_by(col(HandoffEvent.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.exec(query)).all())
    for row in rows:
        row.lease_owner, row.lease_until = token, now + LEASE
        session.add(row)
    return rows


def _result(row: HandoffEvent, outcome: Outcome, now: datetime) -> dict[str, Any]:
    attempts = row.attempts + 1
    done: dict[str, Any] = {"attempts": attempts, "lease_owner": None, "lease_until": None}
    if outcome.ok:
        return done | {"status": "delivered", "delivered_at": now, "last_error": None}
    if now >= row.retry_until:
        log.warning("handoff event %s is dead after %d attempts", row.id, attempts)
        return done | {"status": "dead", "last_error": outcome.error}
    delay = max(backoff_s(attempts), outcome.retry_after or 0.0)
    retry_at = min(now + timedelta(seconds=delay), row.retry_until)
    return done | {"next_attempt_at": retry_at, "last_error": outcome.error}


async def deliver_due(state: AppState, relay: Relay) -> int:
    """Claim, deliver and record one batch; returns how many events were attempted."""
    token = relay.token()
    async with state.sessionmaker() as session, session.begin():
        rows = await claim(session=session, token=token, now=utcnow())
    if not rows:
        return 0
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(row: HandoffEvent) -> Outcome:
        async with gate:
            return await relay.post(row)

    outcomes = await asyncio.gather(*(one(row) for row in rows))
    await record(state, rows, outcomes, token=token)
    return len(rows)


async def record(
    state: AppState, rows: Sequence[HandoffEvent], outcomes: Sequence[Outcome], *, token: str
) -> None:
    now = utcnow()
    recovered = any(o.ok and r.attempts > 0 for r, o in zip(rows, outcomes, strict=True))
    async with state.sessionmaker() as session, session.begin():
        for row, outcome in zip(rows, outcomes, strict=True):
            state.metrics.handoffs.labels("delivered" if outcome.ok else "failed").inc()
            await session.exec(
                update(HandoffEvent)
                .where(col(HandoffEvent.id) == row.id, col(HandoffEvent.lease_owner) == token)
                .values(**_result(row, outcome, now))
            )
        if recovered:
            # The receiver is back after failures: retry everything waiting now, not in minutes.
            await session.exec(
                update(HandoffEvent)
                .where(
                    col(HandoffEvent.status) == "pending",
                    col(HandoffEvent.next_attempt_at) > now,
                    col(HandoffEvent.attempts) > 0,
                )
                .values(next_attempt_at=now)
            )


def _owner() -> str:
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def run_relay(state: AppState, *, app: ASGIApp) -> None:
    """The background task: one shared client per process, woken after commits, polling 1 s."""
    settings = state.settings
    wake: asyncio.Event = state.extras.setdefault(WAKE_KEY, asyncio.Event())
    engine = state.engine.sync_engine
    _wakers[engine] = wake
    if settings.handoff_url:
        client = httpx.AsyncClient(timeout=10.0)
        url = settings.handoff_url
    else:  # the built-in receiver, in-process: still a signed request through the whole stack
        transport = httpx.ASGITransport(app=app)
        # The public URL's host: the one Host name the trusted-host check always answers.
        base = site(settings).url
        client = httpx.AsyncClient(transport=transport, base_url=base, timeout=10.0)
        url = BUILT_IN_PATH
    relay = Relay(client, url, Webhook(settings.resolved_handoff_secret), _owner())
    try:
        async with client:
            while True:
                check_stop()
                wake.clear()
                try:
                    attempted = await deliver_due(state, relay)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("handoff relay round failed")
                    attempted = 0
                if attempted >= BATCH:
                    continue
                try:
                    await asyncio.wait_for(wake.wait(), timeout=POLL_S)
                except TimeoutError:
                    pass
    finally:
        if _wakers.get(engine) is wake:
            del _wakers[engine]


def relay_for(app: ASGIApp) -> Callable[[AppState], Awaitable[None]]:
    """The relay as a background task of `app` (which is also the built-in receiver)."""

    async def handoff_relay(state: AppState) -> None:
        await run_relay(state, app=app)

    return handoff_relay


# Staff views -------------------------------------------------------------------------------


async def page(
    *, session: AsyncSession, status: str | None, limit: int, offset: int
) -> HandoffPage:
    """Events newest first (of one status, or all), the total, and counts per status."""
    query = select(HandoffEvent)
    total_q = select(func.count()).select_from(HandoffEvent)
    if status is not None:
        query = query.where(HandoffEvent.status == status)
        total_q = total_q.where(HandoffEvent.status == status)
    rows = await session.exec(
        query.order_by(col(HandoffEvent.id).desc()).limit(limit).offset(offset)
    )
    grouped = await session.exec(
        select(HandoffEvent.status, func.count()).group_by(col(HandoffEvent.status))
    )
    counts = dict.fromkeys(STATUSES, 0) | {s: int(n) for s, n in grouped.all()}
    return HandoffPage(
        total=int((await session.exec(total_q)).one()),
        items=[HandoffItem.of(row) for row in rows.all()],
        counts=counts,
    )


async def redrive(*, session: AsyncSession, event_id: int) -> HandoffEvent:
    """Put a dead (or waiting) event back in line now, with a fresh 24 h to succeed."""
    row = await session.get(HandoffEvent, event_id)
    if row is None:
        raise NotFound("No such handoff event.", code="handoff_not_found")
    if row.status == "delivered":
        raise Conflict("This event was delivered already.", code="already_delivered")
    now = utcnow()
    row.status, row.next_attempt_at, row.retry_until = "pending", now, now + GIVE_UP_AFTER
    row.lease_owner = row.lease_until = None
    session.add(row)
    mark_written(session)
    return row


async def latest_status(*, session: AsyncSession, candidate_id: str) -> str | None:
    row = await session.exec(
        select(HandoffEvent.status)
        .where(HandoffEvent.candidate_id == candidate_id)
        .order_by(col(HandoffEvent.id).desc())
        .limit(1)
    )
    return row.first()

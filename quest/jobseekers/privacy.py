"""Hong Kong PDPO duties: access (export), erasure, and purging players who never converted."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, update
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Attempt, Challenge, HintUnlock, IdempotentResponse, Progress, Solve
from jobs.schemas import CandidateErased, CandidateRef
from kit.time import as_utc, utcnow
from leaderboard.board import Boards
from quest.accounts.models import Account
from quest.accounts.service import forget_tokens, revoke_all
from quest.boards.archive import forget_player
from quest.core.db import WriteSession, after_commit, run_after_commit
from quest.core.errors import NotFound
from quest.core.state import AppState
from quest.jobseekers import outbox
from quest.jobseekers.models import HandoffEvent, Jobseeker
from quest.jobseekers.schemas import DataExport, ExportedEvent
from quest.quests.models import Quest

log = logging.getLogger("talentquest.privacy")
PROFILE_EVENTS = ("candidate.converted", "candidate.updated")
PURGE_BATCH = 100  # accounts whose erasures are committed between two progress log lines
ERASED_PREFIX = "erased:"


def placeholder(account_id: int) -> str:
    """The handle (and handle key) an erased account keeps: `erased:<id>`.

    Player ids are public on every board, so a placeholder built from the id in the handle
    alphabet (`erased-<id>`) could be registered first by anyone and block the erasure. The
    colon is outside `[A-Za-z0-9_-]`: neither sign-up nor staff accounts can ever produce it.
    """
    return f"{ERASED_PREFIX}{account_id}"


PlayRow = Attempt | Solve | HintUnlock | Progress


async def _play(
    session: AsyncSession, model: type[PlayRow], account_id: int, *order: Mapped[Any]
) -> list[dict[str, Any]]:
    """The account's rows of one play table, each with its challenge's and quest's slugs."""
    slugs = (
        select(Challenge.id, Challenge.slug, col(Quest.slug).label("quest"))
        .join(Quest, col(Quest.id) == col(Challenge.quest_id))
        .subquery()
    )
    rows = await session.exec(
        select(model, slugs.c.slug, slugs.c.quest)
        .join(slugs, slugs.c.id == col(model.challenge_id))
        .where(col(model.account_id) == account_id)
        .order_by(*order)
    )
    return [
        {**row.model_dump(exclude={"account_id"}), "challenge": challenge, "quest": quest}
        for row, challenge, quest in rows.all()
    ]


async def export(*, session: AsyncSession, account_id: int) -> DataExport:
    """Everything held on one account (the password hash excepted), for a data access request."""
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound("No such account.", code="account_not_found")
    jobseeker = (
        await session.exec(select(Jobseeker).where(Jobseeker.account_id == account_id))
    ).first()
    events = await session.exec(
        select(HandoffEvent)
        .where(HandoffEvent.account_id == account_id)
        .order_by(col(HandoffEvent.id))
    )
    return DataExport(
        generated_at=utcnow(),
        account=account.model_dump(exclude={"password_hash", "handle_key"}),
        attempts=await _play(session, Attempt, account_id, col(Attempt.id)),
        solves=await _play(session, Solve, account_id, col(Solve.id)),
        hint_unlocks=await _play(
            session, HintUnlock, account_id, col(HintUnlock.challenge_id), col(HintUnlock.n)
        ),
        progress=await _play(session, Progress, account_id, col(Progress.challenge_id)),
        jobseeker=(
            jobseeker.model_dump(exclude={"consent_history"}) if jobseeker is not None else None
        ),
        consent_history=list(jobseeker.consent_history) if jobseeker is not None else [],
        handoff_events=[
            ExportedEvent(
                webhook_id=e.webhook_id,
                type=e.type,
                status=e.status,
                created_at=e.created_at,
                delivered_at=e.delivered_at,
                payload=json.loads(e.payload),
            )
            for e in events.all()
        ],
    )


async def _forget_handoffs(session: AsyncSession, account_id: int, candidate_id: str) -> None:
    """Profiles not yet delivered are dropped (the erasure supersedes them); sent ones redacted."""
    await session.exec(
        delete(HandoffEvent).where(
            col(HandoffEvent.account_id) == account_id,
            col(HandoffEvent.type).in_(PROFILE_EVENTS),
            col(HandoffEvent.status) != "delivered",
        )
    )
    redacted = json.dumps(
        {"redacted": True, "candidate_id": candidate_id, "account_id": account_id}
    )
    await session.exec(
        update(HandoffEvent)
        .where(
            col(HandoffEvent.account_id) == account_id,
            col(HandoffEvent.type).in_(PROFILE_EVENTS),
        )
        .values(payload=redacted)
    )


async def erase(*, session: WriteSession, redis: Redis, boards: Boards, account_id: int) -> bool:
    """Erase one account's personal data; returns whether it was a jobseeker.

    All of it happens in the caller's transaction, so an erasure is all or nothing: the handle
    becomes `placeholder(id)`, email and password go, tokens are revoked, attempt answers are
    blanked, the jobseeker row is deleted (with `candidate.erased` queued), the player's entries
    leave every board archive, and nothing of the new state depends on a value a user can
    choose. Solves stay, anonymous, so other players' ranks hold. Redis (the token cache, the
    live boards) follows once the erasure has committed; if Redis is away then, the removal
    sweep (`quest/boards/removals.py`) finishes that part when it is back.
    """
    account = await session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        raise NotFound("No such account.", code="account_not_found")
    now = utcnow()
    account.handle = account.handle_key = placeholder(account_id)
    account.email, account.password_hash, account.erased_at = None, "", now
    session.add(account)
    # The account row is written (and, on PostgreSQL, locked) before the archives are read: an
    # archive being written at the same time either waits for this erasure and leaves the
    # player out, or commits first and is rewritten below (quest/boards/archive.py).
    await session.flush()
    await revoke_all(session=session, account_id=account_id)
    await session.exec(
        update(Attempt).where(col(Attempt.account_id) == account_id).values(answer="")
    )
    await session.exec(
        delete(IdempotentResponse).where(col(IdempotentResponse.account_id) == account_id)
    )
    jobseeker = (
        await session.exec(select(Jobseeker).where(Jobseeker.account_id == account_id))
    ).first()
    if jobseeker is not None:
        cid = jobseeker.candidate_id
        await _forget_handoffs(session, account_id, cid)
        await session.delete(jobseeker)
    if jobseeker is not None and not account.simulated:  # a rehearsal player was never sent
        outbox.enqueue(
            session=session,
            event=CandidateErased(
                timestamp=now, data=CandidateRef(candidate_id=cid, account_id=account_id)
            ),
            account_id=account_id,
            candidate_id=cid,
        )
    quests = await session.exec(
        select(Solve.quest_id).where(Solve.account_id == account_id).distinct()
    )
    quest_ids = [int(q) for q in quests.all()]
    await forget_player(session=session, quest_ids=quest_ids, player_id=account_id)

    async def follow_up() -> None:
        try:
            await forget_tokens(redis=redis, account_id=account_id)
            for quest_id in quest_ids:
                await boards.remove_player(quest_id=quest_id, player_id=account_id)
        except RedisError as exc:
            # The erasure is committed; the removal sweep converges Redis once it is back.
            log.warning(
                "account %d erased; Redis not reachable (%s), the sweep finishes it",
                account_id,
                type(exc).__name__,
            )

    after_commit(session, follow_up)
    log.info("account %d erased (jobseeker: %s)", account_id, jobseeker is not None)
    return jobseeker is not None


def _closed_at(quest: Quest) -> datetime:
    """A quest closes at its end, or earlier if staff closed it."""
    ends = as_utc(quest.ends_at)
    if quest.status == "closed":
        return min(ends, as_utc(quest.updated_at))
    return ends


async def purge_candidates(*, session: AsyncSession, cutoff: datetime) -> list[int]:
    """Players never converted, registered before `cutoff`, with no play in a quest that
    closed after `cutoff` (or is still running)."""
    quests = (await session.exec(select(Quest))).all()
    recent = [q.id for q in quests if _closed_at(q) > cutoff]
    recent_play = (
        select(Attempt.account_id)
        .join(Challenge, col(Challenge.id) == col(Attempt.challenge_id))
        .where(col(Challenge.quest_id).in_(recent))
    )
    converted = select(Jobseeker.account_id)
    query = select(Account.id).where(
        Account.role == "player",
        col(Account.erased_at).is_(None),
        col(Account.created_at) < cutoff,
        col(Account.id).not_in(converted),
        col(Account.id).not_in(recent_play),
    )
    return [int(i) for i in (await session.exec(query)).all() if i is not None]


async def _purge_one(state: AppState, account_id: int) -> bool:
    """Erase one account in a transaction of its own; a failure is logged (by id only) and
    rolls back that account alone, which stays whole and is tried again on the next run."""
    try:
        async with state.sessionmaker() as session:
            async with session.begin():
                await erase(
                    session=session, redis=state.redis, boards=state.boards, account_id=account_id
                )
            await run_after_commit(session)
    except asyncio.CancelledError:
        raise
    except NotFound:
        return False  # erased meanwhile (the player asked first): nothing left to do
    except Exception as exc:  # one account's failure must not stop the others
        # The exception's text may quote row values (a handle, an email): only its type is kept.
        log.warning(
            "purge: account %d not erased (%s); tried again on the next run",
            account_id,
            type(exc).__name__,
        )
        return False
    return True


async def purge_unconverted(state: AppState, *, now: datetime) -> int:
    """Scheduled: erase players who never converted, `purge_after_days` after their quest closed.

    Returns how many were erased. Each account is erased in its own transaction, so one that
    fails is skipped and the rest go on.
    """
    cutoff = now - timedelta(days=state.settings.purge_after_days)
    async with state.readmaker() as reader:
        ids = await purge_candidates(session=reader, cutoff=cutoff)
    erased = failed = 0
    for n, account_id in enumerate(ids, start=1):
        if await _purge_one(state, account_id):
            erased += 1
        else:
            failed += 1
        if n % PURGE_BATCH == 0:
            log.info("purge: %d of %d players done", n, len(ids))
    if ids:
        log.info("purged personal data of %d unconverted players (%d not erased)", erased, failed)
    return erased

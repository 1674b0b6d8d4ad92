"""Hong Kong PDPO duties: access (export), erasure, and purging players who never converted."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from redis.asyncio import Redis
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
from quest.core.db import WriteSession, after_commit, run_after_commit
from quest.core.errors import NotFound
from quest.core.state import AppState
from quest.jobseekers import outbox
from quest.jobseekers.models import HandoffEvent, Jobseeker
from quest.jobseekers.schemas import DataExport, ExportedEvent
from quest.quests.models import Quest

log = logging.getLogger("talentquest.privacy")
PROFILE_EVENTS = ("candidate.converted", "candidate.updated")
PURGE_BATCH = 100


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

    The handle becomes `erased-<id>`, email and password go, tokens are revoked, attempt
    answers are blanked, the jobseeker row is deleted (with `candidate.erased` queued), and the
    player leaves every board. Solves stay, anonymous, so other players' ranks hold. Redis
    (the token cache, the boards) follows once the erasure has committed.
    """
    account = await session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        raise NotFound("No such account.", code="account_not_found")
    now = utcnow()
    account.handle = account.handle_key = f"erased-{account_id}"
    account.email, account.password_hash, account.erased_at = None, "", now
    session.add(account)
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
    quest_ids = list(quests.all())

    async def follow_up() -> None:
        await forget_tokens(redis=redis, account_id=account_id)
        for quest_id in quest_ids:
            await boards.remove_player(quest_id=quest_id, player_id=account_id)

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


async def purge_unconverted(state: AppState, *, now: datetime) -> int:
    """Scheduled: erase players who never converted, `purge_after_days` after their quest closed."""
    cutoff = now - timedelta(days=state.settings.purge_after_days)
    async with state.readmaker() as reader:
        ids = await purge_candidates(session=reader, cutoff=cutoff)
    for start in range(0, len(ids), PURGE_BATCH):
        async with state.sessionmaker() as session:
            async with session.begin():
                for account_id in ids[start : start + PURGE_BATCH]:
                    await erase(
                        session=session,
                        redis=state.redis,
                        boards=state.boards,
                        account_id=account_id,
                    )
            await run_after_commit(session)
    if ids:
        log.info("purged personal data of %d unconverted players", len(ids))
    return len(ids)

"""Simulated players on the server: created by staff, counted for the console, erased after.

A simulated account is an ordinary player account with `simulated` set: it plays through
the same API, reaches the boards and the funnel, and never the handoff (so never the job
module's candidates, searches or exports). Only staff can create one.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Attempt, Challenge, HintUnlock, IdempotentResponse, Progress, Solve
from quest.accounts.models import Account
from quest.accounts.schemas import PlayerOut
from quest.accounts.service import create_account, issue_token
from quest.boards import sync as board_sync
from quest.core.db import WriteSession, run_after_commit
from quest.core.state import AppState
from quest.jobseekers.privacy import erase
from quest.quests.models import Quest
from quest.quests.service import get_quest
from quest.rehearsal.schemas import CleanOut, SimulatedOut

log = logging.getLogger("talentquest.rehearsal")
CLEAN_BATCH = 50  # accounts erased per transaction


async def add_player(
    *, session: WriteSession, slug: str, handle: str, password: str, ttl_s: int
) -> PlayerOut:
    """A simulated player of quest `slug`, signed in (409 `handle_taken` like a sign-up).

    Not counted against the sign-ups per address: only staff reach this.
    """
    await get_quest(session=session, slug=slug, include_draft=True)  # 404 for an unknown quest
    account = await create_account(session=session, handle=handle, password=password)
    account.simulated = True
    session.add(account)
    token = await issue_token(session=session, account=account, ttl_s=ttl_s)
    assert account.id is not None
    return PlayerOut(id=account.id, handle=account.handle, token=token)


async def simulated_ids(*, session: AsyncSession, quest: Quest) -> list[int]:
    """Simulated accounts (not erased) that played `quest`, or that never played at all."""
    challenges = select(Challenge.id).where(Challenge.quest_id == quest.id)
    played_here = select(Attempt.account_id).where(col(Attempt.challenge_id).in_(challenges))
    played_any = select(Attempt.account_id)
    query = select(Account.id).where(
        col(Account.simulated).is_(True),
        col(Account.erased_at).is_(None),
        or_(col(Account.id).in_(played_here), col(Account.id).not_in(played_any)),
    )
    return [int(i) for i in (await session.exec(query)).all() if i is not None]


async def count(*, session: AsyncSession, slug: str | None) -> SimulatedOut:
    """Simulated players present: of one quest, or anywhere when `slug` is None."""
    if slug is None:
        query = select(Account.id).where(
            col(Account.simulated).is_(True), col(Account.erased_at).is_(None)
        )
        return SimulatedOut(quest=None, players=len((await session.exec(query)).all()))
    quest = await get_quest(session=session, slug=slug, include_draft=True)
    challenges = select(Challenge.id).where(Challenge.quest_id == quest.id)
    played = select(Attempt.account_id).where(col(Attempt.challenge_id).in_(challenges))
    query = select(Account.id).where(
        col(Account.simulated).is_(True),
        col(Account.erased_at).is_(None),
        col(Account.id).in_(played),
    )
    return SimulatedOut(quest=quest.slug, players=len((await session.exec(query)).all()))


async def _forget_play(session: WriteSession, account_ids: list[int], quest_id: int) -> None:
    """The play rows of erased simulated players in the quest: a rehearsal leaves no trace in
    first-solve bonuses, solve rates or the funnel."""
    challenges = select(Challenge.id).where(Challenge.quest_id == quest_id)
    for model in (Attempt, Solve, HintUnlock, Progress, IdempotentResponse):
        await session.exec(
            delete(model).where(
                col(model.account_id).in_(account_ids),
                col(model.challenge_id).in_(challenges),
            )
        )


async def clean(state: AppState, *, slug: str) -> CleanOut:
    """Erase every simulated player of `slug` (the privacy erasure, then their play rows), in
    batches of their own transactions, then rebuild the quest's boards from SQL."""
    async with state.primary_readmaker() as reader:
        quest = await get_quest(session=reader, slug=slug, include_draft=True)
        ids = await simulated_ids(session=reader, quest=quest)
    assert quest.id is not None
    for start in range(0, len(ids), CLEAN_BATCH):
        batch = ids[start : start + CLEAN_BATCH]
        async with state.sessionmaker() as session:
            async with session.begin():
                for account_id in batch:
                    await erase(
                        session=session,
                        redis=state.redis,
                        boards=state.boards,
                        account_id=account_id,
                    )
                await _forget_play(session, batch, quest.id)
            await run_after_commit(session)
    rebuilt = await board_sync.rebuild(state, quest, reason="rehearsal")
    log.info("rehearsal: %d simulated players of %s erased", len(ids), quest.slug)
    return CleanOut(quest=quest.slug, erased=len(ids), boards_rebuilt=rebuilt)

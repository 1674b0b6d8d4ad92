"""Whether a challenge can be played now: the quest's window, the challenge's, its prerequisites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Challenge, Solve
from kit.time import as_utc
from quest.core.errors import NotFound
from quest.quests.models import Quest


@dataclass(frozen=True)
class Gate:
    """Why a challenge can or cannot be played by a player right now."""

    state: Literal["open", "locked", "closed"]
    opened_at: datetime


def quest_window_open(quest: Quest, now: datetime) -> bool:
    return quest.status == "open" and as_utc(quest.starts_at) <= now < as_utc(quest.ends_at)


def window(quest: Quest, challenge: Challenge, now: datetime) -> Gate:
    """Open or closed by time and status alone (prerequisites aside)."""
    opened_at = as_utc(challenge.opens_at or quest.starts_at)
    if challenge.retired or not quest_window_open(quest, now):
        return Gate("closed", opened_at)
    if challenge.opens_at and now < as_utc(challenge.opens_at):
        return Gate("closed", opened_at)
    if challenge.closes_at and now >= as_utc(challenge.closes_at):
        return Gate("closed", opened_at)
    return Gate("open", opened_at)


def gate(quest: Quest, challenge: Challenge, solved_slugs: set[str], now: datetime) -> Gate:
    verdict = window(quest, challenge, now)
    if verdict.state == "open" and any(req not in solved_slugs for req in challenge.requires):
        return Gate("locked", verdict.opened_at)
    return verdict


async def solved_slugs(*, session: AsyncSession, account_id: int, quest_id: int) -> set[str]:
    rows = await session.exec(
        select(Challenge.slug)
        .join(Solve, col(Solve.challenge_id) == col(Challenge.id))
        .where(Solve.account_id == account_id, Solve.quest_id == quest_id)
    )
    return set(rows.all())


async def load_challenge(*, session: AsyncSession, challenge_id: int) -> tuple[Challenge, Quest]:
    """A playable challenge and its quest by id: retired ones and drafts are not found."""
    challenge = await session.get(Challenge, challenge_id)
    if challenge is None or challenge.retired:
        raise NotFound("No such challenge.", code="challenge_not_found")
    quest = await session.get(Quest, challenge.quest_id)
    assert quest is not None
    if quest.status == "draft":
        raise NotFound("No such challenge.", code="challenge_not_found")
    return challenge, quest

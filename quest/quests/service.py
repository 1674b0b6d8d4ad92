"""Quest queries and staff operations (no HTTP here)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Challenge
from kit.time import utcnow
from leaderboard.board import Boards
from quest.accounts.models import Account
from quest.core.errors import NotFound
from quest.quests.models import Quest, Track


async def get_quest(*, session: AsyncSession, slug: str, include_draft: bool = False) -> Quest:
    quest = (await session.exec(select(Quest).where(Quest.slug == slug))).first()
    if quest is None or (quest.status == "draft" and not include_draft):
        raise NotFound(f"No quest {slug!r}.", code="quest_not_found")
    return quest


async def tracks_of(*, session: AsyncSession, quest_id: int) -> list[Track]:
    rows = await session.exec(
        select(Track)
        .where(Track.quest_id == quest_id, col(Track.position) >= 0)
        .order_by(col(Track.position))
    )
    return list(rows.all())


async def list_quests(
    *, session: AsyncSession, include_draft: bool = False
) -> list[dict[str, Any]]:
    query = select(Quest).order_by(col(Quest.starts_at))
    if not include_draft:
        query = query.where(Quest.status != "draft")
    out = []
    for quest in (await session.exec(query)).all():
        assert quest.id is not None
        tracks = await tracks_of(session=session, quest_id=quest.id)
        out.append(quest_out(quest, tracks))
    return out


def quest_out(quest: Quest, tracks: list[Track]) -> dict[str, Any]:
    return {
        "slug": quest.slug,
        "title": quest.title,
        "status": quest.status,
        "starts_at": quest.starts_at,
        "ends_at": quest.ends_at,
        "timezone": quest.timezone,
        "frozen": quest.frozen,
        "tracks": [{"slug": t.slug, "title": t.title} for t in tracks],
    }


async def live_challenges(*, session: AsyncSession, quest: Quest) -> list[Challenge]:
    """A quest's challenges that are not retired, in document order."""
    rows = await session.exec(
        select(Challenge)
        .where(Challenge.quest_id == quest.id, col(Challenge.retired).is_(False))
        .order_by(col(Challenge.position))
    )
    return list(rows.all())


async def ban_player(*, session: AsyncSession, boards: Boards, account_id: int) -> Account:
    """Ban a player: off every board at once; their record stays."""
    account = await session.get(Account, account_id)
    if account is None or account.role != "player":
        raise NotFound("No such player.", code="player_not_found")
    if account.banned_at is None:
        account.banned_at = utcnow()
        session.add(account)
    quest_ids = (await session.exec(select(Quest.id))).all()
    for quest_id in quest_ids:
        assert quest_id is not None
        await boards.remove_player(quest_id=quest_id, player_id=account_id)
    return account

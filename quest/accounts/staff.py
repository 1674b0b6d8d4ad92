"""What the staff look up about players: the list with a search, one player's attempts."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Attempt, Challenge
from quest.accounts.models import Account
from quest.accounts.schemas import AttemptRow, PlayerRecord, PlayerRow
from quest.core.errors import NotFound


def _row(account: Account) -> PlayerRow:
    assert account.id is not None
    return PlayerRow(
        id=account.id,
        handle=account.handle,
        created_at=account.created_at,
        banned_at=account.banned_at,
    )


async def find_players(*, session: AsyncSession, q: str = "", limit: int = 50) -> list[PlayerRow]:
    """The newest players first; `q` matches part of a handle, any case. At most 200."""
    query = (
        select(Account)
        .where(Account.role == "player")
        .order_by(col(Account.id).desc())
        .limit(max(1, min(limit, 200)))
    )
    if q:
        query = query.where(col(Account.handle_key).contains(q.casefold()))
    return [_row(a) for a in (await session.exec(query)).all()]


async def player_record(*, session: AsyncSession, player_id: int, limit: int) -> PlayerRecord:
    """A player and their latest `limit` attempts, newest first."""
    account = await session.get(Account, player_id)
    if account is None or account.role != "player":
        raise NotFound("No such player.", code="player_not_found")
    rows = await session.exec(
        select(Attempt, Challenge.slug, Challenge.title)
        .join(Challenge, col(Challenge.id) == col(Attempt.challenge_id))
        .where(Attempt.account_id == player_id)
        .order_by(col(Attempt.submitted_at).desc())
        .limit(limit)
    )
    return PlayerRecord(
        player=_row(account),
        attempts=[
            AttemptRow(
                challenge=slug,
                challenge_title=title,
                correct=a.correct,
                answer=a.answer,
                submitted_at=a.submitted_at,
            )
            for a, slug, title in rows.all()
        ],
    )

"""Hint unlocks (attempts themselves go through `challenges.writer`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Challenge, HintUnlock
from kit.time import utcnow


def _insert_ignore(session: AsyncSession, table: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return ins(table)


async def unlock_hint(
    *, session: AsyncSession, account_id: int, challenge: Challenge, n: int
) -> bool:
    """Unlock hint `n` (0-based); True if it was not unlocked before. Costs apply at solve time."""
    assert challenge.id is not None
    hint = challenge.hints[n]
    result = await session.exec(
        _insert_ignore(session, HintUnlock)
        .values(
            account_id=account_id,
            challenge_id=challenge.id,
            n=n,
            cost=int(hint["cost"]),
            unlocked_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)


async def unlocked_hints(*, session: AsyncSession, account_id: int, challenge_id: int) -> set[int]:
    rows = await session.exec(
        select(HintUnlock.n).where(
            HintUnlock.account_id == account_id, HintUnlock.challenge_id == challenge_id
        )
    )
    return set(rows.all())

"""Booth check-ins: the code on a booth's screen finds its challenge, then counts as an attempt."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from challenges.kinds import booth_code_valid
from challenges.models import Challenge
from kit.time import utcnow
from quest.accounts.service import Principal
from quest.core.errors import DomainError
from quest.core.state import AppState
from quest.play.errors import BoothRefused, InvalidBoothCode
from quest.play.gates import quest_window_open
from quest.play.service import AttemptResult, submit
from quest.quests.models import Quest


@dataclass(frozen=True)
class Booth:
    challenge_id: int
    challenge_slug: str
    quest_slug: str
    name: str


@dataclass(frozen=True)
class CheckinResult:
    booth: Booth
    attempt: AttemptResult


async def find_booth(*, state: AppState, code: str, quest_id: int | None = None) -> Booth:
    """The booth of an open quest whose screen shows `code` now (or one step ago)."""
    query = (
        select(Challenge, Quest)
        .join(Quest, col(Quest.id) == col(Challenge.quest_id))
        .where(Challenge.kind == "checkin", col(Challenge.retired).is_(False))
    )
    if quest_id is not None:
        query = query.where(Challenge.quest_id == quest_id)
    async with state.readmaker() as session:
        rows = (await session.exec(query)).all()
    now = utcnow()
    for challenge, quest in rows:
        if quest_window_open(quest, now) and booth_code_valid(challenge.spec["secret"], code):
            assert challenge.id is not None
            return Booth(challenge.id, challenge.slug, quest.slug, challenge.spec["booth"])
    raise InvalidBoothCode()


async def checkin(
    *, state: AppState, principal: Principal, code: str, quest_id: int | None = None
) -> CheckinResult:
    """Check a player in at the booth showing `code` (in any open quest, or only `quest_id`).

    Raises InvalidBoothCode when no booth shows it, BoothRefused when its attempt is refused.
    Must not be called while the caller holds a writer session.
    """
    booth = await find_booth(state=state, code=code, quest_id=quest_id)
    try:
        attempt = await submit(
            state=state,
            principal=principal,
            challenge_id=booth.challenge_id,
            answer=code,
            idempotency_key=None,
        )
    except DomainError as exc:
        raise BoothRefused(booth, exc) from exc
    return CheckinResult(booth=booth, attempt=attempt)

"""Quest queries and staff operations (no HTTP here)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.attempts import unlocked_hints
from challenges.models import Challenge, Progress
from kit.time import utcnow
from leaderboard.board import Boards
from quest.accounts.models import Account
from quest.core.errors import NotFound
from quest.play.service import gate, solved_slugs
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


async def challenges_for(
    *, session: AsyncSession, quest: Quest, account_id: int | None
) -> list[dict[str, Any]]:
    """Every live challenge of a quest with its state for the caller."""
    assert quest.id is not None
    challenges = await live_challenges(session=session, quest=quest)
    progress: dict[int, Progress] = {}
    solved: set[str] = set()
    if account_id is not None:
        rows = await session.exec(
            select(Progress)
            .join(Challenge, col(Challenge.id) == col(Progress.challenge_id))
            .where(Progress.account_id == account_id, Challenge.quest_id == quest.id)
        )
        progress = {p.challenge_id: p for p in rows.all()}
        solved = await solved_slugs(session=session, account_id=account_id, quest_id=quest.id)
    now = utcnow()
    return [
        summary(ch, gate_state(quest, ch, solved, progress.get(ch.id or 0), now))
        for ch in challenges
    ]


def gate_state(
    quest: Quest, ch: Challenge, solved: set[str], progress: Progress | None, now: Any
) -> tuple[str, int | None]:
    used = progress.attempts if progress else 0
    left = None if ch.max_attempts is None else max(0, ch.max_attempts - used)
    if progress is not None and progress.solved_at is not None:
        return "solved", left
    verdict = gate(quest, ch, solved, now).state
    if verdict == "open" and left == 0:
        return "exhausted", left
    return verdict, left


def summary(ch: Challenge, state: tuple[str, int | None]) -> dict[str, Any]:
    return {
        "id": ch.id,
        "slug": ch.slug,
        "track": ch.track,
        "title": ch.title,
        "kind": ch.kind,
        "points": ch.points,
        "state": state[0],
        "attempts_left": state[1],
    }


async def challenge_detail(
    *, session: AsyncSession, challenge: Challenge, quest: Quest, account_id: int | None
) -> dict[str, Any]:
    """The public view of a challenge: never its answer or booth secret."""
    assert challenge.id is not None and quest.id is not None
    progress = None
    solved: set[str] = set()
    unlocked: set[int] = set()
    if account_id is not None:
        progress = await session.get(Progress, (account_id, challenge.id))
        solved = await solved_slugs(session=session, account_id=account_id, quest_id=quest.id)
        unlocked = await unlocked_hints(
            session=session, account_id=account_id, challenge_id=challenge.id
        )
    state = gate_state(quest, challenge, solved, progress, utcnow())
    options = challenge.spec.get("options") if challenge.kind == "choice" else None
    return {
        **summary(challenge, state),
        "quest": quest.slug,
        "prompt": challenge.prompt,
        "options": options,
        "multiple": isinstance(challenge.spec.get("answer"), list) and challenge.kind == "choice",
        "booth": challenge.spec.get("booth") if challenge.kind == "checkin" else None,
        "requires": challenge.requires,
        "hints": [
            {
                "n": n,
                "cost": int(h["cost"]),
                "unlocked": n in unlocked,
                "text": h["text"] if n in unlocked else None,
            }
            for n, h in enumerate(challenge.hints)
        ],
        "opens_at": challenge.opens_at,
        "closes_at": challenge.closes_at,
    }


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

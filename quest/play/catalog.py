"""Challenges as one player sees them: each with its state, attempts left and hints."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.attempts import unlocked_hints
from challenges.models import Challenge, Progress
from kit.time import utcnow
from quest.core.errors import NotFound
from quest.core.state import AppState
from quest.play.gates import gate, solved_slugs
from quest.play.schemas import ChallengeDetail, ChallengeSummary, HintOut, PlayState
from quest.quests.models import Quest
from quest.quests.service import live_challenges


async def find_challenge(*, session: AsyncSession, quest: Quest, slug: str) -> Challenge:
    """A live challenge of a quest by its slug."""
    found = (
        await session.exec(
            select(Challenge).where(
                Challenge.quest_id == quest.id,
                Challenge.slug == slug,
                col(Challenge.retired).is_(False),
            )
        )
    ).first()
    if found is None:
        raise NotFound(code="challenge_not_found")
    return found


async def challenges_for(
    *, session: AsyncSession, quest: Quest, account_id: int | None
) -> list[ChallengeSummary]:
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
        summary(ch, *gate_state(quest, ch, solved, progress.get(ch.id or 0), now))
        for ch in challenges
    ]


async def my_challenges(
    *, state: AppState, slug: str, account_id: int | None
) -> list[ChallengeSummary]:
    """`challenges_for` from the in-process quest cache (content at most 2 s old): one SQL
    query for the caller's progress, none for an anonymous caller."""
    entry = await state.caches.quests.entry(state, slug)
    quest = entry.quest
    progress: dict[int, Progress] = {}
    solved: set[str] = set()
    if account_id is not None:
        progress, solved = await _my_progress(state, account_id, entry.slugs)
    now = utcnow()
    return [
        summary(ch, *gate_state(quest, ch, solved, progress.get(ch.id or 0), now))
        for ch in entry.challenges
    ]


async def _my_progress(
    state: AppState, account_id: int, slugs: dict[int, str]
) -> tuple[dict[int, Progress], set[str]]:
    """The caller's progress in a quest's challenges (`slugs`: every one, retired too), and
    the slugs they solved: primary-key look-ups, columns only (no ORM objects, no join)."""
    if not slugs:
        return {}, set()
    query = select(Progress.challenge_id, Progress.attempts, Progress.solved_at).where(
        Progress.account_id == account_id, col(Progress.challenge_id).in_(list(slugs))
    )
    async with state.readmaker() as session:
        rows = (await session.exec(query)).all()
    progress = {
        cid: Progress(account_id=account_id, challenge_id=cid, attempts=n, solved_at=at)
        for cid, n, at in rows
    }
    # solved_at is set with the solve, in its transaction
    solved = {slugs[cid] for cid, _, at in rows if at is not None}
    return progress, solved


def gate_state(
    quest: Quest, ch: Challenge, solved: set[str], progress: Progress | None, now: datetime
) -> tuple[PlayState, int | None]:
    """The challenge's state for one player, and the attempts they have left (None: no cap)."""
    used = progress.attempts if progress else 0
    left = None if ch.max_attempts is None else max(0, ch.max_attempts - used)
    if progress is not None and progress.solved_at is not None:
        return "solved", left
    verdict = gate(quest, ch, solved, now).state
    if verdict == "open" and left == 0:
        return "exhausted", left
    return verdict, left


def summary(ch: Challenge, state: PlayState, attempts_left: int | None) -> ChallengeSummary:
    assert ch.id is not None
    return ChallengeSummary(
        id=ch.id,
        slug=ch.slug,
        track=ch.track,
        title=ch.title,
        kind=ch.kind,
        points=ch.points,
        state=state,
        attempts_left=attempts_left,
    )


async def my_challenge(
    *, state: AppState, challenge_id: int, account_id: int | None
) -> ChallengeDetail:
    """`challenge_detail` from the in-process content cache (at most 2 s old): one SQL query
    for the caller's progress in the quest (two if the challenge has hints), none for an
    anonymous caller. Retired challenges and drafts are not found."""
    challenge, quest, _ = await state.caches.content.get(state, challenge_id)
    assert quest.id is not None
    progress: Progress | None = None
    solved: set[str] = set()
    unlocked: set[int] = set()
    if account_id is not None:
        entry = await state.caches.quests.entry(state, quest.slug)
        mine, solved = await _my_progress(state, account_id, entry.slugs)
        progress = mine.get(challenge_id)
        if challenge.hints:
            async with state.readmaker() as session:
                unlocked = await unlocked_hints(
                    session=session, account_id=account_id, challenge_id=challenge_id
                )
    return _detail(challenge, quest, solved, progress, unlocked)


async def challenge_detail(
    *, session: AsyncSession, challenge: Challenge, quest: Quest, account_id: int | None
) -> ChallengeDetail:
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
    return _detail(challenge, quest, solved, progress, unlocked)


def _detail(
    challenge: Challenge,
    quest: Quest,
    solved: set[str],
    progress: Progress | None,
    unlocked: set[int],
) -> ChallengeDetail:
    state, left = gate_state(quest, challenge, solved, progress, utcnow())
    options = challenge.spec.get("options") if challenge.kind == "choice" else None
    return ChallengeDetail(
        **summary(challenge, state, left).model_dump(),
        quest=quest.slug,
        prompt=challenge.prompt,
        options=options,
        multiple=isinstance(challenge.spec.get("answer"), list) and challenge.kind == "choice",
        booth=challenge.spec.get("booth") if challenge.kind == "checkin" else None,
        requires=challenge.requires,
        hints=[
            HintOut(
                n=n,
                cost=int(h["cost"]),
                unlocked=n in unlocked,
                text=h["text"] if n in unlocked else None,
            )
            for n, h in enumerate(challenge.hints)
        ],
        opens_at=challenge.opens_at,
        closes_at=challenge.closes_at,
    )

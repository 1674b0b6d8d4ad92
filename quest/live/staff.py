"""The staff's side of the live event: booth codes, the console's figures, announcements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from redis.asyncio import Redis
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.kinds import BOOTH_STEP_S, booth_code
from challenges.models import Attempt, Challenge
from kit.time import utcnow
from leaderboard.live import viewer_total
from quest.core.errors import NotFound
from quest.core.state import AppState
from quest.live.schemas import AnnouncementOut, LiveStatusOut, MinuteCount
from quest.live.service import announce
from quest.quests.service import get_quest

SPM_MINUTES = 10


@dataclass(frozen=True)
class BoothCode:
    code: str
    expires_in: float  # seconds until the code changes
    number: int  # the booth's number (its check-in challenge's id): a check-in names it

    @property
    def full(self) -> str:
        """The code as the screen shows it, booth number first: enough to check in anywhere."""
        return f"{self.number}-{self.code}"

    def checkin_path(self, slug: str) -> str:
        """The check-in page with this booth and code filled in: what the QR code opens."""
        return f"/play/{quote(slug)}/checkin?booth={self.number}&code={self.code}"


async def booth_code_now(*, session: AsyncSession, slug: str, booth: str, now: float) -> BoothCode:
    """The code a booth's screen shows at `now` (a Unix time)."""
    quest = await get_quest(session=session, slug=slug, include_draft=True)
    rows = await session.exec(
        select(Challenge).where(
            Challenge.quest_id == quest.id,
            Challenge.kind == "checkin",
            col(Challenge.retired).is_(False),
        )
    )
    for challenge in rows.all():
        if challenge.spec.get("booth") == booth:
            assert challenge.id is not None
            return BoothCode(
                code=booth_code(challenge.spec["secret"], now=now),
                expires_in=round(BOOTH_STEP_S - (now % BOOTH_STEP_S), 1),
                number=challenge.id,
            )
    raise NotFound(f"No booth {booth!r} in quest {slug!r}.", code="booth_not_found")


async def live_status(*, session: AsyncSession, redis: Redis, slug: str) -> LiveStatusOut:
    """Viewers on every process and submissions in each of the last minutes."""
    quest = await get_quest(session=session, slug=slug, include_draft=True)
    assert quest.id is not None
    now = utcnow().replace(second=0, microsecond=0)
    challenge_ids = select(Challenge.id).where(Challenge.quest_id == quest.id)
    per_minute = []
    for back in range(SPM_MINUTES - 1, -1, -1):
        start = now - timedelta(minutes=back)
        count = (
            await session.exec(
                select(func.count())
                .select_from(Attempt)
                .where(
                    col(Attempt.submitted_at) >= start,
                    col(Attempt.submitted_at) < start + timedelta(minutes=1),
                    col(Attempt.challenge_id).in_(challenge_ids),
                )
            )
        ).one()
        per_minute.append(MinuteCount(minute=start.isoformat(), count=int(count)))
    return LiveStatusOut(
        quest=quest.slug,
        viewers=await viewer_total(redis, quest.id),
        submissions_per_minute=per_minute,
        status=quest.status,
        frozen=quest.frozen,
    )


async def make_announcement(
    *, session: AsyncSession, state: AppState, slug: str, text: str
) -> AnnouncementOut:
    """A banner on every big screen of the quest (and on screens that connect within the hour)."""
    quest = await get_quest(session=session, slug=slug, include_draft=True)
    assert quest.id is not None
    await announce(state, quest_id=quest.id, text=text)
    return AnnouncementOut(quest=quest.slug, text=text)

"""HTTP for the live event: booth codes and QR codes, the staff console's figures, announcements."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import segno
from fastapi import APIRouter, Request, status
from sqlalchemy import func
from sqlmodel import col, select

from challenges.kinds import BOOTH_STEP_S, booth_code
from challenges.models import Attempt, Challenge
from kit.time import utcnow
from leaderboard.live import viewer_total
from quest.core.deps import (
    SessionDep,
    StaffOnly,
    StateDep,
)
from quest.core.errors import NotFound
from quest.live.schemas import AnnouncementIn
from quest.live.service import announce
from quest.quests import service

admin = APIRouter(prefix="/api/admin", tags=["staff"])


SPM_MINUTES = 10


def qr_svg(url: str, *, scale: int = 8) -> str:
    """An inline SVG QR code (no XML declaration), dark on white."""
    return str(segno.make(url, error="m").svg_inline(scale=scale, border=2, omitsize=True))


def public_url(request: Request, path: str) -> str:
    """An absolute URL on the host the request came to (works behind a simple proxy too)."""
    return str(request.base_url).rstrip("/") + path


async def booth_challenge(session: SessionDep, slug: str, booth: str) -> Challenge:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    rows = await session.exec(
        select(Challenge).where(
            Challenge.quest_id == quest.id,
            Challenge.kind == "checkin",
            col(Challenge.retired).is_(False),
        )
    )
    for challenge in rows.all():
        if challenge.spec.get("booth") == booth:
            return challenge
    raise NotFound(f"No booth {booth!r} in quest {slug!r}.", code="booth_not_found")


def booth_payload(request: Request, slug: str, secret: str, now: float) -> dict[str, Any]:
    code = booth_code(secret, now=now)
    url = public_url(request, f"/play/{slug}/checkin?code={code}")
    return {
        "code": code,
        "expires_in": round(BOOTH_STEP_S - (now % BOOTH_STEP_S), 1),
        "url": url,
        "qr_svg": qr_svg(url),
    }


@admin.get("/booths/{slug}/{booth}/code")
async def booth_code_now(
    slug: str, booth: str, request: Request, _: StaffOnly, session: SessionDep
) -> dict[str, Any]:
    """The code a booth's screen shows now, its remaining life, and its QR code."""
    challenge = await booth_challenge(session, slug, booth)
    return {"booth": booth, **booth_payload(request, slug, challenge.spec["secret"], time.time())}


@admin.get("/live/{slug}")
async def live_status(
    slug: str, _: StaffOnly, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    """Figures for the staff console: viewers on every process, submissions per minute."""
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
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
        per_minute.append({"minute": start.isoformat(), "count": int(count)})
    return {
        "quest": quest.slug,
        "viewers": await viewer_total(state.redis, quest.id),
        "submissions_per_minute": per_minute,
        "status": quest.status,
        "frozen": quest.frozen,
    }


@admin.post("/announcements", status_code=status.HTTP_202_ACCEPTED)
async def announcement(
    body: AnnouncementIn, _: StaffOnly, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    quest = await service.get_quest(session=session, slug=body.quest, include_draft=True)
    assert quest.id is not None
    await announce(state, quest_id=quest.id, text=body.text)
    return {"quest": quest.slug, "text": body.text}

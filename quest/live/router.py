"""HTTP for the live event: booth codes and QR codes, the staff console's figures, announcements."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, status

from quest.core.deps import ReadSessionDep, RedisDep, StaffOnly, StateDep
from quest.live import staff
from quest.live.links import public_url, qr_svg
from quest.live.schemas import AnnouncementIn, AnnouncementOut, BoothCodeOut, LiveStatusOut

admin = APIRouter(prefix="/api/admin", tags=["staff"])


@admin.get("/booths/{slug}/{booth}/code", response_model=BoothCodeOut)
async def booth_code_now(
    slug: str, booth: str, request: Request, _: StaffOnly, session: ReadSessionDep
) -> BoothCodeOut:
    """The code a booth's screen shows now, its remaining life, and its QR code."""
    shown = await staff.booth_code_now(session=session, slug=slug, booth=booth, now=time.time())
    url = public_url(request, shown.checkin_path(slug))  # the QR code names the booth
    return BoothCodeOut(
        booth=booth, code=shown.code, expires_in=shown.expires_in, url=url, qr_svg=qr_svg(url)
    )


@admin.get("/live/{slug}", response_model=LiveStatusOut)
async def live_status(
    slug: str, _: StaffOnly, session: ReadSessionDep, redis: RedisDep
) -> LiveStatusOut:
    """Figures for the staff console: viewers on every process, submissions per minute."""
    return await staff.live_status(session=session, redis=redis, slug=slug)


@admin.post("/announcements", status_code=status.HTTP_202_ACCEPTED, response_model=AnnouncementOut)
async def announcement(
    body: AnnouncementIn, _: StaffOnly, session: ReadSessionDep, state: StateDep
) -> AnnouncementOut:
    return await staff.make_announcement(
        session=session, state=state, slug=body.quest, text=body.text
    )

"""HTTP for jobseekers (conversion, notice, profile), privacy requests and handoff operations."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response, status

from kit.bounds import AdminLimit, Id, Offset
from quest.core.deps import (
    CurrentPlayer,
    CurrentPrincipal,
    ReadSessionDep,
    SessionDep,
    StaffOnly,
    StateDep,
)
from quest.jobseekers import outbox, privacy
from quest.jobseekers import service as jobseekers
from quest.jobseekers.notice import notices
from quest.jobseekers.schemas import (
    ConvertedOut,
    DataExport,
    HandoffItem,
    HandoffPage,
    JobseekerIn,
    JobseekerOut,
    JobseekerPatch,
    NoticeOut,
)

router = APIRouter(prefix="/api")


@router.get("/me/jobseeker/notice", response_model=NoticeOut, tags=["jobseekers"])
async def collection_notice() -> NoticeOut:
    """The personal information collection statement, in English and Traditional Chinese."""
    return notices()


@router.post(
    "/me/jobseeker",
    status_code=status.HTTP_201_CREATED,
    response_model=ConvertedOut,
    tags=["jobseekers"],
)
async def convert(
    body: JobseekerIn, player: CurrentPlayer, session: SessionDep, state: StateDep
) -> ConvertedOut:
    return await jobseekers.convert(
        session=session, account_id=player.id, data=body, boards=state.boards
    )


@router.get("/me/jobseeker", response_model=JobseekerOut, tags=["jobseekers"])
async def my_jobseeker(player: CurrentPlayer, session: ReadSessionDep) -> JobseekerOut:
    return await jobseekers.my_profile(session=session, account_id=player.id)


@router.patch("/me/jobseeker", response_model=JobseekerOut, tags=["jobseekers"])
async def patch_jobseeker(
    body: JobseekerPatch, player: CurrentPlayer, session: SessionDep, state: StateDep
) -> JobseekerOut:
    return await jobseekers.update(
        session=session, account_id=player.id, patch=body, boards=state.boards
    )


# The export's rows are encoded as they are (no response model re-serialises their times).
@router.get("/me/export", response_model=None, tags=["privacy"])
async def export_me(principal: CurrentPrincipal, session: ReadSessionDep) -> DataExport:
    """Every piece of data held on the caller (PDPO data access request)."""
    return await privacy.export(session=session, account_id=principal.id)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, tags=["privacy"])
async def erase_me(player: CurrentPlayer, session: SessionDep, state: StateDep) -> Response:
    """Erase the caller's personal data; the job listing module is told (`candidate.erased`)."""
    await privacy.erase(
        session=session, redis=state.redis, boards=state.boards, account_id=player.id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/admin/handoffs", response_model=HandoffPage, tags=["staff"])
async def handoffs(
    _: StaffOnly,
    session: ReadSessionDep,
    status: Literal["pending", "delivered", "dead"] | None = None,
    limit: AdminLimit = 50,
    offset: Offset = 0,
) -> HandoffPage:
    """Delivery status of handoff events, newest first, with counts per status."""
    return await outbox.page(session=session, status=status, limit=limit, offset=offset)


@router.post("/admin/handoffs/{event_id}/redrive", response_model=HandoffItem, tags=["staff"])
async def redrive(event_id: Id, _: StaffOnly, session: SessionDep) -> HandoffItem:
    """Deliver a dead (or waiting) event again now, keeping its webhook-id."""
    return HandoffItem.of(await outbox.redrive(session=session, event_id=event_id))

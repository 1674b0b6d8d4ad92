"""HTTP for jobseekers (conversion, notice, profile), privacy requests and handoff operations."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status

from quest.core.deps import CurrentPlayer, CurrentPrincipal, SessionDep, StaffOnly, StateDep
from quest.core.errors import NotFound
from quest.jobseekers import outbox as handoff
from quest.jobseekers import privacy
from quest.jobseekers import service as jobseekers
from quest.jobseekers.models import HandoffEvent, Jobseeker
from quest.jobseekers.notice import LANGUAGES
from quest.jobseekers.schemas import (
    ConvertedOut,
    HandoffItem,
    HandoffPage,
    HandoffStatus,
    JobseekerIn,
    JobseekerOut,
    JobseekerPatch,
)

router = APIRouter(prefix="/api")


@router.get("/me/jobseeker/notice", tags=["jobseekers"])
async def collection_notice() -> dict[str, Any]:
    """The personal information collection statement, in English and Traditional Chinese."""
    return {"version": jobseekers.NOTICE_VERSION} | {
        lang: jobseekers.notice(lang) for lang in LANGUAGES
    }


async def _out(session: SessionDep, js: Jobseeker) -> dict[str, Any]:
    latest = await handoff.latest_status(session=session, candidate_id=js.candidate_id)
    return {
        "jobseeker_id": js.candidate_id,
        **js.model_dump(exclude={"id", "candidate_id", "account_id"}),
        "consent": {
            "share_with_employers": js.consent,
            "notice_version": js.notice_version,
            "given_at": js.consent_given_at,
        },
        "handoff": {"status": latest or "none"},
    }


@router.post(
    "/me/jobseeker",
    status_code=status.HTTP_201_CREATED,
    response_model=ConvertedOut,
    tags=["jobseekers"],
)
async def convert(
    body: JobseekerIn, player: CurrentPlayer, session: SessionDep, state: StateDep
) -> ConvertedOut:
    js = await jobseekers.convert(
        session=session, account_id=player.id, data=body, boards=state.boards
    )
    return ConvertedOut(jobseeker_id=js.candidate_id, handoff=HandoffStatus(status="pending"))


@router.get("/me/jobseeker", response_model=JobseekerOut, tags=["jobseekers"])
async def my_jobseeker(player: CurrentPlayer, session: SessionDep) -> dict[str, Any]:
    js = await jobseekers.get_jobseeker(session=session, account_id=player.id)
    if js is None:
        raise NotFound("You are not a jobseeker yet.", code="not_a_jobseeker")
    return await _out(session, js)


@router.patch("/me/jobseeker", response_model=JobseekerOut, tags=["jobseekers"])
async def patch_jobseeker(
    body: JobseekerPatch, player: CurrentPlayer, session: SessionDep, state: StateDep
) -> dict[str, Any]:
    js = await jobseekers.update(
        session=session, account_id=player.id, patch=body, boards=state.boards
    )
    return await _out(session, js)


@router.get("/me/export", tags=["privacy"])
async def export_me(principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    """Every piece of data held on the caller (PDPO data access request)."""
    return await privacy.export(session=session, account_id=principal.id)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, tags=["privacy"])
async def erase_me(player: CurrentPlayer, session: SessionDep, state: StateDep) -> Response:
    """Erase the caller's personal data; the job listing module is told (`candidate.erased`)."""
    await privacy.erase(
        session=session, redis=state.redis, boards=state.boards, account_id=player.id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _item(row: HandoffEvent) -> HandoffItem:
    assert row.id is not None
    return HandoffItem(
        id=row.id,
        webhook_id=row.webhook_id,
        type=row.type,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
    )


@router.get("/admin/handoffs", response_model=HandoffPage, tags=["staff"])
async def handoffs(
    _: StaffOnly,
    session: SessionDep,
    status: Literal["pending", "delivered", "dead"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HandoffPage:
    """Delivery status of handoff events, newest first, with counts per status."""
    total, rows, counts = await handoff.page(
        session=session, status=status, limit=limit, offset=offset
    )
    return HandoffPage(total=total, items=[_item(r) for r in rows], counts=counts)


@router.post("/admin/handoffs/{event_id}/redrive", response_model=HandoffItem, tags=["staff"])
async def redrive(event_id: int, _: StaffOnly, session: SessionDep) -> HandoffItem:
    """Deliver a dead (or waiting) event again now, keeping its webhook-id."""
    return _item(await handoff.redrive(session=session, event_id=event_id))

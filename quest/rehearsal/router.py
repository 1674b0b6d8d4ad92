"""HTTP for rehearsals (staff): simulated players are created, counted and erased here."""

from __future__ import annotations

from fastapi import APIRouter, status

from quest.accounts.schemas import PlayerOut
from quest.core.deps import ReadSessionDep, SessionDep, StaffOnly, StateDep
from quest.rehearsal import service
from quest.rehearsal.schemas import CleanOut, SimulatedOut, SimulatedPlayerIn

admin = APIRouter(prefix="/api/admin", tags=["staff"])


@admin.post(
    "/quests/{slug}/simulated-players",
    status_code=status.HTTP_201_CREATED,
    response_model=PlayerOut,
    responses={404: {}, 409: {}},
)
async def add_player(
    slug: str, body: SimulatedPlayerIn, _: StaffOnly, session: SessionDep, state: StateDep
) -> PlayerOut:
    """Sign up a simulated player (marked, never handed off); staff only, so not limited per
    address like `POST /api/players`."""
    return await service.add_player(
        session=session,
        slug=slug,
        handle=body.handle,
        password=body.password,
        ttl_s=state.settings.token_ttl_s,
    )


@admin.get("/simulated-players", response_model=SimulatedOut)
async def count_all(_: StaffOnly, session: ReadSessionDep) -> SimulatedOut:
    return await service.count(session=session, slug=None)


@admin.get("/quests/{slug}/simulated-players", response_model=SimulatedOut, responses={404: {}})
async def count(slug: str, _: StaffOnly, session: ReadSessionDep) -> SimulatedOut:
    return await service.count(session=session, slug=slug)


@admin.delete("/quests/{slug}/simulated-players", response_model=CleanOut, responses={404: {}})
async def clean(slug: str, _: StaffOnly, state: StateDep) -> CleanOut:
    """Erase every simulated player of the quest and rebuild its boards."""
    return await service.clean(state, slug=slug)

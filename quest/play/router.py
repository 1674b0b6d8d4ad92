"""HTTP for playing: challenges with the caller's state, attempts, hints, check-ins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from kit.bounds import Id, Index
from quest.core.deps import (
    CurrentPlayer,
    OptionalPrincipal,
    SessionDep,
    StateDep,
)
from quest.core.responses import json_response
from quest.play import booths, catalog, hints
from quest.play import service as play
from quest.play.schemas import (
    AttemptIn,
    AttemptOut,
    ChallengeDetail,
    ChallengeSummary,
    CheckinIn,
    CheckinOut,
    HintOut,
)

router = APIRouter(prefix="/api")


@router.get("/quests/{slug}/challenges", response_model=list[ChallengeSummary], tags=["challenges"])
async def quest_challenges(slug: str, state: StateDep, principal: OptionalPrincipal) -> Response:
    found = await catalog.my_challenges(
        state=state, slug=slug, account_id=principal.id if principal else None
    )
    return json_response(found)


@router.get("/challenges/{challenge_id}", response_model=ChallengeDetail, tags=["challenges"])
async def challenge(challenge_id: Id, state: StateDep, principal: OptionalPrincipal) -> Response:
    found = await catalog.my_challenge(
        state=state, challenge_id=challenge_id, account_id=principal.id if principal else None
    )
    return json_response(found)


@router.post(
    "/challenges/{challenge_id}/attempts",
    response_model=AttemptOut,
    tags=["challenges"],
    responses={409: {}, 403: {}, 429: {}, 404: {}},
)
async def attempt(
    challenge_id: Id,
    body: AttemptIn,
    player: CurrentPlayer,
    state: StateDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> AttemptOut:
    result = await play.submit(
        state=state,
        principal=player,
        challenge_id=challenge_id,
        answer=body.answer,
        idempotency_key=idempotency_key,
    )
    return AttemptOut.model_validate(result)


@router.post("/challenges/{challenge_id}/hints/{n}", response_model=HintOut, tags=["challenges"])
async def hint(challenge_id: Id, n: Index, player: CurrentPlayer, session: SessionDep) -> HintOut:
    unlocked = await hints.unlock(
        session=session, account_id=player.id, challenge_id=challenge_id, n=n
    )
    return HintOut(n=unlocked.n, cost=unlocked.cost, unlocked=True, text=unlocked.text)


@router.post(
    "/checkins",
    response_model=CheckinOut,
    tags=["challenges"],
    responses={409: {}, 403: {}, 422: {}, 429: {}},
)
async def checkin(body: CheckinIn, player: CurrentPlayer, state: StateDep) -> CheckinOut:
    """Check in at a booth: its code, checked against the booth named (never every booth).

    422 `booth_required` when neither `booth` nor the code names one; wrong codes count
    against a per-player limit (429 `rate_limited` with `Retry-After`).
    """
    done = await booths.checkin(state=state, principal=player, code=body.code, booth=body.booth)
    return CheckinOut(
        booth=done.booth.name,
        points_awarded=done.attempt.points_awarded,
        score=done.attempt.score,
        rank=done.attempt.rank,
    )

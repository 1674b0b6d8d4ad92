"""HTTP for playing: challenges with the caller's state, attempts, hints, check-ins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from sqlmodel import select

from challenges.attempts import unlock_hint
from challenges.kinds import booth_code_valid
from challenges.models import Challenge
from kit.time import utcnow
from quest.core.deps import (
    CurrentPlayer,
    OptionalPrincipal,
    SessionDep,
    StateDep,
)
from quest.core.errors import Forbidden, Invalid, NotFound
from quest.play import catalog
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
from quest.play.service import quest_window_open
from quest.quests import service
from quest.quests.models import Quest

router = APIRouter(prefix="/api")


@router.get("/quests/{slug}/challenges", response_model=list[ChallengeSummary], tags=["challenges"])
async def quest_challenges(
    slug: str, session: SessionDep, principal: OptionalPrincipal
) -> list[dict[str, Any]]:
    found = await service.get_quest(session=session, slug=slug)
    return await catalog.challenges_for(
        session=session, quest=found, account_id=principal.id if principal else None
    )


async def challenge_dep(challenge_id: int, session: SessionDep) -> tuple[Challenge, Quest]:
    return await play.load_challenge(session=session, challenge_id=challenge_id)


ChallengeDep = Annotated[tuple[Challenge, Quest], Depends(challenge_dep)]


@router.get("/challenges/{challenge_id}", response_model=ChallengeDetail, tags=["challenges"])
async def challenge(
    found: ChallengeDep, session: SessionDep, principal: OptionalPrincipal
) -> dict[str, Any]:
    ch, q = found
    return await catalog.challenge_detail(
        session=session, challenge=ch, quest=q, account_id=principal.id if principal else None
    )


@router.post(
    "/challenges/{challenge_id}/attempts",
    response_model=AttemptOut,
    tags=["challenges"],
    responses={409: {}, 403: {}, 429: {}, 404: {}},
)
async def attempt(
    challenge_id: int,
    body: AttemptIn,
    player: CurrentPlayer,
    state: StateDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    if isinstance(body.answer, str) and len(body.answer) > 2000:
        raise Invalid("The answer is too long (2,000 characters at most).", code="answer_too_long")
    if isinstance(body.answer, list) and (
        len(body.answer) > 50 or any(len(a) > 500 for a in body.answer)
    ):
        raise Invalid("Too many or too long options in the answer.", code="answer_too_long")
    return await play.submit(
        state=state,
        principal=player,
        challenge_id=challenge_id,
        answer=body.answer,
        idempotency_key=idempotency_key,
    )


@router.post("/challenges/{challenge_id}/hints/{n}", response_model=HintOut, tags=["challenges"])
async def hint(
    n: int, found: ChallengeDep, player: CurrentPlayer, session: SessionDep
) -> dict[str, Any]:
    ch, q = found
    if not 0 <= n < len(ch.hints):
        raise NotFound(f"This challenge has no hint {n}.", code="hint_not_found")
    assert q.id is not None
    solved = await play.solved_slugs(session=session, account_id=player.id, quest_id=q.id)
    if play.gate(q, ch, solved, utcnow()).state != "open":
        raise Forbidden("This challenge is not open to you.", code="locked")
    text, _ = await unlock_hint(session=session, account_id=player.id, challenge=ch, n=n)
    return {"n": n, "cost": int(text["cost"]), "unlocked": True, "text": text["text"]}


@router.post("/checkins", response_model=CheckinOut, tags=["challenges"])
async def checkin(body: CheckinIn, player: CurrentPlayer, state: StateDep) -> dict[str, Any]:
    async with state.sessionmaker() as session:
        rows = (
            await session.exec(
                select(Challenge, Quest)
                .join(Quest, Quest.id == Challenge.quest_id)  # type: ignore[arg-type]
                .where(Challenge.kind == "checkin", Challenge.retired == False)  # noqa: E712
            )
        ).all()
    now = utcnow()
    match = next(
        (
            ch
            for ch, q in rows
            if quest_window_open(q, now) and booth_code_valid(ch.spec["secret"], body.code)
        ),
        None,
    )
    if match is None or match.id is None:
        raise Invalid(
            "That booth code is not valid: it may have expired. Scan the screen again.",
            code="invalid_code",
        )
    result = await play.submit(
        state=state, principal=player, challenge_id=match.id, answer=body.code, idempotency_key=None
    )
    return {
        "booth": match.spec["booth"],
        "points_awarded": result["points_awarded"],
        "score": result["score"],
        "rank": result["rank"],
    }

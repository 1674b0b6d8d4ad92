"""HTTP for accounts: sign-up, log-in, log-out; staff manage accounts, players and bans."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlmodel import col, select

from challenges.models import Attempt, Challenge
from quest.accounts import service as accounts
from quest.accounts.models import Account
from quest.accounts.schemas import AccountIn, PlayerIn, PlayerOut, TokenOut
from quest.core.deps import (
    CurrentPrincipal,
    SessionDep,
    StaffOnly,
    StateDep,
    bearer_token,
)
from quest.core.errors import Forbidden, NotFound
from quest.quests import service

router = APIRouter(prefix="/api")
admin = APIRouter(prefix="/api/admin", tags=["staff"])


@router.post(
    "/players", status_code=status.HTTP_201_CREATED, response_model=PlayerOut, tags=["accounts"]
)
async def register(body: PlayerIn, session: SessionDep, state: StateDep) -> dict[str, Any]:
    account = await accounts.create_account(
        session=session, handle=body.handle, password=body.password, email=body.email
    )
    token = await accounts.issue_token(
        session=session, account=account, ttl_s=state.settings.token_ttl_s
    )
    return {"id": account.id, "handle": account.handle, "token": token}


@router.post("/auth/token", response_model=TokenOut, tags=["accounts"])
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, state: StateDep
) -> dict[str, Any]:
    account = await accounts.authenticate(
        session=session, username=form.username, password=form.password
    )
    if account.banned_at is not None:
        raise Forbidden("This account is banned.", code="banned")
    token = await accounts.issue_token(
        session=session, account=account, ttl_s=state.settings.token_ttl_s
    )
    return {"access_token": token, "token_type": "bearer", "role": account.role}


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, tags=["accounts"])
async def logout(
    request: Request, _: CurrentPrincipal, session: SessionDep, state: StateDep
) -> None:
    raw = bearer_token(request)
    assert raw is not None
    await accounts.revoke_token(session=session, redis=state.redis, raw=raw)


@admin.post("/players/{player_id}/ban")
async def ban(player_id: int, _: StaffOnly, session: SessionDep, state: StateDep) -> dict[str, Any]:
    account = await service.ban_player(session=session, boards=state.boards, account_id=player_id)
    await accounts.revoke_all(session=session, redis=state.redis, account_id=player_id)
    return {"id": account.id, "handle": account.handle, "banned_at": account.banned_at}


@admin.post("/accounts", status_code=status.HTTP_201_CREATED)
async def create_account(body: AccountIn, _: StaffOnly, session: SessionDep) -> dict[str, Any]:
    account = await accounts.create_account(
        session=session, handle=body.username, password=body.password, role=body.role
    )
    return {"id": account.id, "username": account.handle, "role": account.role}


@admin.get("/players")
async def players(
    _: StaffOnly, session: SessionDep, q: str = "", limit: int = 50
) -> list[dict[str, Any]]:
    query = (
        select(Account)
        .where(Account.role == "player")
        .order_by(col(Account.id).desc())
        .limit(max(1, min(limit, 200)))
    )
    if q:
        query = query.where(col(Account.handle_key).contains(q.casefold()))
    return [
        {"id": a.id, "handle": a.handle, "created_at": a.created_at, "banned_at": a.banned_at}
        for a in (await session.exec(query)).all()
    ]


@admin.get("/players/{player_id}/attempts")
async def player_attempts(
    player_id: int, _: StaffOnly, session: SessionDep
) -> list[dict[str, Any]]:
    if await session.get(Account, player_id) is None:
        raise NotFound("No such player.", code="player_not_found")
    rows = await session.exec(
        select(Attempt, Challenge.slug)
        .join(Challenge, col(Challenge.id) == col(Attempt.challenge_id))
        .where(Attempt.account_id == player_id)
        .order_by(col(Attempt.submitted_at).desc())
        .limit(500)
    )
    return [
        {
            "challenge": slug,
            "correct": a.correct,
            "answer": a.answer,
            "submitted_at": a.submitted_at,
        }
        for a, slug in rows.all()
    ]

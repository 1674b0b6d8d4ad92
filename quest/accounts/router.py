"""HTTP for accounts: sign-up, log-in, log-out; staff manage accounts, players and bans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from kit.bounds import AdminLimit, Id
from quest.accounts import service as accounts
from quest.accounts import staff
from quest.accounts.schemas import (
    AccountIn,
    AccountOut,
    AttemptOut,
    BanOut,
    PlayerIn,
    PlayerOut,
    PlayerRow,
    TokenOut,
)
from quest.core.deps import (
    BoardsDep,
    CurrentPrincipal,
    ReadSessionDep,
    RedisDep,
    SessionDep,
    StaffOnly,
    StateDep,
    bearer_token,
)

router = APIRouter(prefix="/api")
admin = APIRouter(prefix="/api/admin", tags=["staff"])


def request_origin(request: Request, state: StateDep) -> accounts.Origin:
    """The client address of the ASGI scope (behind a proxy: as uvicorn's --proxy-headers
    and --forwarded-allow-ips set it), for the log-in and sign-up limits."""
    address = request.client.host if request.client else "unknown"
    return accounts.Origin(address=address, redis=state.redis, settings=state.settings)


OriginDep = Annotated[accounts.Origin, Depends(request_origin)]


@router.post(
    "/players",
    status_code=status.HTTP_201_CREATED,
    response_model=PlayerOut,
    tags=["accounts"],
    responses={409: {}, 429: {}},
)
async def register(
    body: PlayerIn, session: SessionDep, state: StateDep, origin: OriginDep
) -> PlayerOut:
    """Sign up; sign-ups per client address are limited (429 `rate_limited`, `Retry-After`)."""
    return await accounts.sign_up(
        session=session, player=body, ttl_s=state.settings.token_ttl_s, origin=origin
    )


@router.post("/auth/token", response_model=TokenOut, tags=["accounts"], responses={429: {}})
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    state: StateDep,
    origin: OriginDep,
) -> TokenOut:
    """Log in; failed log-ins back off per username and per client address (429)."""
    return await accounts.log_in(
        session=session,
        username=form.username,
        password=form.password,
        ttl_s=state.settings.token_ttl_s,
        origin=origin,
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, tags=["accounts"])
async def logout(
    request: Request, _: CurrentPrincipal, session: SessionDep, redis: RedisDep
) -> None:
    raw = bearer_token(request)
    assert raw is not None
    await accounts.revoke_token(session=session, redis=redis, raw=raw)


@admin.post("/players/{player_id}/ban", response_model=BanOut)
async def ban(
    player_id: Id, _: StaffOnly, session: SessionDep, redis: RedisDep, boards: BoardsDep
) -> BanOut:
    return await accounts.ban(session=session, redis=redis, boards=boards, account_id=player_id)


@admin.post("/accounts", status_code=status.HTTP_201_CREATED, response_model=AccountOut)
async def create_account(body: AccountIn, _: StaffOnly, session: SessionDep) -> AccountOut:
    return await accounts.create_staff_account(session=session, account=body)


@admin.get("/players", response_model=list[PlayerRow])
async def players(
    _: StaffOnly, session: ReadSessionDep, q: str = "", limit: AdminLimit = 50
) -> list[PlayerRow]:
    return await staff.find_players(session=session, q=q, limit=limit)


@admin.get("/players/{player_id}/attempts", response_model=list[AttemptOut])
async def player_attempts(player_id: Id, _: StaffOnly, session: ReadSessionDep) -> list[AttemptOut]:
    record = await staff.player_record(session=session, player_id=player_id, limit=500)
    return list(record.attempts)

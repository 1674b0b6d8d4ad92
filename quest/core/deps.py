"""Dependencies named once and used everywhere (`SessionDep`, `CurrentPlayer`, `StaffOnly`...)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from leaderboard.board import Boards
from quest.accounts.service import Principal, principal_for
from quest.core.csrf import SESSION_COOKIE as SESSION_COOKIE
from quest.core.csrf import check_cookie_request
from quest.core.db import ReadSession, WriteSession, run_after_commit, run_on_commit
from quest.core.errors import Forbidden, Unauthenticated
from quest.core.settings import Settings
from quest.core.state import AppState


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.tq
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings_dep(state: StateDep) -> Settings:
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session(state: StateDep) -> AsyncIterator[WriteSession]:
    """The one place transactions happen: commit when the handler returns, before the reply."""
    async with state.sessionmaker() as session:
        async with session.begin():
            yield session
        run_on_commit(session)  # e.g. cache invalidation that must not precede the commit
        await run_after_commit(session)  # Redis follow-ups, still before the reply


SessionDep = Annotated[WriteSession, Depends(get_session, scope="function")]


async def get_read_session(state: StateDep) -> AsyncIterator[ReadSession]:
    """A read-only session for GETs: never the writer, so reads never wait for writes."""
    async with state.readmaker() as session:
        yield session


ReadSessionDep = Annotated[ReadSession, Depends(get_read_session, scope="function")]


async def get_redis(state: StateDep) -> Redis:
    return state.redis


RedisDep = Annotated[Redis, Depends(get_redis)]


async def get_boards(state: StateDep) -> Boards:
    return state.boards


BoardsDep = Annotated[Boards, Depends(get_boards)]


def bearer_token(request: Request) -> str | None:
    """The caller's token: the `Authorization: Bearer` header, else the session cookie."""
    return _header_token(request) or request.cookies.get(SESSION_COOKIE) or None


def _header_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def optional_principal(request: Request) -> Principal | None:
    """The caller, from the bearer header or the session cookie (every API route's one way in).

    A cookie is sent by the browser on its own, so an unsafe request it authenticates must
    also prove it comes from our pages (CSRF token header, same origin): 403 `csrf_failed`.
    A safe request never computes a CSRF token. The owner comes from this process's token
    cache when it can (no I/O: `quest/accounts/tokens.py`)."""
    raw = _header_token(request)
    if raw is None:
        raw = request.cookies.get(SESSION_COOKIE) or None
        if raw is None:
            return None
        check_cookie_request(request)
    cached: Principal | None = request.scope.get("tq.principal")
    if cached is not None:
        return cached
    state: AppState = request.app.state.tq
    # A miss reads the writer's side, never a replica: a lagging copy would refuse a new
    # token and re-cache a revoked one.
    principal = await principal_for(
        cache=state.caches.tokens, redis=state.redis, readmaker=state.primary_readmaker, raw=raw
    )
    request.scope["tq.principal"] = principal
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def current_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise Unauthenticated(headers={"WWW-Authenticate": "Bearer"})
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require(*roles: str):  # type: ignore[no-untyped-def]
    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"This needs the {' or '.join(roles)} role.", code="forbidden")
        return principal

    return dependency


CurrentPlayer = Annotated[Principal, Depends(require("player"))]
StaffOnly = Annotated[Principal, Depends(require("staff"))]
RecruiterOnly = Annotated[Principal, Depends(require("recruiter", "staff"))]


async def jobs_caller(principal: CurrentPrincipal) -> Principal:
    """The caller as `jobs/` sees it (its `Principal` protocol: `id` and `role`); 401 if none."""
    return principal

"""Page dependencies: who is looking (from the `tq_session` cookie), role gates, read sessions."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from quest.accounts.service import Principal, resolve_token
from quest.core.deps import SESSION_COOKIE, ReadSessionDep, StateDep
from quest.core.errors import Forbidden, Unauthenticated


def mark_page(request: Request) -> None:
    """Errors raised under this route render as HTML pages, not JSON."""
    request.state.page = True


async def page_user(request: Request, state: StateDep) -> Principal | None:
    """The signed-in account, or None (an expired or revoked cookie is just signed out)."""
    if hasattr(request.state, "user"):
        cached: Principal | None = request.state.user
        return cached
    raw = request.cookies.get(SESSION_COOKIE)
    user: Principal | None = None
    if raw:
        try:
            async with state.primary_readmaker() as session:  # never a lagging replica
                user = await resolve_token(session=session, redis=state.redis, raw=raw)
        except Unauthenticated:
            request.state.drop_session = True
    request.state.user = user
    return user


PageUser = Annotated[Principal | None, Depends(page_user)]


def page_router(**kwargs: Any) -> APIRouter:
    """An APIRouter for HTML pages: hidden from OpenAPI, errors shown as pages, and the
    signed-in user (if any) resolved for the header of every page."""
    return APIRouter(
        include_in_schema=False, dependencies=[Depends(mark_page), Depends(page_user)], **kwargs
    )


def require_role(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: signed in with one of `roles` (else to /login, or a 403 page)."""

    async def dependency(user: PageUser) -> Principal:
        if user is None:
            raise Unauthenticated()
        if user.role not in roles:
            raise Forbidden(code="forbidden")
        return user

    return dependency


PlayerPage = Annotated[Principal, Depends(require_role("player"))]
StaffPage = Annotated[Principal, Depends(require_role("staff"))]
RecruiterPage = Annotated[Principal, Depends(require_role("recruiter", "staff"))]


# Pages are GETs that only look: the API's read-only session (never the SQLite writer).
ReadSession = ReadSessionDep

"""Dependencies: the sessions (the one place transactions are handled), the caller, the
in-memory job catalogue.

The host app provides `app.state.sessionmaker` (the writer) and `app.state.readmaker`
(look-ups; may be the same factory); `jobs/` knows nothing else of it.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.errors import JobsError
from jobs.matching import JobCatalogue

RECRUITER_ROLES = frozenset({"recruiter", "staff"})


class Principal(Protocol):
    """Whoever the game's auth says is calling: an account id and its role."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...  # player | staff | recruiter


@dataclass(frozen=True, slots=True)
class Caller:
    """A plain Principal, for apps and tests that have no account object at hand."""

    id: int
    role: str


PrincipalDependency = Callable[..., Awaitable[Principal]]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session and one transaction per request: committed if the handler returns.

    Used with `scope="function"` so the commit lands before the response is sent
    (FastAPI's default for yield dependencies since 0.118 exits after sending).
    """
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session, session.begin():
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for look-ups only: nothing to commit, and never the SQLite writer's connection."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.readmaker
    async with maker() as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]


async def get_catalogue(request: Request) -> JobCatalogue:
    """The app's one copy of the catalogue for matching, made on first use."""
    catalogue: JobCatalogue | None = getattr(request.app.state, "job_catalogue", None)
    if catalogue is None:
        catalogue = request.app.state.job_catalogue = JobCatalogue()
    return catalogue


CatalogueDep = Annotated[JobCatalogue, Depends(get_catalogue)]


def require_role(
    current_principal: PrincipalDependency, roles: frozenset[str]
) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the app's principal (401 comes from it), 403 unless the role fits."""

    async def dependency(
        principal: Annotated[Principal, Depends(current_principal)],
    ) -> Principal:
        if principal.role not in roles:
            raise JobsError(403, "forbidden", f"This needs the role {' or '.join(sorted(roles))}.")
        return principal

    return dependency

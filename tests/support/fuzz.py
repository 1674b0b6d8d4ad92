"""Helpers for the schema-driven fuzz test: callers whose tokens survive the fuzzer.

The fuzzer calls every operation, `POST /api/auth/logout`, `DELETE /api/me` and
`POST /api/admin/players/{id}/ban` among them, so a token it holds may die at any call.
A dead token is replaced by a fresh account of the same role, created in the database
directly (as `make_account` does): the log-in and sign-up rate limits, which the fuzzer
itself trips on purpose, never stand in the way of a new token.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from quest.accounts.service import create_account, issue_token
from quest.core.db import make_engine, make_sessionmaker

ROLES = ("player", "staff", "recruiter")

# Examples per operation and generation mode; `TQ_FUZZ_EXAMPLES=500 pytest ...` runs more.
DEFAULT_EXAMPLES = 25


def examples() -> int:
    return max(1, int(os.environ.get("TQ_FUZZ_EXAMPLES", DEFAULT_EXAMPLES)))


def seed() -> int:
    return int(os.environ.get("TQ_FUZZ_SEED", "20260901"))


async def _new_account_token(database_url: str, role: str, handle: str) -> str:
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            account = await create_account(
                session=session, handle=handle, password="password123", role=role
            )
            return await issue_token(session=session, account=account, ttl_s=3600)
    finally:
        await engine.dispose()


def new_account_token(database_url: str, role: str, handle: str) -> str:
    """A new account and its token, on an event loop of its own (the test is synchronous)."""
    result: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(_new_account_token(database_url, role, handle)))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=run, name="fuzz-token")
    thread.start()
    thread.join(60)
    if errors:
        raise errors[0]
    assert result, "no token within 60 s"
    return result[0]


@dataclass
class Callers:
    """One live token per role, handed out in turn; a token the server refuses is replaced."""

    database_url: str
    tokens: dict[str, str] = field(default_factory=dict)
    made: int = 0
    turn: Iterator[str] = field(default_factory=lambda: itertools.cycle(ROLES))

    def token(self, role: str) -> str:
        if role not in self.tokens:
            self.made += 1
            self.tokens[role] = new_account_token(
                self.database_url, role, f"fuzz-{role}-{self.made}"
            )
        return self.tokens[role]

    def next_role(self) -> str:
        return next(self.turn)

    def forget(self, role: str) -> None:
        """This role's token is dead (logged out, banned, erased): the next call gets a new one."""
        self.tokens.pop(role, None)

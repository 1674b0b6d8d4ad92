"""Hint unlocks: a hint is shown once unlocked; its cost is taken from the solve's points."""

from __future__ import annotations

from dataclasses import dataclass

from challenges.attempts import unlock_hint
from kit.time import utcnow
from quest.core.db import WriteSession
from quest.core.errors import Forbidden, NotFound
from quest.play.gates import gate, load_challenge, solved_slugs


@dataclass(frozen=True)
class UnlockedHint:
    n: int
    cost: int
    text: str


async def unlock(
    *, session: WriteSession, account_id: int, challenge_id: int, n: int
) -> UnlockedHint:
    """Unlock hint `n` (0-based) of a challenge that is open to the player; again is a no-op."""
    challenge, quest = await load_challenge(session=session, challenge_id=challenge_id)
    if not 0 <= n < len(challenge.hints):
        raise NotFound(f"This challenge has no hint {n}.", code="hint_not_found")
    assert quest.id is not None
    solved = await solved_slugs(session=session, account_id=account_id, quest_id=quest.id)
    if gate(quest, challenge, solved, utcnow()).state != "open":
        raise Forbidden("This challenge is not open to you.", code="locked")
    await unlock_hint(session=session, account_id=account_id, challenge=challenge, n=n)
    hint = challenge.hints[n]
    return UnlockedHint(n=n, cost=int(hint["cost"]), text=str(hint["text"]))

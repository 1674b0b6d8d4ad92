"""Booth check-ins: a code is checked against the one booth the player names, as an attempt.

A booth is named by its number (the id of its check-in challenge, shown on its screen and
carried by its QR code) or by its name. A code may carry the number itself: the booth's
screen shows `<number>-<code>` ("12-482913"; spaces or hyphens are ignored). A bare code
names no booth and is refused (422 `booth_required`): it is never tried against every booth,
which would multiply an attacker's chance by the number of booths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Challenge
from kit.time import utcnow
from quest.accounts.service import Principal
from quest.core.errors import DomainError, NotFound
from quest.core.state import AppState
from quest.play.errors import (
    AmbiguousBooth,
    BoothMismatch,
    BoothRefused,
    BoothRequired,
    InvalidBoothCode,
    UnknownBooth,
)
from quest.play.gates import quest_window_open
from quest.play.service import AttemptResult, submit
from quest.quests.models import Quest

CODE_DIGITS = 6
_SEPARATORS = re.compile(r"[\s\-–·.]+")


@dataclass(frozen=True)
class Booth:
    challenge_id: int
    challenge_slug: str
    quest_slug: str
    name: str

    @property
    def number(self) -> int:
        """What players type or scan to name the booth: its check-in challenge's id."""
        return self.challenge_id


@dataclass(frozen=True)
class CheckinResult:
    booth: Booth
    attempt: AttemptResult


BoothRef = int | str


def split_code(code: str, booth: BoothRef | None) -> tuple[BoothRef, str]:
    """The booth a check-in names and the code to check: `(booth, six digits)`.

    Raises InvalidBoothCode for a code that cannot be one, BoothRequired when nothing names
    a booth, BoothMismatch when the code carries another booth than the one named.
    """
    digits = _SEPARATORS.sub("", code)
    if not digits.isdigit() or len(digits) < CODE_DIGITS:
        raise InvalidBoothCode()
    carried = int(digits[:-CODE_DIGITS]) if len(digits) > CODE_DIGITS else None
    named = _normal_ref(booth)
    if named is None and carried is None:
        raise BoothRequired()
    if named is not None and carried is not None and named != carried:
        raise BoothMismatch()
    ref = named if named is not None else carried
    assert ref is not None
    return ref, digits[-CODE_DIGITS:]


def _normal_ref(booth: BoothRef | None) -> BoothRef | None:
    if booth is None:
        return None
    if isinstance(booth, int):
        return booth
    text = booth.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


async def find_booth(*, state: AppState, ref: BoothRef, quest_id: int | None = None) -> Booth:
    """The booth named by number or name, in an open quest (or only in quest `quest_id`).

    Raises UnknownBooth (no such booth), AmbiguousBooth (a name several open quests use) or
    InvalidBoothCode (its quest is not open now: no code of it is valid).
    """
    if isinstance(ref, int):
        try:
            challenge, quest, _ = await state.caches.content.get(state, ref)
        except NotFound:
            raise UnknownBooth() from None
        found = [(challenge, quest)] if _is_booth(challenge, quest_id) else []
    else:
        async with state.readmaker() as session:
            found = [
                (challenge, quest)
                for challenge, quest in await _booths(session, quest_id)
                if challenge.spec.get("booth") == ref
            ]
        now = utcnow()
        open_ = [(c, q) for c, q in found if quest_window_open(q, now)]
        if len(open_) > 1:
            raise AmbiguousBooth()
        found = open_ or found[:1]
    if not found:
        raise UnknownBooth()
    challenge, quest = found[0]
    if not quest_window_open(quest, utcnow()):
        raise InvalidBoothCode()
    assert challenge.id is not None
    return Booth(challenge.id, challenge.slug, quest.slug, challenge.spec["booth"])


def _is_booth(challenge: Challenge, quest_id: int | None) -> bool:
    return (
        challenge.kind == "checkin"
        and not challenge.retired
        and (quest_id is None or challenge.quest_id == quest_id)
    )


async def _booths(session: AsyncSession, quest_id: int | None) -> list[tuple[Challenge, Quest]]:
    query = (
        select(Challenge, Quest)
        .join(Quest, col(Quest.id) == col(Challenge.quest_id))
        .where(Challenge.kind == "checkin", col(Challenge.retired).is_(False))
        .order_by(col(Challenge.id))
    )
    if quest_id is not None:
        query = query.where(Challenge.quest_id == quest_id)
    return [(c, q) for c, q in (await session.exec(query)).all()]


async def booths_of(*, session: AsyncSession, quest_id: int) -> list[Booth]:
    """The booths of one quest, for a check-in form to choose from."""
    return [
        Booth(c.id, c.slug, q.slug, c.spec["booth"])
        for c, q in await _booths(session, quest_id)
        if c.id is not None
    ]


async def checkin(
    *,
    state: AppState,
    principal: Principal,
    code: str,
    booth: BoothRef | None = None,
    quest_id: int | None = None,
) -> CheckinResult:
    """Check a player in at the booth named by `booth` or by the code itself.

    The code is an attempt at that booth's challenge: a wrong one is recorded and counts
    against the player's wrong-booth-code limit (429 `rate_limited` past it). Raises
    InvalidBoothCode for a wrong code, BoothRefused when the attempt is refused.
    Must not be called while the caller holds a writer session.
    """
    ref, digits = split_code(code, booth)
    found = await find_booth(state=state, ref=ref, quest_id=quest_id)
    try:
        attempt = await submit(
            state=state,
            principal=principal,
            challenge_id=found.challenge_id,
            answer=digits,
            idempotency_key=None,
        )
    except DomainError as exc:
        raise BoothRefused(found, exc) from exc
    if not attempt.correct:
        raise InvalidBoothCode()
    return CheckinResult(booth=found, attempt=attempt)

"""Turning a player into a jobseeker: consent, the profile, the game summary, the handoff events.

Services never commit: each change and its outbox event share the caller's transaction.
Personal data (names, emails, phones) never goes to the log; ids do.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from redis.exceptions import RedisError
from sqlalchemy import and_, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Challenge, Solve
from jobs.schemas import (
    Assessment,
    CandidateConsentWithdrawn,
    CandidateConverted,
    CandidateProfile,
    CandidateRef,
    CandidateUpdated,
    Consent,
)
from kit.time import as_utc, utcnow
from leaderboard.board import Boards, percentile
from quest.accounts.models import Account
from quest.core.errors import Conflict, Invalid, NotFound
from quest.jobseekers import outbox as handoff
from quest.jobseekers.models import Jobseeker
from quest.jobseekers.notice import NOTICE_VERSION, notice
from quest.jobseekers.schemas import ConsentIn, ConsentPatch, JobseekerIn, JobseekerPatch
from quest.quests.models import Quest, Track

__all__ = [
    "NOTICE_VERSION",
    "convert",
    "game_summary",
    "get_jobseeker",
    "notice",
    "update",
]

log = logging.getLogger("talentquest.jobseekers")
STREAK_MIN = 3
_REQUIRED = ("full_name", "email", "education_level", "sectors", "experience_level", "regions")


async def get_jobseeker(*, session: AsyncSession, account_id: int) -> Jobseeker | None:
    query = select(Jobseeker).where(Jobseeker.account_id == account_id)
    return (await session.exec(query)).first()


# The game summary ---------------------------------------------------------------------------


async def _main_quest(session: AsyncSession, account_id: int) -> Quest | None:
    """The quest in which the player has the most points (the latest one on a tie)."""
    total = func.sum(Solve.points)
    row = (
        await session.exec(
            select(Solve.quest_id, total)
            .where(Solve.account_id == account_id)
            .group_by(col(Solve.quest_id))
            .order_by(total.desc(), col(Solve.quest_id).desc())
            .limit(1)
        )
    ).first()
    return None if row is None else await session.get(Quest, row[0])


async def _standing(
    session: AsyncSession, boards: Boards, quest: Quest, account_id: int
) -> tuple[int, float]:
    """Score and percentile from the live board; from SQL if Redis is away."""
    assert quest.id is not None
    try:
        mine = await boards.me(
            quest_id=quest.id,
            scope="all",
            epoch=as_utc(quest.starts_at),
            player_id=account_id,
            around=0,
            frozen=False,
        )
        if mine is not None:
            return int(mine["score"]), float(mine["percentile"])
    except RedisError:
        log.warning("boards unavailable; game summary of account %d from SQL", account_id)
    totals = (
        select(Solve.account_id, func.sum(Solve.points).label("score"))
        .join(Account, col(Account.id) == col(Solve.account_id))
        .where(
            Solve.quest_id == quest.id,
            col(Account.banned_at).is_(None),
            col(Account.erased_at).is_(None),
        )
        .group_by(col(Solve.account_id))
        .subquery()
    )
    rows = await session.exec(select(totals.c.account_id, totals.c.score))
    scores = {int(a): int(s) for a, s in rows.all()}
    score = scores.get(account_id, 0)
    if account_id not in scores:
        return score, 0.0
    rank = 1 + sum(1 for s in scores.values() if s > score)
    return score, percentile(rank, len(scores))


async def _tracks_completed(session: AsyncSession, quest_id: int, account_id: int) -> list[str]:
    live = col(Challenge.retired).is_(False)
    sizes = dict(
        (
            await session.exec(
                select(Challenge.track, func.count())
                .where(Challenge.quest_id == quest_id, live)
                .group_by(col(Challenge.track))
            )
        ).all()
    )
    solved = dict(
        (
            await session.exec(
                select(Challenge.track, func.count())
                .join(Solve, col(Solve.challenge_id) == col(Challenge.id))
                .where(Challenge.quest_id == quest_id, live, Solve.account_id == account_id)
                .group_by(col(Challenge.track))
            )
        ).all()
    )
    order = (
        await session.exec(
            select(Track.slug).where(Track.quest_id == quest_id).order_by(col(Track.position))
        )
    ).all()
    return [t for t in order if sizes.get(t, 0) > 0 and solved.get(t, 0) >= sizes[t]]


async def _first_solver(session: AsyncSession, quest_id: int, account_id: int) -> bool:
    """Whether any of the player's solves is the first solve (ordinal 1) of its challenge."""
    other = aliased(Solve)
    earlier = (
        select(other.id)
        .where(
            other.challenge_id == Solve.challenge_id,
            or_(
                col(other.solved_at) < col(Solve.solved_at),
                and_(col(other.solved_at) == col(Solve.solved_at), col(other.id) < col(Solve.id)),
            ),
        )
        .exists()
    )
    query = select(Solve.id).where(
        Solve.account_id == account_id, Solve.quest_id == quest_id, ~earlier
    )
    return (await session.exec(query.limit(1))).first() is not None


def longest_streak(days: set[date]) -> int:
    """The longest run of consecutive calendar days in `days`."""
    best = 0
    for day in days:
        if day - timedelta(days=1) in days:
            continue  # not the start of a run
        length = 1
        while day + timedelta(days=length) in days:
            length += 1
        best = max(best, length)
    return best


async def _streak(session: AsyncSession, quest: Quest, account_id: int) -> int:
    zone = ZoneInfo(quest.timezone)
    stamps = await session.exec(
        select(Solve.solved_at).where(Solve.account_id == account_id, Solve.quest_id == quest.id)
    )
    return longest_streak({as_utc(at).astimezone(zone).date() for at in stamps.all()})


async def game_summary(*, session: AsyncSession, boards: Boards, account_id: int) -> dict[str, Any]:
    """What the quest says about a player: `{quest, score, percentile, badges, tracks_completed}`.

    Taken from the quest where the player has the most points. Badges: `first-solve` (first
    to solve some challenge), `streak:<n>` (n >= 3 consecutive days with a solve, in the
    quest's time zone) and `track:<slug>` (every challenge of a track solved).
    """
    quest = await _main_quest(session, account_id)
    if quest is None or quest.id is None:
        return {"quest": "", "score": 0, "percentile": 0.0, "badges": [], "tracks_completed": []}
    score, pct = await _standing(session, boards, quest, account_id)
    tracks = await _tracks_completed(session, quest.id, account_id)
    badges = ["first-solve"] if await _first_solver(session, quest.id, account_id) else []
    streak = await _streak(session, quest, account_id)
    if streak >= STREAK_MIN:
        badges.append(f"streak:{streak}")
    badges += [f"track:{t}" for t in tracks]
    return {
        "quest": quest.slug,
        "score": score,
        "percentile": pct,
        "badges": badges,
        "tracks_completed": tracks,
    }


# Conversion and updates --------------------------------------------------------------------


def _require_consent(consent: ConsentIn | ConsentPatch | None) -> str:
    if consent is None or not consent.share_with_employers:
        raise Invalid(
            "Becoming a jobseeker needs your consent to share your profile with employers.",
            code="consent_required",
            errors=[{"path": "consent.share_with_employers", "message": "must be true"}],
        )
    if consent.notice_version != NOTICE_VERSION:
        raise Invalid(
            f"Please read the current collection notice (version {NOTICE_VERSION}) first.",
            code="notice_outdated",
            errors=[{"path": "consent.notice_version", "message": f"must be {NOTICE_VERSION}"}],
        )
    return NOTICE_VERSION


def profile(js: Jobseeker) -> CandidateProfile:
    """The whole profile, as `candidate.converted` and `candidate.updated` carry it."""
    return CandidateProfile(
        candidate_id=js.candidate_id,
        account_id=js.account_id,
        full_name=js.full_name,
        email=js.email,
        phone=js.phone,
        education_level=js.education_level,
        field_of_study=js.field_of_study,
        sectors=js.sectors,
        experience_level=js.experience_level,
        regions=js.regions,
        links=js.links,
        consent=Consent(
            share_with_employers=js.consent,
            notice_version=js.notice_version,
            given_at=as_utc(js.consent_given_at),
        ),
        assessment=Assessment.model_validate(js.assessment),
        converted_at=as_utc(js.converted_at),
    )


def _emit(session: AsyncSession, js: Jobseeker, kind: str) -> None:
    now = utcnow()
    ref = CandidateRef(candidate_id=js.candidate_id, account_id=js.account_id)
    event: CandidateConverted | CandidateUpdated | CandidateConsentWithdrawn
    if kind == "converted":
        event = CandidateConverted(timestamp=now, data=profile(js))
    elif kind == "updated":
        event = CandidateUpdated(timestamp=now, data=profile(js))
    else:
        event = CandidateConsentWithdrawn(timestamp=now, data=ref)
    handoff.enqueue(
        session=session, event=event, account_id=js.account_id, candidate_id=js.candidate_id
    )
    log.info("handoff candidate.%s queued for jobseeker %s", kind, js.candidate_id)


async def convert(
    *, session: AsyncSession, account_id: int, data: JobseekerIn, boards: Boards
) -> Jobseeker:
    """Make the player a jobseeker and queue `candidate.converted` in the same transaction."""
    version = _require_consent(data.consent)
    account = await session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        raise NotFound("No such player.", code="player_not_found")
    if await get_jobseeker(session=session, account_id=account_id) is not None:
        raise Conflict("You are a jobseeker already.", code="already_jobseeker")
    now = utcnow()
    js = Jobseeker(
        candidate_id=f"js_{secrets.token_hex(8)}",
        account_id=account_id,
        **data.model_dump(exclude={"consent"}),
        consent=True,
        notice_version=version,
        consent_given_at=now,
        consent_history=[_consent_entry(True, version, now)],
        assessment=await game_summary(session=session, boards=boards, account_id=account_id),
        converted_at=now,
        updated_at=now,
    )
    session.add(js)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # a concurrent POST by the same player won
        raise Conflict("You are a jobseeker already.", code="already_jobseeker") from None
    _emit(session, js, "converted")
    log.info("account %d became jobseeker %s", account_id, js.candidate_id)
    return js


def _consent_entry(share: bool, version: str, at: Any) -> dict[str, Any]:
    return {"share_with_employers": share, "notice_version": version, "at": at.isoformat()}


async def update(
    *, session: AsyncSession, account_id: int, patch: JobseekerPatch, boards: Boards
) -> Jobseeker:
    """Change fields and/or consent; refresh the game summary; queue what employers must hear.

    Sharing on: `candidate.updated` (the whole profile). Withdrawn now:
    `candidate.consent_withdrawn` only. Withdrawn earlier: nothing leaves the game.
    """
    js = await get_jobseeker(session=session, account_id=account_id)
    if js is None:
        raise NotFound("You are not a jobseeker.", code="not_a_jobseeker")
    changes = patch.model_dump(exclude_unset=True, exclude={"consent"})
    for field, value in changes.items():
        if value is None and field in _REQUIRED:
            raise Invalid(
                f"{field}: cannot be removed.",
                code="invalid_request",
                errors=[{"path": field, "message": "cannot be null"}],
            )
        setattr(js, field, value)
    now = utcnow()
    withdrawn = False
    if patch.consent is not None:
        if patch.consent.share_with_employers:
            version = _require_consent(patch.consent)
            if not js.consent:
                js.consent, js.notice_version, js.consent_given_at = True, version, now
                js.consent_history = [*js.consent_history, _consent_entry(True, version, now)]
        elif js.consent:
            js.consent, withdrawn = False, True
            js.consent_history = [
                *js.consent_history,
                _consent_entry(False, js.notice_version, now),
            ]
    js.assessment = await game_summary(session=session, boards=boards, account_id=account_id)
    js.updated_at = now
    session.add(js)
    if withdrawn:
        _emit(session, js, "consent_withdrawn")
    elif js.consent:
        _emit(session, js, "updated")
    return js

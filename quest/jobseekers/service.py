"""Turning a player into a jobseeker: consent, the profile, the handoff events.

Services never commit: each change and its outbox event share the caller's transaction.
Personal data (names, emails, phones) never goes to the log; ids do.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.schemas import Assessment as HandoffAssessment
from jobs.schemas import (
    CandidateConsentWithdrawn,
    CandidateConverted,
    CandidateProfile,
    CandidateRef,
    CandidateUpdated,
    Consent,
)
from kit.time import as_utc, utcnow
from leaderboard.board import Boards
from quest.accounts.models import Account
from quest.core.db import WriteSession
from quest.core.errors import Conflict, Invalid, NotFound
from quest.jobseekers import outbox
from quest.jobseekers.models import Jobseeker
from quest.jobseekers.notice import NOTICE_VERSION
from quest.jobseekers.schemas import (
    Assessment,
    ConsentEntry,
    ConsentIn,
    ConsentOut,
    ConsentPatch,
    ConvertedOut,
    HandoffStatus,
    JobseekerIn,
    JobseekerOut,
    JobseekerPatch,
)
from quest.jobseekers.summary import game_summary

log = logging.getLogger("talentquest.jobseekers")
_REQUIRED = ("full_name", "email", "education_level", "sectors", "experience_level", "regions")
# The profile's own fields, carried as they are by the API and the handoff events alike.
_PROFILE = {*_REQUIRED, "phone", "field_of_study", "links"}


async def get_jobseeker(*, session: AsyncSession, account_id: int) -> Jobseeker | None:
    query = select(Jobseeker).where(Jobseeker.account_id == account_id)
    return (await session.exec(query)).first()


async def _out(session: AsyncSession, js: Jobseeker) -> JobseekerOut:
    latest = await outbox.latest_status(session=session, candidate_id=js.candidate_id)
    return JobseekerOut(
        jobseeker_id=js.candidate_id,
        **js.model_dump(include=_PROFILE),
        consent=ConsentOut(
            share_with_employers=js.consent,
            notice_version=js.notice_version,
            given_at=js.consent_given_at,
        ),
        consent_history=[ConsentEntry.model_validate(e) for e in js.consent_history],
        assessment=Assessment.model_validate(js.assessment),
        converted_at=js.converted_at,
        updated_at=js.updated_at,
        handoff=HandoffStatus(status=latest or "none"),
    )


async def my_profile(*, session: AsyncSession, account_id: int) -> JobseekerOut:
    """The caller's jobseeker profile, consent and handoff status; 404 not_a_jobseeker."""
    js = await get_jobseeker(session=session, account_id=account_id)
    if js is None:
        raise NotFound("You are not a jobseeker yet.", code="not_a_jobseeker")
    return await _out(session, js)


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


def _profile(js: Jobseeker) -> CandidateProfile:
    """The whole profile, as `candidate.converted` and `candidate.updated` carry it."""
    return CandidateProfile(
        candidate_id=js.candidate_id,
        account_id=js.account_id,
        **js.model_dump(include=_PROFILE),
        consent=Consent(
            share_with_employers=js.consent,
            notice_version=js.notice_version,
            given_at=as_utc(js.consent_given_at),
        ),
        assessment=HandoffAssessment.model_validate(js.assessment),
        converted_at=as_utc(js.converted_at),
    )


def _emit(session: AsyncSession, js: Jobseeker, kind: str) -> None:
    now = utcnow()
    ref = CandidateRef(candidate_id=js.candidate_id, account_id=js.account_id)
    event: CandidateConverted | CandidateUpdated | CandidateConsentWithdrawn
    if kind == "converted":
        event = CandidateConverted(timestamp=now, data=_profile(js))
    elif kind == "updated":
        event = CandidateUpdated(timestamp=now, data=_profile(js))
    else:
        event = CandidateConsentWithdrawn(timestamp=now, data=ref)
    outbox.enqueue(
        session=session, event=event, account_id=js.account_id, candidate_id=js.candidate_id
    )
    log.info("handoff candidate.%s queued for jobseeker %s", kind, js.candidate_id)


def _consent_entry(share: bool, version: str, at: datetime) -> dict[str, Any]:
    entry = ConsentEntry(share_with_employers=share, notice_version=version, at=at.isoformat())
    return entry.model_dump()


async def convert(
    *, session: WriteSession, account_id: int, data: JobseekerIn, boards: Boards
) -> ConvertedOut:
    """Make the player a jobseeker and queue `candidate.converted` in the same transaction."""
    version = _require_consent(data.consent)
    account = await session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        raise NotFound("No such player.", code="player_not_found")
    if await get_jobseeker(session=session, account_id=account_id) is not None:
        raise Conflict("You are a jobseeker already.", code="already_jobseeker")
    now = utcnow()
    summary = await game_summary(session=session, boards=boards, account_id=account_id)
    js = Jobseeker(
        candidate_id=f"js_{secrets.token_hex(8)}",
        account_id=account_id,
        **data.model_dump(exclude={"consent"}),
        consent=True,
        notice_version=version,
        consent_given_at=now,
        consent_history=[_consent_entry(True, version, now)],
        assessment=summary.model_dump(),
        converted_at=now,
        updated_at=now,
    )
    session.add(js)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # a concurrent POST by the same player won
        raise Conflict("You are a jobseeker already.", code="already_jobseeker") from None
    if account.simulated:  # a rehearsal player: in the funnel, never handed to employers
        return ConvertedOut(jobseeker_id=js.candidate_id, handoff=HandoffStatus(status="none"))
    _emit(session, js, "converted")
    log.info("account %d became jobseeker %s", account_id, js.candidate_id)
    return ConvertedOut(jobseeker_id=js.candidate_id, handoff=HandoffStatus(status="pending"))


async def update(
    *, session: WriteSession, account_id: int, patch: JobseekerPatch, boards: Boards
) -> JobseekerOut:
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
    summary = await game_summary(session=session, boards=boards, account_id=account_id)
    js.assessment = summary.model_dump()
    js.updated_at = now
    session.add(js)
    account = await session.get(Account, account_id)
    if account is not None and account.simulated:
        pass  # a rehearsal player: nothing leaves the game
    elif withdrawn:
        _emit(session, js, "consent_withdrawn")
    elif js.consent:
        _emit(session, js, "updated")
    return await _out(session, js)

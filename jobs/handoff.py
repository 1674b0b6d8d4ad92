"""Applying handoff events to the received candidates. Never commits.

Each `webhook-id` is applied once; events older than what a candidate already
reflects are acknowledged and dropped, so retries and reordering are harmless.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from jobs.errors import JobsError
from jobs.models import (
    Candidate,
    ErasedCandidate,
    Interest,
    ReceivedWebhook,
    RecruiterNote,
    Shortlist,
)
from jobs.schemas import (
    EVENT_TYPES,
    HANDOFF_EVENT,
    CandidateConsentWithdrawn,
    CandidateErased,
    CandidateProfile,
    CandidateRef,
    EventEnvelope,
)
from jobs.service import insert_ignore
from kit.time import utcnow

Outcome = Literal["applied", "duplicate", "ignored"]


def _invalid(exc: ValidationError) -> JobsError:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return JobsError(422, "invalid_event", f"The event is not valid at {where}: {first['msg']}.")


async def receive(*, session: AsyncSession, webhook_id: str, body: bytes) -> Outcome:
    """Apply one verified handoff request (its signature has been checked already)."""
    try:
        envelope = EventEnvelope.model_validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    fresh = await insert_ignore(
        session=session,
        model=ReceivedWebhook,
        values={"webhook_id": webhook_id, "type": envelope.type[:64], "received_at": utcnow()},
        keys=["webhook_id"],
    )
    if not fresh:
        return "duplicate"
    if envelope.type not in EVENT_TYPES:
        return "ignored"  # a newer sender's event type: acknowledge, do not fail it forever
    try:
        event = HANDOFF_EVENT.validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    if isinstance(event, CandidateErased):
        await erase(session=session, ref=event.data, at=event.timestamp)
    elif isinstance(event, CandidateConsentWithdrawn):
        await withdraw(session=session, ref=event.data, at=event.timestamp)
    else:
        await upsert(session=session, profile=event.data, at=event.timestamp)
    return "applied"


async def _candidate(session: AsyncSession, candidate_id: str) -> Candidate | None:
    stmt = select(Candidate).where(col(Candidate.candidate_id) == candidate_id)
    return (await session.exec(stmt)).first()


def _profile_values(profile: CandidateProfile) -> dict[str, Any]:
    a = profile.assessment
    searchable = [profile.full_name, profile.field_of_study or "", a.quest, *a.badges]
    return {
        "account_id": profile.account_id,
        "full_name": profile.full_name,
        "email": profile.email,
        "phone": profile.phone,
        "education_level": profile.education_level,
        "field_of_study": profile.field_of_study,
        "sectors": list(dict.fromkeys(profile.sectors)),
        "sectors_text": "|" + "".join(f"{s}|" for s in dict.fromkeys(profile.sectors)),
        "experience_level": profile.experience_level,
        "regions": list(dict.fromkeys(profile.regions)),
        "regions_text": "|" + "".join(f"{r}|" for r in dict.fromkeys(profile.regions)),
        "links": list(profile.links),
        "consent": profile.consent.share_with_employers,
        "notice_version": profile.consent.notice_version,
        "consent_given_at": profile.consent.given_at,
        "quest": a.quest,
        "score": a.score,
        "percentile": a.percentile,
        "badges": list(a.badges),
        "tracks_completed": list(a.tracks_completed),
        "search_text": " ".join([*searchable, *a.tracks_completed]).lower(),
        "converted_at": profile.converted_at,
    }


async def upsert(*, session: AsyncSession, profile: CandidateProfile, at: datetime) -> None:
    """candidate.converted / candidate.updated: the whole profile replaces what we hold."""
    tomb = await session.get(ErasedCandidate, profile.candidate_id)
    if tomb is not None:
        if tomb.erased_at >= at:
            return  # sent before the erasure, delivered after it
        await session.delete(tomb)
    values = _profile_values(profile)
    now = utcnow()
    candidate = await _candidate(session, profile.candidate_id)
    if candidate is None:
        row = {**values, "candidate_id": profile.candidate_id, "event_at": at}
        row |= {"received_at": now, "updated_at": now}
        if await insert_ignore(session=session, model=Candidate, values=row, keys=["candidate_id"]):
            candidate = await _candidate(session, profile.candidate_id)
            assert candidate is not None
            if not candidate.consent:
                await _forget_personal(session, candidate)
            return
        candidate = await _candidate(session, profile.candidate_id)  # a concurrent delivery won
        assert candidate is not None
    if candidate.event_at > at:
        return
    for key, value in values.items():
        setattr(candidate, key, value)
    candidate.event_at, candidate.updated_at = at, now
    if not candidate.consent:
        await _forget_personal(session, candidate)
    session.add(candidate)


async def _drop_recruiter_data(session: AsyncSession, candidate_id: str) -> None:
    await session.exec(delete(Shortlist).where(col(Shortlist.candidate_id) == candidate_id))
    await session.exec(delete(RecruiterNote).where(col(RecruiterNote.candidate_id) == candidate_id))


async def _forget_personal(session: AsyncSession, candidate: Candidate) -> None:
    """Without consent we keep only what matching needs; contact details go."""
    candidate.consent = False
    candidate.full_name, candidate.email, candidate.phone = "", "", None
    candidate.links, candidate.search_text = [], ""
    session.add(candidate)
    await _drop_recruiter_data(session, candidate.candidate_id)


async def withdraw(*, session: AsyncSession, ref: CandidateRef, at: datetime) -> None:
    candidate = await _candidate(session, ref.candidate_id)
    if candidate is None or candidate.event_at > at:
        return
    candidate.event_at, candidate.updated_at = at, utcnow()
    await _forget_personal(session, candidate)


async def erase(*, session: AsyncSession, ref: CandidateRef, at: datetime) -> None:
    """Delete every row holding the person; a tombstone (id and time only) stays."""
    cid = ref.candidate_id
    await session.exec(delete(Interest).where(col(Interest.candidate_id) == cid))
    await _drop_recruiter_data(session, cid)
    await session.exec(delete(Candidate).where(col(Candidate.candidate_id) == cid))
    tomb = await session.get(ErasedCandidate, cid)
    if tomb is None:
        session.add(ErasedCandidate(candidate_id=cid, erased_at=at))
    elif tomb.erased_at < at:
        tomb.erased_at = at
        session.add(tomb)

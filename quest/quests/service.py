"""Quests: look-ups, the document import, and the staff's status and freeze changes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Challenge
from kit.time import utcnow
from leaderboard.board import Boards
from quest.core.db import WriteSession, after_commit, on_commit
from quest.core.errors import Invalid, NotFound
from quest.quests import revisions
from quest.quests.caches import clear_caches
from quest.quests.content import ContentError, QuestDoc, import_quest, parse_text, validate
from quest.quests.models import Quest, QuestRevision, Track
from quest.quests.revisions import (
    CLI,
    Author,
    ConfirmationRequired,
    affected_solves,
    clean,
    record,
)
from quest.quests.schemas import QuestOut, QuestPatch, TrackOut

Syntax = Literal["yaml", "json"]


@dataclass(frozen=True)
class Imported:
    quest: QuestOut
    created: bool
    revision: int | None = None  # the revision this import made; None: nothing changed


async def get_quest(*, session: AsyncSession, slug: str, include_draft: bool = False) -> Quest:
    quest = (await session.exec(select(Quest).where(Quest.slug == slug))).first()
    if quest is None or (quest.status == "draft" and not include_draft):
        raise NotFound(f"No quest {slug!r}.", code="quest_not_found")
    return quest


async def tracks_of(*, session: AsyncSession, quest_id: int) -> list[Track]:
    rows = await session.exec(
        select(Track)
        .where(Track.quest_id == quest_id, col(Track.position) >= 0)
        .order_by(col(Track.position))
    )
    return list(rows.all())


async def quest_out(*, session: AsyncSession, quest: Quest) -> QuestOut:
    """The public description of a quest, with its listed tracks."""
    assert quest.id is not None
    tracks = await tracks_of(session=session, quest_id=quest.id)
    return QuestOut(
        slug=quest.slug,
        title=quest.title,
        status=quest.status,
        starts_at=quest.starts_at,
        ends_at=quest.ends_at,
        timezone=quest.timezone,
        frozen=quest.frozen,
        tracks=[TrackOut(slug=t.slug, title=t.title) for t in tracks],
    )


async def describe_quest(
    *, session: AsyncSession, slug: str, include_draft: bool = False
) -> QuestOut:
    quest = await get_quest(session=session, slug=slug, include_draft=include_draft)
    return await quest_out(session=session, quest=quest)


async def list_quests(*, session: AsyncSession, include_draft: bool = False) -> list[QuestOut]:
    query = select(Quest).order_by(col(Quest.starts_at))
    if not include_draft:
        query = query.where(Quest.status != "draft")
    return [await quest_out(session=session, quest=q) for q in (await session.exec(query)).all()]


async def live_challenges(*, session: AsyncSession, quest: Quest) -> list[Challenge]:
    """A quest's challenges that are not retired, in document order."""
    rows = await session.exec(
        select(Challenge)
        .where(Challenge.quest_id == quest.id, col(Challenge.retired).is_(False))
        .order_by(col(Challenge.position))
    )
    return list(rows.all())


async def import_document(
    *,
    session: WriteSession,
    document: str | bytes,
    syntax: Syntax = "yaml",
    author: Author = CLI,
    confirm: bool = False,
) -> Imported:
    """Create or update a quest from its document (same slug: updated in place, attempts kept).

    Every import goes through here (API, staff page, CLI, demo): a change of content is
    recorded as a revision by `author`; an identical re-import records none. Nothing changes
    unless the whole document is valid; `Invalid` lists every error with its field path.
    Changing the answer or points of a challenge with solves, or dropping it, raises
    `ConfirmationRequired` (listing what happens to those solves) unless `confirm`.
    `syntax="json"` reads strict JSON; YAML (the default) reads JSON too.
    """
    doc = _read_document(document, syntax)
    # One import of a quest at a time (PostgreSQL; SQLite has one writer): revision numbers.
    existing = (
        await session.exec(select(Quest).where(Quest.slug == doc.slug).with_for_update())
    ).first()
    before = dict(existing.document) if existing is not None and existing.document else None
    if existing is not None and not confirm:
        affected = await affected_solves(
            session=session, quest=existing, new=doc.model_dump(mode="json")
        )
        if affected:
            raise ConfirmationRequired(affected)
    quest, created = await import_quest(session=session, doc=doc)
    revision = await record(session=session, quest=quest, before=before, author=author)
    on_commit(session, clear_caches)
    return Imported(
        quest=await quest_out(session=session, quest=quest),
        created=created,
        revision=revision.n if revision is not None else None,
    )


async def quest_document(*, session: AsyncSession, slug: str) -> dict[str, Any]:
    """The quest's current document (with its booths' secrets: staff only)."""
    quest = await get_quest(session=session, slug=slug, include_draft=True)
    return clean(quest.document or {})


@dataclass(frozen=True)
class RevisionDetail:
    revision: QuestRevision
    diff: str


async def quest_revisions(*, session: AsyncSession, slug: str) -> list[QuestRevision]:
    """The quest's revisions, newest first."""
    quest = await get_quest(session=session, slug=slug, include_draft=True)
    assert quest.id is not None
    return await revisions.revisions_of(session=session, quest_id=quest.id)


async def quest_revision(*, session: AsyncSession, slug: str, n: int) -> RevisionDetail:
    """Revision n with a unified YAML diff against revision n - 1."""
    quest = await get_quest(session=session, slug=slug, include_draft=True)
    assert quest.id is not None
    found = await revisions.revision(session=session, quest_id=quest.id, n=n)
    if found is None:
        raise NotFound(f"Quest {slug!r} has no revision {n}.", code="revision_not_found")
    previous = await revisions.revision(session=session, quest_id=quest.id, n=n - 1)
    diff = revisions.yaml_diff(previous.document if previous else None, found.document, n=n)
    return RevisionDetail(revision=found, diff=diff)


async def restore_revision(
    *, session: WriteSession, slug: str, n: int, author: Author, confirm: bool = False
) -> Imported:
    """Import revision n's document again, as a new revision (attempts and scores kept)."""
    found = await quest_revision(session=session, slug=slug, n=n)
    # Content only: restoring never moves a live quest back to the status it had then
    # (documents stored before revisions existed may still carry one).
    document = {k: v for k, v in found.revision.document.items() if k != "status"}
    return await import_document(
        session=session,
        document=json.dumps(document),
        syntax="json",
        author=author,
        confirm=confirm,
    )


def _read_document(document: str | bytes, syntax: Syntax = "yaml") -> QuestDoc:
    """Decode, parse and validate a quest document, or raise `Invalid` naming every error."""
    if isinstance(document, bytes):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError:
            raise _invalid(
                [{"path": "(document)", "message": "not UTF-8 text"}],
                detail="The document must be UTF-8 text.",
            ) from None
    try:
        raw = json.loads(document) if syntax == "json" else parse_text(document)
    except ValueError as exc:  # JSON's errors, and YAML values no type accepts (a 13th month)
        syntax_name = "JSON" if syntax == "json" else "YAML/JSON"
        raise _invalid(
            [{"path": "(document)", "message": f"not valid {syntax_name}: {exc}"}],
            detail=f"Not valid {syntax_name}: {exc}",
        ) from None
    except ContentError as exc:
        raise _invalid(exc.errors) from None
    try:
        return validate(raw)
    except ContentError as exc:
        raise _invalid(exc.errors) from None


def _invalid(errors: list[dict[str, str]], *, detail: str | None = None) -> Invalid:
    if detail is None:
        first, more = errors[0], len(errors) - 1
        detail = f"{first['path']}: {first['message']}" + (f" (and {more} more)" if more else "")
    return Invalid(detail, code="invalid_document", errors=errors)


async def change_quest(
    *, session: WriteSession, boards: Boards, slug: str, change: QuestPatch
) -> QuestOut:
    """Set a quest's status and/or freeze its public boards.

    The boards are frozen or thawed only once the change has committed: a change that rolls
    back leaves them as they were.
    """
    quest = await get_quest(session=session, slug=slug, include_draft=True)
    assert quest.id is not None
    quest_id, thaw_or_freeze = quest.id, None
    if change.status is not None:
        quest.status = change.status
    if change.frozen is not None and change.frozen != quest.frozen:
        quest.frozen = change.frozen
        quest.frozen_at = utcnow() if change.frozen else None
        thaw_or_freeze = boards.freeze if change.frozen else boards.unfreeze
    quest.updated_at = utcnow()
    session.add(quest)

    async def follow_up() -> None:
        try:
            if thaw_or_freeze is not None:
                await thaw_or_freeze(quest_id=quest_id)
        finally:
            clear_caches()  # after the boards, so this process never reads a missing copy

    after_commit(session, follow_up)
    return await quest_out(session=session, quest=quest)

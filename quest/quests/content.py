"""Quest documents: parse YAML/JSON, validate with field paths, import in place."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlmodel import col, select

from challenges.content import HORIZON, HORIZON_MESSAGE, ChallengeDoc, score_problems
from challenges.models import Challenge
from kit.time import utcnow
from quest.core.db import WriteSession
from quest.quests.models import Quest, Track

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class TrackDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: Slug
    title: str = Field(min_length=1, max_length=200)


class QuestDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: Slug
    title: str = Field(min_length=1, max_length=200)
    timezone: str = "Asia/Hong_Kong"
    starts_at: datetime
    ends_at: datetime
    status: Literal["draft", "open", "paused", "closed"] | None = None
    description: str | None = Field(default=None, max_length=5000)
    tracks: list[TrackDoc] = Field(min_length=1)
    challenges: list[ChallengeDoc] = Field(min_length=1)


class ContentError(Exception):
    """A document with errors; each has a field path like `challenges[3].answer`."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))


def path_of(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in {"str", "float", "int", "list[str]", "RegexAnswer"} or "[" in str(part):
            continue  # union branch names pydantic adds to locations
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


def parse_text(text: str) -> Any:
    """Parse YAML (a superset of JSON) into plain data, or raise ContentError."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        try:
            return json.loads(text)
        except ValueError:
            pass
        raise ContentError(
            [{"path": "(document)", "message": f"not valid YAML/JSON: {exc}"}]
        ) from None


def validate(raw: Any) -> QuestDoc:
    """Every error in the document at once, with its path."""
    if not isinstance(raw, dict):
        raise ContentError([{"path": "(document)", "message": "a quest must be a mapping"}])
    try:
        doc = QuestDoc.model_validate(raw)
    except ValidationError as exc:
        # Deduplicate the union fan-out pydantic reports for `answer`.
        seen: dict[str, dict[str, str]] = {}
        for e in exc.errors():
            seen.setdefault(path_of(e["loc"]), {"path": path_of(e["loc"]), "message": e["msg"]})
        raise ContentError(list(seen.values())) from None
    errors: list[dict[str, str]] = []
    try:
        ZoneInfo(doc.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append({"path": "timezone", "message": f"unknown time zone {doc.timezone!r}"})
    if doc.starts_at.tzinfo is None:
        errors.append({"path": "starts_at", "message": "needs a UTC offset"})
    if doc.ends_at.tzinfo is None:
        errors.append({"path": "ends_at", "message": "needs a UTC offset"})
    elif doc.starts_at.tzinfo and doc.ends_at <= doc.starts_at:
        errors.append({"path": "ends_at", "message": "ends_at must be after starts_at"})
    elif doc.starts_at.tzinfo and doc.ends_at - doc.starts_at > HORIZON:
        errors.append({"path": "ends_at", "message": HORIZON_MESSAGE})
    errors += [{"path": p, "message": m} for p, m in score_problems(doc.challenges)]
    track_slugs = [t.slug for t in doc.tracks]
    for i, slug in enumerate(track_slugs):
        if slug in track_slugs[:i]:
            errors.append({"path": f"tracks[{i}].slug", "message": f"duplicate track {slug!r}"})
    seen_slugs: list[str] = []
    all_slugs = {c.slug for c in doc.challenges}
    booths: dict[str, int] = {}
    for i, ch in enumerate(doc.challenges):
        here = f"challenges[{i}]"
        if ch.slug in seen_slugs:
            errors.append({"path": f"{here}.slug", "message": f"duplicate challenge {ch.slug!r}"})
        seen_slugs.append(ch.slug)
        if ch.track not in track_slugs:
            errors.append({"path": f"{here}.track", "message": f"no track {ch.track!r}"})
        for j, req in enumerate(ch.requires):
            if req not in all_slugs or req == ch.slug:
                errors.append(
                    {"path": f"{here}.requires[{j}]", "message": f"no other challenge {req!r}"}
                )
        for rel, message in ch.problems():
            errors.append({"path": f"{here}.{rel}", "message": message})
        for field in ("opens_at", "closes_at"):
            value = getattr(ch, field)
            if value is not None and value.tzinfo is None:
                errors.append({"path": f"{here}.{field}", "message": "needs a UTC offset"})
        if ch.booth:
            if ch.booth in booths:
                errors.append({"path": f"{here}.booth", "message": f"booth {ch.booth!r} repeated"})
            booths[ch.booth] = i
    errors += _cycles(doc)
    if errors:
        raise ContentError(errors)
    return doc


def _cycles(doc: QuestDoc) -> list[dict[str, str]]:
    graph = {c.slug: c.requires for c in doc.challenges}
    index = {c.slug: i for i, c in enumerate(doc.challenges)}
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1 or (nxt not in state and nxt in graph and visit(nxt)):
                return True
        state[node] = 2
        return False

    for slug in graph:
        if slug not in state and visit(slug):
            return [
                {"path": f"challenges[{index[slug]}].requires", "message": "requires form a cycle"}
            ]
    return []


def new_booth_secret() -> str:
    """160 random bits in base32, the TOTP secret behind a booth's rotating codes."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


async def _with_booth_secrets(
    session: WriteSession, quest: Quest | None, doc: QuestDoc
) -> QuestDoc:
    """Booths whose `secret` is left out keep the one they have, or get a new random one.

    Keyed by booth: re-importing a document without secrets never rotates a booth's codes,
    so the screens already showing them keep working.
    """
    if all(c.kind != "checkin" or c.secret for c in doc.challenges):
        return doc
    kept: dict[str, str] = {}
    if quest is not None:
        rows = await session.exec(
            select(Challenge)
            .where(Challenge.quest_id == quest.id, Challenge.kind == "checkin")
            .order_by(col(Challenge.retired).desc())  # a live challenge's secret wins
        )
        for ch in rows:
            booth, secret = ch.spec.get("booth"), ch.spec.get("secret")
            if booth and secret:
                kept[booth] = secret
    challenges = [
        c.model_copy(update={"secret": kept.get(c.booth or "") or new_booth_secret()})
        if c.kind == "checkin" and not c.secret
        else c
        for c in doc.challenges
    ]
    return doc.model_copy(update={"challenges": challenges})


async def import_quest(*, session: WriteSession, doc: QuestDoc) -> tuple[Quest, bool]:
    """Create or update a quest in place; returns (quest, created). Attempts are kept.

    The caller clears the content caches once this commits.
    """
    quest = (await session.exec(select(Quest).where(Quest.slug == doc.slug))).first()
    created = quest is None
    doc = await _with_booth_secrets(session, quest, doc)
    # Staff only: it carries the booths' secrets. The status is the event's state, not content
    # (PATCH changes it): a stored document, and so a revision or an export, never carries it.
    document = doc.model_dump(mode="json", exclude={"status"})
    if quest is None:
        quest = Quest(
            slug=doc.slug,
            title=doc.title,
            timezone=doc.timezone,
            starts_at=doc.starts_at,
            ends_at=doc.ends_at,
            status=doc.status or "open",
            document=document,
        )
        session.add(quest)
        await session.flush()
    else:
        quest.title, quest.timezone = doc.title, doc.timezone
        quest.starts_at, quest.ends_at = doc.starts_at, doc.ends_at
        if doc.status:
            quest.status = doc.status
        quest.document = document
        quest.updated_at = utcnow()
        session.add(quest)
    assert quest.id is not None
    tracks = {
        t.slug: t for t in (await session.exec(select(Track).where(Track.quest_id == quest.id)))
    }
    for pos, tdoc in enumerate(doc.tracks):
        track = tracks.get(tdoc.slug) or Track(quest_id=quest.id, slug=tdoc.slug, title=tdoc.title)
        track.title, track.position = tdoc.title, pos
        session.add(track)
    for slug, track in tracks.items():
        if slug not in {t.slug for t in doc.tracks}:
            track.position = -1  # kept for old solves' track boards, hidden from listings
            session.add(track)
    existing = {
        c.slug: c
        for c in await session.exec(select(Challenge).where(col(Challenge.quest_id) == quest.id))
    }
    for pos, cdoc in enumerate(doc.challenges):
        ch = existing.pop(cdoc.slug, None) or Challenge(
            quest_id=quest.id,
            slug=cdoc.slug,
            track=cdoc.track,
            title="",
            prompt="",
            kind="",
            points=0,
        )
        ch.track, ch.title, ch.prompt = cdoc.track, cdoc.title, cdoc.prompt
        ch.kind, ch.points, ch.spec = cdoc.kind, cdoc.points, cdoc.spec()
        ch.max_attempts, ch.requires = cdoc.max_attempts, list(cdoc.requires)
        ch.hints = [h.model_dump() for h in cdoc.hints]
        ch.scoring = cdoc.scoring.model_dump(exclude_none=True)
        ch.opens_at, ch.closes_at = cdoc.opens_at, cdoc.closes_at
        ch.position, ch.retired = pos, False
        session.add(ch)
    for ch in existing.values():
        ch.retired = True
        session.add(ch)
    await session.flush()
    return quest, created

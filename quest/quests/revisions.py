"""Quest revisions: what changed between two documents, what that does to existing solves,
the record of each change, and the document as staff export it (YAML)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from challenges.models import Challenge, Solve
from kit.errors import Conflict
from quest.core.db import WriteSession
from quest.quests.models import Quest, QuestRevision

SUMMARY_MAX = 2000
# Short values are shown as "old → new"; these never are (long, or an answer).
HIDDEN_VALUES = frozenset({"prompt", "answer", "secret", "options", "hints", "description"})
# What changes which attempts count: a challenge's answer (or how it is checked).
ANSWER_FIELDS = ("kind", "answer", "tolerance", "options")


@dataclass(frozen=True)
class Author:
    """Who made a change: a staff account, or a tool ("cli", "demo")."""

    name: str
    account_id: int | None = None


CLI = Author("cli")


@dataclass(frozen=True)
class Affected:
    """A change to a challenge that already has solves, and what happens to them."""

    challenge: str
    solves: int
    change: str  # points | answer | removed
    effect: str
    points: int | None = None  # the points the existing solves were awarded on (base)


class ConfirmationRequired(Conflict):
    code = "confirmation_required"

    def __init__(self, affected: list[Affected]) -> None:
        listed = "; ".join(f"{a.challenge}: {a.effect}" for a in affected)
        super().__init__(
            f"This change affects challenges that already have solves ({listed}). "
            "Send it again with confirm=true to apply it."
        )
        self.affected = affected


def clean(document: dict[str, Any]) -> dict[str, Any]:
    """The document as a person writes it: no empty optional fields (re-imports the same)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: strip(v) for k, v in value.items() if v is not None}
            return {k: v for k, v in out.items() if v not in ({}, []) or k == "challenges"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    result: dict[str, Any] = strip(document)
    return result


def to_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(clean(document), sort_keys=False, allow_unicode=True, width=100)


def _show(value: Any) -> str:
    if value is None:
        return "none"
    return repr(value) if isinstance(value, str) else str(value)


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = []
    for key in dict.fromkeys([*old, *new]):
        if key in {"challenges", "tracks", "slug"}:
            continue
        a, b = old.get(key), new.get(key)
        if a == b or (a in (None, [], {}) and b in (None, [], {})):
            continue
        short = all(v is None or isinstance(v, int | float | str) for v in (a, b))
        if key in HIDDEN_VALUES or not short or len(_show(a)) + len(_show(b)) > 80:
            out.append(f"{key} changed")
        else:
            out.append(f"{key} {_show(a)} → {_show(b)}")
    return out


def _listed(kind: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    before = {item["slug"]: item for item in old}
    after = {item["slug"]: item for item in new}
    out = []
    for slug, item in after.items():
        if slug not in before:
            out.append(f"added {kind} {slug}")
        elif fields := _field_changes(before[slug], item):
            out.append(f"{kind} {slug}: {', '.join(fields)}")
    out += [f"removed {kind} {slug}" for slug in before if slug not in after]
    kept_old = [s for s in before if s in after]
    kept_new = [s for s in after if s in before]
    if kept_old != kept_new:
        out.append(f"{kind}s reordered")
    return out


def changes_between(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """What changed, one short line per item ("challenge ai-1: points 10 → 20")."""
    if not old:
        return ["created"]
    return (
        _field_changes(old, new)
        + _listed("track", old.get("tracks", []), new.get("tracks", []))
        + _listed("challenge", old.get("challenges", []), new.get("challenges", []))
    )


def summary_of(changes: list[str]) -> str:
    text = "; ".join(changes) or "no change"
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


async def solve_counts(*, session: AsyncSession, quest_id: int) -> dict[str, int]:
    """Solves per live challenge slug."""
    rows = await session.exec(
        select(Challenge.slug, func.count(col(Solve.id)))
        .join(Solve, col(Solve.challenge_id) == col(Challenge.id))
        .where(Challenge.quest_id == quest_id, col(Challenge.retired).is_(False))
        .group_by(col(Challenge.slug))
    )
    return {slug: int(n) for slug, n in rows.all()}


async def affected_solves(
    *, session: AsyncSession, quest: Quest, new: dict[str, Any]
) -> list[Affected]:
    """Changes of answer or points, and removals, of challenges that have solves.

    The effects described are what `import_quest` does: solves are rows with the points
    awarded at the time, never recomputed; a dropped challenge is retired, not deleted.
    """
    assert quest.id is not None
    counts = await solve_counts(session=session, quest_id=quest.id)
    if not counts:
        return []
    before = {c["slug"]: c for c in (quest.document or {}).get("challenges", [])}
    after = {c["slug"]: c for c in new.get("challenges", [])}
    out: list[Affected] = []
    for slug, n in counts.items():
        old = before.get(slug)
        if old is None:
            continue
        now = after.get(slug)
        if now is None:
            out.append(
                Affected(
                    slug,
                    n,
                    "removed",
                    f"the challenge is retired: players no longer see it; its {n} existing "
                    "solves keep counting on the boards (importing it again brings it back)",
                )
            )
            continue
        if any(old.get(f) != now.get(f) for f in ANSWER_FIELDS):
            out.append(
                Affected(
                    slug,
                    n,
                    "answer",
                    f"the new answer applies to new attempts only; the {n} existing solves "
                    "stay solved with their points, and attempts already made still count "
                    "against max_attempts",
                )
            )
        if old.get("points") != now.get("points"):
            out.append(
                Affected(
                    slug,
                    n,
                    "points",
                    f"points change applies to new solves only; existing {n} solves keep "
                    f"{old.get('points')} points (plus any bonus they were awarded)",
                    old.get("points"),
                )
            )
    return sorted(out, key=lambda a: list(before).index(a.challenge))


async def latest(*, session: AsyncSession, quest_id: int) -> int:
    found = await session.exec(
        select(func.max(QuestRevision.n)).where(QuestRevision.quest_id == quest_id)
    )
    return int(found.one() or 0)


async def record(
    *,
    session: WriteSession,
    quest: Quest,
    before: dict[str, Any] | None,
    author: Author,
) -> QuestRevision | None:
    """A revision for the quest's new document, or None when nothing changed."""
    assert quest.id is not None
    after = quest.document
    if before is not None and before == after:
        return None
    n = await latest(session=session, quest_id=quest.id)
    if n == 0 and before is not None:  # a quest imported before revisions were kept
        session.add(
            QuestRevision(
                quest_id=quest.id,
                n=1,
                by="(before revisions)",
                summary="the document as it was when revisions began",
                document=before,
            )
        )
        n = 1
    changes = changes_between(before, after)
    revision = QuestRevision(
        quest_id=quest.id,
        n=n + 1,
        account_id=author.account_id,
        by=author.name[:64],
        summary=summary_of(changes),
        changes=changes,
        document=after,
    )
    session.add(revision)
    await session.flush()
    return revision


async def revisions_of(*, session: AsyncSession, quest_id: int) -> list[QuestRevision]:
    rows = await session.exec(
        select(QuestRevision)
        .where(QuestRevision.quest_id == quest_id)
        .order_by(col(QuestRevision.n).desc())
    )
    return list(rows.all())


async def revision(*, session: AsyncSession, quest_id: int, n: int) -> QuestRevision | None:
    rows = await session.exec(
        select(QuestRevision).where(QuestRevision.quest_id == quest_id, QuestRevision.n == n)
    )
    return rows.first()


def yaml_diff(old: dict[str, Any] | None, new: dict[str, Any], *, n: int) -> str:
    """A unified diff of the two documents as YAML."""
    a = to_yaml(old).splitlines(keepends=True) if old else []
    b = to_yaml(new).splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, f"revision {n - 1}", f"revision {n}"))

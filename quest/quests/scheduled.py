"""The quests' scheduled job: open and close quests on their start and end times."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import select

from kit.time import as_utc
from quest.core.scheduler import Job, every
from quest.core.state import AppState
from quest.quests.models import Quest

log = logging.getLogger("talentquest.scheduler")


async def apply_transitions(state: AppState, now: datetime) -> dict[str, str]:
    """Close quests past `ends_at`; open at `starts_at` quests that were closed before it.

    A quest counts as scheduled when it was set `closed` before its start (its last change
    is older than `starts_at`). Both moves are idempotent, so reruns are harmless.
    """
    moved: dict[str, str] = {}
    async with state.sessionmaker() as session, session.begin():
        for quest in (await session.exec(select(Quest).where(Quest.status != "draft"))).all():
            starts, ends = as_utc(quest.starts_at), as_utc(quest.ends_at)
            if now >= ends and quest.status in ("open", "paused"):
                quest.status = "closed"
            elif quest.status == "closed" and as_utc(quest.updated_at) < starts <= now < ends:
                quest.status = "open"
            else:
                continue
            quest.updated_at = now
            session.add(quest)
            moved[quest.slug] = quest.status
    if moved:
        log.info("quest transitions: %s", moved)
    return moved


TRANSITIONS = Job("quests.transitions", apply_transitions, every(60))

"""Load the demo content: the Talent Quest and the expo's job listings (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quest.quests.content import import_quest, parse_text, validate

DEMO_QUEST = Path(__file__).parent / "talent-quest.yaml"


async def load_demo(state: Any) -> str:
    doc = validate(parse_text(DEMO_QUEST.read_text(encoding="utf-8")))
    async with state.sessionmaker() as session, session.begin():
        quest, created = await import_quest(session=session, doc=doc)
    from jobs.generator import load_demo as load_jobs

    async with state.sessionmaker() as session, session.begin():
        jobs = await load_jobs(session=session)
    return f"demo quest {quest.slug} {'created' if created else 'up to date'}; {jobs} jobs added"

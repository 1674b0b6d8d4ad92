"""Load the demo content: the Talent Quest and the expo's job listings (idempotent)."""

from __future__ import annotations

from pathlib import Path

from quest.core.state import AppState
from quest.quests.service import import_document

DEMO_QUEST = Path(__file__).parent / "talent-quest.yaml"


async def load_demo(state: AppState) -> str:
    async with state.sessionmaker() as session, session.begin():
        imported = await import_document(
            session=session, document=DEMO_QUEST.read_text(encoding="utf-8")
        )
    from jobs.generator import load_demo as load_jobs

    async with state.sessionmaker() as session, session.begin():
        jobs = await load_jobs(session=session)
    verb = "created" if imported.created else "up to date"
    return f"demo quest {imported.quest.slug} {verb}; {jobs} jobs added"

"""Load the demo content: the Talent Quest and the expo's job listings (idempotent)."""

from __future__ import annotations

from pathlib import Path

from quest.core.state import AppState
from quest.quests.revisions import Author
from quest.quests.service import import_document

DEMO_QUEST = Path(__file__).parent / "talent-quest.yaml"


async def load_demo(state: AppState) -> str:
    async with state.sessionmaker() as session, session.begin():
        imported = await import_document(
            session=session,
            document=DEMO_QUEST.read_text(encoding="utf-8"),
            author=Author("demo"),
            confirm=True,  # the demo file is the source of truth for the demo quest
        )
    from jobs.generator import load_demo as load_jobs

    async with state.sessionmaker() as session, session.begin():
        jobs = await load_jobs(session=session)
    from quest.rehearsal.demo import mark_demo

    mark_demo(state.settings)  # `serve` then starts the demo's simulated crowd
    verb = "created" if imported.created else "up to date"
    return f"demo quest {imported.quest.slug} {verb}; {jobs} jobs added"
